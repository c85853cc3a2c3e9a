"""The shop's rules for returns and cancellations, in one place for the dialog and the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ivr.commerce.models import Item, Order, OrderStatus, ReturnRecord, ShopPolicy


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
    existing: ReturnRecord | None = None
    """The earlier return, for ALREADY_RETURNED."""


def return_eligibility(order: Order, policy: ShopPolicy, today: date,
                       existing: list[ReturnRecord]) -> ReturnEligibility:
    """Delivered, inside the window, not final sale, not returned already."""
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
