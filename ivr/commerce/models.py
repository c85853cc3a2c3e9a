"""Orders, customers and what happens to them, as the dialog sees them (read-only records)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class OrderStatus(StrEnum):
    """Where an order is in its life."""

    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Customer:
    """A shop customer; phone and postcode are how a caller proves who they are."""

    id: int
    name: str
    """Full name; the greeting uses the first word."""
    phone: str
    """E.164, compared with the caller ID."""
    postcode: str
    """Asked for when the caller ID does not match the order."""

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name


@dataclass(frozen=True, slots=True)
class Item:
    """One line of an order."""

    sku: str
    name: str
    quantity: int
    price_cents: int
    """Unit price."""
    final_sale: bool = False
    """Final-sale items cannot be returned."""


@dataclass(frozen=True, slots=True)
class ScanEvent:
    """One carrier scan."""

    at: datetime
    location: str
    description: str


@dataclass(frozen=True, slots=True)
class Shipment:
    """The parcel an order travels in."""

    carrier: str
    tracking_number: str
    shipped_on: date
    estimated_delivery: date | None
    delivered_on: date | None
    events: tuple[ScanEvent, ...] = ()
    """Oldest first."""

    @property
    def last_scan(self) -> ScanEvent | None:
        return self.events[-1] if self.events else None


@dataclass(frozen=True, slots=True)
class Address:
    """Where an order is delivered."""

    street: str
    """House number and street, as the customer gave it."""
    postcode: str


@dataclass(frozen=True, slots=True)
class Order:
    """An order with everything the bot may tell a verified caller about it."""

    number: str
    customer: Customer
    placed_on: date
    status: OrderStatus
    items: tuple[Item, ...]
    shipment: Shipment | None = None
    delivery_address: Address | None = None

    @property
    def total_cents(self) -> int:
        return sum(item.price_cents * item.quantity for item in self.items)


@dataclass(frozen=True, slots=True)
class ReturnRecord:
    """A return authorisation (RMA) created for some items of an order."""

    rma: str
    """Digits only, so it can be read back digit by digit."""
    order_number: str
    reason: str
    skus: tuple[str, ...]
    created_at: datetime
    received_on: date | None = None
    """The day the returned items reached the shop; None while they are on their way."""
    refunded_on: date | None = None
    refund_cents: int = 0

    @property
    def reference(self) -> str:
        """The number the caller was given."""
        return self.rma


@dataclass(frozen=True, slots=True)
class ExchangeRecord:
    """An exchange authorisation: the items go back and what the caller wants instead is sent."""

    number: str
    """Digits only, read back digit by digit."""
    order_number: str
    skus: tuple[str, ...]
    wanted: str
    """What the caller wants instead, in words ("a bigger size", "black")."""
    created_at: datetime

    @property
    def reference(self) -> str:
        """The number the caller was given."""
        return self.number


@dataclass(frozen=True, slots=True)
class ProductOption:
    """A size or colour of a product that is stocked on its own: "size 10", "medium", "black"."""

    label: str
    """As a caller would say it, and as the bot reads it out."""
    in_stock: int
    restock_on: date | None


@dataclass(frozen=True, slots=True)
class Product:
    """One line of the shop's catalogue."""

    sku: str
    name: str
    in_stock: int
    """All its options together, when it has any."""
    restock_on: date | None
    """When more are expected, if the shop knows."""
    price_cents: int
    options: tuple[ProductOption, ...] = ()
    """Its sizes or colours, in the order the shop lists them; none for a one-size product."""


@dataclass(frozen=True, slots=True)
class ShopPolicy:
    """The shop's published rules, which the bot reads out rather than hard-codes."""

    return_window_days: int
    free_return_shipping: bool
    refund_days: int
    """Business days from receiving a return to refunding it."""
    standard_shipping_days: tuple[int, int]
    standard_shipping_cents: int
    free_shipping_over_cents: int
    express_shipping_days: int
    express_shipping_cents: int
    ships_to: str
    """A phrase such as "the United States and Canada"."""
