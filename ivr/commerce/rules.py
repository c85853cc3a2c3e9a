"""The shop's rules for returns and cancellations, in one place for the dialog and the store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ivr.commerce.models import (
    ExchangeRecord,
    Item,
    Order,
    OrderStatus,
    ReturnRecord,
    ShopPolicy,
)
from ivr.commerce.service import OrderService

SATURDAY = 5
"""date.weekday() of the first day of the weekend."""


class ReturnVerdict(StrEnum):
    """Whether (and why not) an order can be returned today."""

    ELIGIBLE = "eligible"
    NOT_DELIVERED = "not_delivered"
    WINDOW_CLOSED = "window_closed"
    FINAL_SALE = "final_sale"
    ALREADY_RETURNED = "already_returned"


@dataclass(frozen=True, slots=True)
class ReturnEligibility:
    """The verdict and the items it applies to."""

    verdict: ReturnVerdict
    returnable: tuple[Item, ...] = ()
    final_sale: tuple[Item, ...] = ()
    """Items excluded because they were sold as final sale."""
    last_day: date | None = None
    """The last day of the return window, once delivered."""
    existing: ReturnRecord | ExchangeRecord | None = None
    """The earlier return or exchange, for ALREADY_RETURNED."""


def return_eligibility(order: Order, policy: ShopPolicy, today: date,
                       existing: Sequence[ReturnRecord | ExchangeRecord]) -> ReturnEligibility:
    """Delivered, inside the window, not final sale, not returned or exchanged already (an
    exchange sends the item back too)."""
    delivered = order.shipment.delivered_on if order.shipment else None
    if order.status is not OrderStatus.DELIVERED or delivered is None:
        return ReturnEligibility(ReturnVerdict.NOT_DELIVERED)
    last_day = date.fromordinal(delivered.toordinal() + policy.return_window_days)
    if today > last_day:
        return ReturnEligibility(ReturnVerdict.WINDOW_CLOSED, last_day=last_day)
    final_sale = tuple(item for item in order.items if item.final_sale)
    already = {sku for record in existing for sku in record.skus}
    returnable = tuple(i for i in order.items if not i.final_sale and i.sku not in already)
    if not returnable and already:
        return ReturnEligibility(ReturnVerdict.ALREADY_RETURNED, final_sale=final_sale,
                                 last_day=last_day, existing=existing[-1])
    if not returnable:
        return ReturnEligibility(ReturnVerdict.FINAL_SALE, final_sale=final_sale,
                                 last_day=last_day)
    return ReturnEligibility(ReturnVerdict.ELIGIBLE, returnable, final_sale, last_day)


def can_cancel(order: Order) -> bool:
    """Only orders still being prepared can be cancelled; later ones are returned instead."""
    return order.status is OrderStatus.PROCESSING


def sent_back(orders: OrderService, order_number: str) -> list[ReturnRecord | ExchangeRecord]:
    """Returns and exchanges of an order, oldest first: the items in them are on their way
    back, so none of them can be returned or exchanged again."""
    records: list[ReturnRecord | ExchangeRecord] = [*orders.returns_for(order_number),
                                                    *orders.exchanges_for(order_number)]
    return sorted(records, key=lambda record: record.created_at)


def refund_due(record: ReturnRecord, refund_days: int) -> date:
    """The day a received return is refunded by: refund_days business days after it arrived
    (weekends do not count)."""
    due = record.received_on or record.created_at.date()
    left = refund_days
    while left > 0:
        due = date.fromordinal(due.toordinal() + 1)
        if due.weekday() < SATURDAY:
            left -= 1
    return due
