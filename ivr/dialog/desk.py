"""Requests about no particular order, so no identity check: is a product in stock, and
complaints (a ticket with a reference, the caller marked frustrated, a person offered)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date

from ivr.commerce.catalogue import product_named
from ivr.commerce.service import OrderService
from ivr.dialog import phrasing
from ivr.dialog.reply import Reply
from ivr.dialog.state import Phase
from ivr.dialog.tasks import OrderTasks
from ivr.events import TicketOpened


def random_reference() -> str:
    """Eight digits, never starting with 0, so a ticket reference reads back cleanly."""
    return str(secrets.randbelow(90_000_000) + 10_000_000)


class ServiceDesk:
    """Product questions and complaints."""

    def __init__(self, orders: OrderService, today: Callable[[], date],
                 new_reference: Callable[[], str]) -> None:
        self.orders = orders
        self.today = today
        self.new_reference = new_reference

    def product_question(self, reply: Reply, said: str) -> None:
        """Answer from the catalogue for the product the caller named; ask which one once if
        none was named, then offer a person."""
        product = product_named(self.orders.products(), said)
        if product is None:
            if reply.state.phase is Phase.PRODUCT_NAME:
                reply.say("product_unknown")
                OrderTasks.anything_else(reply)
            else:
                reply.ask("ask_product", Phase.PRODUCT_NAME)
            return
        name = product.name.lower()
        if product.in_stock > 0:
            reply.say("product_in_stock", product=name, price=phrasing.money(product.price_cents))
        elif product.restock_on:
            reply.say("product_restocking", product=name,
                      restock=phrasing.day(product.restock_on, self.today()))
        else:
            reply.say("product_out", product=name)
        OrderTasks.anything_else(reply)

    def complaint(self, reply: Reply, said: str) -> None:
        reference = self.new_reference()
        reply.act(TicketOpened("complaint", reference, reply.state.order_number, said))
        reply.update(frustrated=True)
        reply.did(f"recorded complaint {reference}")
        reply.ask("complaint_ticket", Phase.OFFER_AGENT, reference=phrasing.digits(reference))
