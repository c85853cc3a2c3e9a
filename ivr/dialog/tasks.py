"""The order tasks once the caller is verified: status, tracking, returns, cancellations, and
the shop's policy answers. Each ends by asking the caller's next question."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ivr.commerce.models import Item, Order, OrderStatus
from ivr.commerce.rules import (
    ReturnEligibility,
    ReturnVerdict,
    can_cancel,
    return_eligibility,
    sent_back,
)
from ivr.commerce.service import OrderService
from ivr.dialog import items, phrasing
from ivr.dialog.reply import Reply
from ivr.dialog.state import Phase
from ivr.events import OrderCancelled, ReturnCreated

TRACKING_TAIL = 6
"""Only the end of a tracking number is read out: 18 characters by voice help nobody."""


class OrderTasks:
    """Carries out a task on one order and says the result."""

    def __init__(self, orders: OrderService, today: Callable[[], date],
                 things: frozenset[str]) -> None:
        self.orders = orders
        self.today = today
        self.things = things
        """The words that name a thing a caller may have bought (the grammar's items)."""

    def run(self, reply: Reply, order: Order) -> None:
        """Do what reply.state.intent asks for on a verified order."""
        match reply.state.intent:
            case "track_package":
                self.track(reply, order)
            case "return_request":
                self.start_return(reply, order)
            case "cancel_order":
                self.cancel(reply, order)
            case _:
                self.status(reply, order)

    # ------------------------------------------------------------------ status and tracking
    def status(self, reply: Reply, order: Order) -> None:
        today, number = self.today(), phrasing.digits(order.number)
        shipment = order.shipment
        match order.status:
            case OrderStatus.PROCESSING:
                reply.say("status_processing", order_number=number,
                          placed=phrasing.day(order.placed_on, today),
                          ship_days=self.orders.policy().standard_shipping_days[0])
            case OrderStatus.SHIPPED if shipment:
                reply.say("status_shipped", order_number=number, carrier=shipment.carrier,
                          shipped=phrasing.day(shipment.shipped_on, today), eta=self._eta(order))
            case OrderStatus.DELIVERED if shipment and shipment.delivered_on:
                reply.say("status_delivered", order_number=number,
                          delivered=phrasing.day(shipment.delivered_on, today))
            case _:
                reply.say("status_cancelled", order_number=number)
        self.anything_else(reply)

    def track(self, reply: Reply, order: Order) -> None:
        today, shipment = self.today(), order.shipment
        if shipment is None or order.status is OrderStatus.PROCESSING:
            reply.say("tracking_not_shipped", order_number=phrasing.digits(order.number),
                      ship_days=self.orders.policy().standard_shipping_days[0])
        elif shipment.delivered_on:
            scan = shipment.last_scan
            reply.say("tracking_delivered", carrier=shipment.carrier,
                      order_number=phrasing.digits(order.number),
                      delivered=phrasing.day(shipment.delivered_on, today),
                      description=scan.description if scan else "delivered")
        else:
            scan = shipment.last_scan
            reply.say("tracking_in_transit", carrier=shipment.carrier,
                      tracking=phrasing.digits(shipment.tracking_number[-TRACKING_TAIL:]),
                      when=phrasing.moment(scan.at, today) if scan else "not yet",
                      location=scan.location if scan else "the warehouse",
                      description=scan.description if scan else "label created",
                      eta=self._eta(order))
        self.anything_else(reply)

    def _eta(self, order: Order) -> str:
        eta = order.shipment.estimated_delivery if order.shipment else None
        return phrasing.day(eta, self.today()) if eta else "soon"

    # ------------------------------------------------------------------ returns
    def start_return(self, reply: Reply, order: Order) -> None:
        """Which items (named in the request, the only one, or asked), why (said already, or
        asked), then a read-back to confirm: nothing is created before the caller agrees."""
        verdict = self.returnable_or_explain(reply, order)
        if verdict is None:
            return
        if verdict.final_sale:
            reply.say("return_partial_final_sale",
                      final_sale=phrasing.listing([i.name for i in verdict.final_sale]),
                      was_were="was" if len(verdict.final_sale) == 1 else "were",
                      returnable=phrasing.listing([i.name for i in verdict.returnable]))
        if items.choose_from_request(reply, verdict.returnable, self.things,
                                     "ask_which_items", verb="return"):
            self.return_items_chosen(reply, order)

    def return_items_chosen(self, reply: Reply, order: Order) -> None:
        if "return_reason" in reply.state.slots:
            self.take_return_reason(reply, order, reply.state.slots["return_reason"])
        else:
            reply.ask("ask_return_reason", Phase.RETURN_REASON)

    def take_return_reason(self, reply: Reply, order: Order, reason: str) -> None:
        reply.remember(return_reason=reason)
        names = [item.name for item in items.kept(reply, self.returnable(order))]
        reply.ask("confirm_return", Phase.CONFIRM_RETURN, items=phrasing.listing(names),
                  order_number=phrasing.digits(order.number),
                  reason=reply.text(f"return_because_{reason}"))

    def confirm_return(self, reply: Reply, order: Order, agreed: bool) -> None:
        if agreed:
            self.create_return(reply, order, reply.state.slots["return_reason"])
        else:
            reply.say("return_declined")
            self.anything_else(reply)

    def returnable(self, order: Order) -> tuple[Item, ...]:
        """The order's items that can still go back (a return or an exchange)."""
        return self._eligibility(order).returnable

    def _eligibility(self, order: Order) -> ReturnEligibility:
        return return_eligibility(order, self.orders.policy(), self.today(),
                                  sent_back(self.orders, order.number))

    def returnable_or_explain(self, reply: Reply, order: Order) -> ReturnEligibility | None:
        """The order's return eligibility when items of it can go back (for a return or an
        exchange); otherwise None, once the caller has been told why not and asked what else."""
        policy = self.orders.policy()
        verdict = self._eligibility(order)
        number = phrasing.digits(order.number)
        match verdict.verdict:
            case ReturnVerdict.ELIGIBLE:
                return verdict
            case ReturnVerdict.NOT_DELIVERED:
                reply.say("return_not_delivered", order_number=number,
                          window=policy.return_window_days)
            case ReturnVerdict.WINDOW_CLOSED:
                delivered = order.shipment.delivered_on if order.shipment else None
                reply.say("return_window_closed", order_number=number,
                          window=policy.return_window_days,
                          delivered=phrasing.day(delivered, self.today()) if delivered else "")
            case ReturnVerdict.FINAL_SALE:
                reply.say("return_final_sale", order_number=number)
            case ReturnVerdict.ALREADY_RETURNED:
                existing = verdict.existing
                reply.say("return_already", order_number=number,
                          rma=phrasing.digits(existing.reference) if existing else "")
        self.anything_else(reply)
        return None

    def create_return(self, reply: Reply, order: Order, reason: str) -> None:
        policy = self.orders.policy()
        skus = tuple(item.sku for item in items.kept(reply, self.returnable(order)))
        record = self.orders.create_return(order.number, skus, reason)
        reply.act(ReturnCreated(order.number, record.rma, reason, skus))
        reply.did(f"created return {record.rma} for order {order.number} ({reason})")
        label = "return_label_free" if policy.free_return_shipping else "return_label_paid"
        reply.say("return_created", rma=phrasing.digits(record.rma), label=reply.text(label),
                  refund_days=policy.refund_days)
        self.anything_else(reply)

    # ------------------------------------------------------------------ cancellations
    def cancel(self, reply: Reply, order: Order) -> None:
        number = phrasing.digits(order.number)
        if can_cancel(order):
            items = phrasing.listing([phrasing.counted(i.quantity, i.name) for i in order.items])
            reply.ask("confirm_cancel", Phase.CONFIRM_CANCEL, order_number=number, items=items,
                      total=phrasing.money(order.total_cents))
            return
        match order.status:
            case OrderStatus.DELIVERED:
                reply.ask("cancel_delivered", Phase.OFFER_RETURN, order_number=number)
                return
            case OrderStatus.CANCELLED:
                reply.say("cancel_already", order_number=number)
            case _:
                reply.say("cancel_shipped", order_number=number,
                          window=self.orders.policy().return_window_days)
        self.anything_else(reply)

    def confirm_cancel(self, reply: Reply, order: Order) -> None:
        self.orders.cancel_order(order.number)
        reply.act(OrderCancelled(order.number))
        reply.did(f"cancelled order {order.number}")
        reply.say("cancelled", order_number=phrasing.digits(order.number),
                  total=phrasing.money(order.total_cents),
                  refund_days=self.orders.policy().refund_days)
        self.anything_else(reply)

    # ------------------------------------------------------------------ policy answers
    def answer_policy(self, reply: Reply, intent: str) -> None:
        """The shop's return or shipping policy; after the return policy, the offer to start
        one."""
        policy = self.orders.policy()
        if intent == "return_policy":
            label = "return_policy_free" if policy.free_return_shipping else "return_policy_paid"
            reply.say("return_policy", window=policy.return_window_days,
                      label_policy=reply.text(label), refund_days=policy.refund_days)
            reply.ask("offer_new_return", Phase.OFFER_NEW_RETURN)
            return
        reply.say("shipping_info", ships_to=policy.ships_to,
                  standard_min=policy.standard_shipping_days[0],
                  standard_max=policy.standard_shipping_days[1],
                  standard_price=phrasing.money(policy.standard_shipping_cents),
                  free_over=phrasing.money(policy.free_shipping_over_cents),
                  express_days=policy.express_shipping_days,
                  express_price=phrasing.money(policy.express_shipping_cents))
        self.anything_else(reply)

    @staticmethod
    def anything_else(reply: Reply) -> None:
        reply.ask("anything_else", Phase.ANYTHING_ELSE)
