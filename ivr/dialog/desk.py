"""Requests about no particular order, so no identity check: is a product in stock, and
complaints (a ticket with a reference, the caller marked frustrated, a person offered)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import date

from ivr.commerce.catalogue import option_named, product_named
from ivr.commerce.models import Product, ProductOption
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
        """Answer from the catalogue for the product the caller named, and for its size or
        colour if they named one (if not, the ones in stock when some are out); ask which
        product once if none was named. A question that names none follows the caller's
        earlier one ("are the running shoes in stock in a ten?", then "when will they be
        back?")."""
        products = self.orders.products()
        product = product_named(products, said)
        if product is None:
            product, said = _follow_up(reply, products, said)
        if product is None:
            if reply.state.phase is Phase.PRODUCT_NAME:
                reply.say("product_unknown")
                OrderTasks.anything_else(reply)
            else:
                reply.ask("ask_product", Phase.PRODUCT_NAME)
            return
        name, price = product.name.lower(), phrasing.money(product.price_cents)
        is_are = phrasing.is_are(product.name)
        option = option_named(product, said)
        in_stock = [o.label for o in product.options if o.in_stock > 0]
        if option is not None:
            self._stock(reply, "product_option", option, price, product=name,
                        option=option.label, is_are=is_are)
        elif in_stock and len(in_stock) < len(product.options):
            reply.say("product_options_in_stock", product=name, is_are=is_are,
                      options=phrasing.listing(in_stock), price=price)
        else:
            self._stock(reply, "product", product, price, product=name, is_are=is_are)
        OrderTasks.anything_else(reply)

    def _stock(self, reply: Reply, prompt: str, stock: Product | ProductOption, price: str,
               **named: str) -> None:
        """In stock with its price, out until a day, or out with no date: of a product, or of
        one of its sizes or colours (`prompt` is the prompts' common start)."""
        if stock.in_stock > 0:
            reply.say(f"{prompt}_in_stock", price=price, **named)
        elif stock.restock_on:
            reply.say(f"{prompt}_restocking",
                      restock=phrasing.day(stock.restock_on, self.today()), **named)
        else:
            reply.say(f"{prompt}_out", **named)

    def complaint(self, reply: Reply, said: str) -> None:
        reference = self.new_reference()
        reply.act(TicketOpened("complaint", reference, reply.state.order_number, said))
        reply.update(frustrated=True)
        reply.did(f"recorded complaint {reference}")
        reply.ask("complaint_ticket", Phase.OFFER_AGENT, reference=phrasing.digits(reference))


def _follow_up(reply: Reply, products: Sequence[Product],
               said: str) -> tuple[Product | None, str]:
    """For a product question that names no product ("when will they be back?", "have you got
    a nine?"), the product of the caller's latest earlier question that named one, and the words
    that name its size or colour: these, or the latest earlier ones that did."""
    earlier = [turn.text for turn in reply.caller_turns_before_latest()
               if turn.intent == "product_availability"]
    for at in range(len(earlier) - 1, -1, -1):
        if (product := product_named(products, earlier[at])) is not None:
            if option_named(product, said) is None:
                said = next((text for text in reversed(earlier[at:])
                             if option_named(product, text)), said)
            return product, said
    return None, said
