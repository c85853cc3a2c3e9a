"""After-sales tasks on a verified order: where a refund is, an exchange, a new delivery address,
and items missing from a delivery. Each change is read back and confirmed before it is made;
each ends by asking the caller's next question."""

from __future__ import annotations

from collections.abc import Callable

from ivr.commerce.models import Address, Order, OrderStatus
from ivr.commerce.rules import refund_due
from ivr.dialog import items, phrasing
from ivr.dialog.reply import Reply
from ivr.dialog.state import Phase
from ivr.dialog.tasks import TRACKING_TAIL, OrderTasks
from ivr.events import TicketOpened


class AfterSales:
    """Carries out an after-sales request on one order and says the result."""

    def __init__(self, tasks: OrderTasks, new_reference: Callable[[], str]) -> None:
        self.tasks = tasks
        self.orders = tasks.orders
        self.today = tasks.today
        self.new_reference = new_reference

    def run(self, reply: Reply, order: Order) -> None:
        """Do what reply.state.intent asks for on a verified order."""
        match reply.state.intent:
            case "refund_status":
                self.refund_status(reply, order)
            case "exchange_request":
                self.start_exchange(reply, order)
            case "change_address":
                self.start_address_change(reply, order)
            case "item_problem":
                self.item_problem(reply, order)
            case _:
                self.tasks.run(reply, order)

    def answer(self, reply: Reply, order: Order, intent: str, slots: dict[str, str]) -> None:
        """The caller's answer to one of this module's questions."""
        agreed = intent == "yes"
        match reply.state.phase:
            case Phase.EXCHANGE_FOR:
                self.choose_exchange(reply, order, slots["exchange_choice"])
            case Phase.CONFIRM_EXCHANGE:
                self.confirm_exchange(reply, order, agreed)
            case Phase.NEW_STREET | Phase.NEW_POSTCODE if intent == "dont_know":
                reply.say("address_declined")
                OrderTasks.anything_else(reply)
            case Phase.NEW_STREET:
                self.take_street(reply, slots["text"])
            case Phase.NEW_POSTCODE:
                self.take_postcode(reply, order, slots["postcode"])
            case Phase.CONFIRM_ADDRESS:
                self.confirm_address(reply, order, agreed)

    # ------------------------------------------------------------------ refunds
    def refund_status(self, reply: Reply, order: Order) -> None:
        """What became of the latest return of the order, from the order system."""
        number = phrasing.digits(order.number)
        returns = self.orders.returns_for(order.number)
        latest = returns[-1] if returns else None
        policy = self.orders.policy()
        today = self.today()
        if latest is None:
            reply.say("refund_none", order_number=number)
        elif latest.refunded_on:
            reply.say("refund_paid", order_number=number,
                      amount=phrasing.money(latest.refund_cents),
                      refunded=phrasing.day(latest.refunded_on, today))
        elif latest.received_on:
            reply.say("refund_pending", order_number=number,
                      received=phrasing.day(latest.received_on, today),
                      due=phrasing.day(refund_due(latest, policy.refund_days), today))
        else:
            reply.say("refund_on_its_way_back", order_number=number,
                      rma=phrasing.digits(latest.rma), refund_days=policy.refund_days)
        OrderTasks.anything_else(reply)

    # ------------------------------------------------------------------ exchanges
    def start_exchange(self, reply: Reply, order: Order) -> None:
        """An exchange follows the return rules; if they allow it, which items (as for a
        return), then what the caller wants instead (or what they already said)."""
        verdict = self.tasks.returnable_or_explain(reply, order)
        if verdict is None:
            return
        if items.choose_from_request(reply, verdict.returnable, self.tasks.things,
                                     "ask_which_items", verb="exchange"):
            self.exchange_items_chosen(reply, order)

    def exchange_items_chosen(self, reply: Reply, order: Order) -> None:
        if "exchange_choice" in reply.state.slots:
            self.choose_exchange(reply, order, reply.state.slots["exchange_choice"])
        else:
            reply.ask("ask_exchange_for", Phase.EXCHANGE_FOR)

    def choose_exchange(self, reply: Reply, order: Order, wanted: str) -> None:
        reply.remember(exchange_choice=wanted)
        names = [item.name for item in items.kept(reply, self.tasks.returnable(order))]
        reply.ask("confirm_exchange", Phase.CONFIRM_EXCHANGE, items=phrasing.listing(names),
                  order_number=phrasing.digits(order.number), wanted=wanted)

    def confirm_exchange(self, reply: Reply, order: Order, agreed: bool) -> None:
        if not agreed:
            reply.say("exchange_declined")
            OrderTasks.anything_else(reply)
            return
        wanted = reply.state.slots["exchange_choice"]
        skus = tuple(item.sku for item in items.kept(reply, self.tasks.returnable(order)))
        record = self.orders.create_exchange(order.number, skus, wanted)
        reply.did(f"created exchange {record.number} for order {order.number} ({wanted})")
        label = ("return_label_free" if self.orders.policy().free_return_shipping
                 else "return_label_paid")
        reply.say("exchange_created", number=phrasing.digits(record.number),
                  label=reply.text(label), wanted=wanted)
        OrderTasks.anything_else(reply)

    # ------------------------------------------------------------------ delivery address
    def start_address_change(self, reply: Reply, order: Order) -> None:
        """Only an order still being prepared can go elsewhere; a shipped one is the
        carrier's to redirect."""
        number = phrasing.digits(order.number)
        shipment = order.shipment
        match order.status:
            case OrderStatus.PROCESSING:
                reply.ask("ask_new_street", Phase.NEW_STREET)
                return
            case OrderStatus.SHIPPED if shipment:
                reply.say("address_shipped", order_number=number, carrier=shipment.carrier,
                          tracking=phrasing.digits(shipment.tracking_number[-TRACKING_TAIL:]))
            case _:
                reply.say("address_closed", order_number=number, status=str(order.status))
        OrderTasks.anything_else(reply)

    @staticmethod
    def take_street(reply: Reply, street: str) -> None:
        reply.remember(new_street=street)
        reply.ask("ask_new_postcode", Phase.NEW_POSTCODE)

    @staticmethod
    def take_postcode(reply: Reply, order: Order, postcode: str) -> None:
        reply.remember(new_postcode=postcode)
        old = order.delivery_address.street if order.delivery_address else "the old address"
        reply.ask("confirm_address", Phase.CONFIRM_ADDRESS,
                  order_number=phrasing.digits(order.number), street=reply.state.slots[
                      "new_street"], postcode=phrasing.digits(postcode), old_street=old)

    def confirm_address(self, reply: Reply, order: Order, agreed: bool) -> None:
        if not agreed:
            reply.say("address_declined")
            OrderTasks.anything_else(reply)
            return
        address = Address(reply.state.slots["new_street"], reply.state.slots["new_postcode"])
        self.orders.change_address(order.number, address)
        reply.did(f"changed the delivery address of order {order.number}")
        reply.say("address_changed", order_number=phrasing.digits(order.number),
                  street=address.street, postcode=phrasing.digits(address.postcode))
        OrderTasks.anything_else(reply)

    # ------------------------------------------------------------------ missing items
    def item_problem(self, reply: Reply, order: Order) -> None:
        """Which items (named, the only one, or asked), then a ticket for the team."""
        if order.status is not OrderStatus.DELIVERED:
            reply.say("item_problem_not_delivered", order_number=phrasing.digits(order.number))
            OrderTasks.anything_else(reply)
            return
        if items.choose_from_request(reply, order.items, self.tasks.things,
                                     "ask_which_items_problem"):
            self.open_item_ticket(reply, order)

    def open_item_ticket(self, reply: Reply, order: Order) -> None:
        """The ticket names the items and keeps the caller's words; its reference is read back
        twice."""
        reference = self.new_reference()
        named = phrasing.listing([item.name for item in items.kept(reply, order.items)])
        summary = f"{named}: {reply.caller_words('item_problem')}"
        reply.act(TicketOpened("item_problem", reference, order.number, summary))
        reply.did(f"opened ticket {reference} about the {named} of order {order.number}")
        reply.say("item_problem_ticket", order_number=phrasing.digits(order.number),
                  reference=phrasing.digits(reference))
        OrderTasks.anything_else(reply)

