"""What the dialog needs from a shop's order system. Implementations raise OrderServiceError
when the system fails, so the caller can be apologised to and transferred."""

from __future__ import annotations

from typing import Protocol

from ivr.commerce.models import (
    Address,
    Customer,
    ExchangeRecord,
    Order,
    Product,
    ReturnRecord,
    ShopPolicy,
)


class OrderService(Protocol):
    """Orders, shipments, returns and cancellations of one shop."""

    def customer_by_phone(self, phone: str) -> Customer | None:
        """The customer whose phone number this is, if any."""
        ...

    def orders_for(self, customer: Customer) -> list[Order]:
        """The customer's orders, most recent first."""
        ...

    def find_order(self, number: str) -> Order | None:
        """One order by its number."""
        ...

    def returns_for(self, order_number: str) -> list[ReturnRecord]:
        """Returns already created for an order, with what became of them."""
        ...

    def exchanges_for(self, order_number: str) -> list[ExchangeRecord]:
        """Exchanges already authorised for an order."""
        ...

    def products(self) -> list[Product]:
        """The shop's catalogue."""
        ...

    def policy(self) -> ShopPolicy:
        """The shop's return and shipping rules."""
        ...

    def create_return(self, order_number: str, skus: tuple[str, ...], reason: str) -> ReturnRecord:
        """Authorise a return; raises ValueError if the items are not returnable."""
        ...

    def create_exchange(self, order_number: str, skus: tuple[str, ...],
                        wanted: str) -> ExchangeRecord:
        """Authorise an exchange on the rules of a return; raises ValueError if the items
        cannot be returned."""
        ...

    def cancel_order(self, order_number: str) -> None:
        """Cancel an order that has not shipped; raises ValueError otherwise."""
        ...

    def change_address(self, order_number: str, address: Address) -> None:
        """Send an order that has not shipped to another address; raises ValueError
        otherwise."""
        ...
