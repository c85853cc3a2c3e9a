"""The embedded order system (the demo shop): its tables live in the bot's own database, SQLite
or PostgreSQL (ivr.database), so every server of a shop sees the same orders.

Returns and cancellations are committed before the caller hears about them, so a restart never
loses one. A shop with its own system implements OrderService against its API instead.
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from importlib import resources

from ivr.commerce.models import (
    Address,
    Customer,
    ExchangeRecord,
    Item,
    Order,
    OrderStatus,
    Product,
    ProductOption,
    ReturnRecord,
    ScanEvent,
    Shipment,
    ShopPolicy,
)
from ivr.commerce.rules import ReturnVerdict, can_cancel, return_eligibility, sent_back
from ivr.database import Database, Row
from ivr.errors import DatabaseError, OrderServiceError


class EmbeddedOrderService:
    """OrderService over the tables in schema.sql (made if missing: they are the demo's, not
    the call record's, so they are not versioned with it)."""

    def __init__(self, db: Database, today: Callable[[], date] = date.today) -> None:
        self._db = db
        self._today = today
        try:
            db.script(resources.files("ivr.commerce").joinpath("schema.sql").read_text())
        except DatabaseError as exc:
            raise DatabaseError(f"the database is not usable as an order system: {exc}. "
                                "Point IVR_DATABASE_URL at a new database.") from exc

    def close(self) -> None:
        """Close the database (a replayed call's throwaway shop, a test's)."""
        self._db.close()

    # ------------------------------------------------------------------ reads
    def customer_by_phone(self, phone: str) -> Customer | None:
        row = self._query_one("SELECT * FROM customers WHERE phone = ?", phone)
        return _customer(row) if row else None

    def orders_for(self, customer: Customer) -> list[Order]:
        rows = self._query("SELECT number FROM orders WHERE customer_id = ? "
                           "ORDER BY placed_on DESC, number DESC", customer.id)
        return [order for row in rows if (order := self.find_order(row["number"]))]

    def find_order(self, number: str) -> Order | None:
        row = self._query_one(
            "SELECT o.*, c.name, c.phone, c.postcode FROM orders o "
            "JOIN customers c ON c.id = o.customer_id WHERE o.number = ?", number)
        if row is None:
            return None
        items = tuple(
            Item(r["sku"], r["name"], r["quantity"], r["price_cents"], bool(r["final_sale"]))
            for r in self._query("SELECT * FROM items WHERE order_number = ? ORDER BY sku", number)
        )
        customer = Customer(row["customer_id"], row["name"], row["phone"], row["postcode"])
        address = self._query_one("SELECT * FROM delivery_addresses WHERE order_number = ?",
                                  number)
        return Order(number, customer, date.fromisoformat(row["placed_on"]),
                     OrderStatus(row["status"]), items, self._shipment(number),
                     Address(address["street"], address["postcode"]) if address else None)

    def _shipment(self, number: str) -> Shipment | None:
        row = self._query_one("SELECT * FROM shipments WHERE order_number = ?", number)
        if row is None:
            return None
        events = tuple(
            ScanEvent(datetime.fromisoformat(r["at"]), r["location"], r["description"])
            for r in self._query("SELECT * FROM scan_events WHERE order_number = ? ORDER BY at",
                                 number)
        )
        return Shipment(row["carrier"], row["tracking_number"],
                        date.fromisoformat(row["shipped_on"]),
                        _optional_date(row["estimated_delivery"]),
                        _optional_date(row["delivered_on"]), events)

    def returns_for(self, order_number: str) -> list[ReturnRecord]:
        return [
            ReturnRecord(r["rma"], r["order_number"], r["reason"], tuple(json.loads(r["skus"])),
                         datetime.fromisoformat(r["created_at"]),
                         _optional_date(r["received_on"]), _optional_date(r["refunded_on"]),
                         r["amount_cents"] or 0)
            for r in self._query("SELECT r.*, f.received_on, f.refunded_on, f.amount_cents "
                                 "FROM returns r LEFT JOIN refunds f ON f.rma = r.rma "
                                 "WHERE r.order_number = ? ORDER BY r.created_at", order_number)
        ]

    def exchanges_for(self, order_number: str) -> list[ExchangeRecord]:
        return [
            ExchangeRecord(r["number"], r["order_number"], tuple(json.loads(r["skus"])),
                           r["wanted"], datetime.fromisoformat(r["created_at"]))
            for r in self._query("SELECT * FROM exchanges WHERE order_number = ? "
                                 "ORDER BY created_at", order_number)
        ]

    def products(self) -> list[Product]:
        options: dict[str, list[ProductOption]] = defaultdict(list)
        for r in self._query("SELECT * FROM product_options ORDER BY product_sku, position"):
            options[r["product_sku"]].append(
                ProductOption(r["label"], r["in_stock"], _optional_date(r["restock_on"])))
        return [
            Product(r["sku"], r["name"], r["in_stock"], _optional_date(r["restock_on"]),
                    r["price_cents"], tuple(options[r["sku"]]))
            for r in self._query("SELECT * FROM products ORDER BY name")
        ]

    def policy(self) -> ShopPolicy:
        row = self._query_one("SELECT * FROM shop_policy WHERE id = 1")
        if row is None:
            raise OrderServiceError("the shop policy is not set up (run `ivr demo reset`)")
        return ShopPolicy(
            row["return_window_days"], bool(row["free_return_shipping"]), row["refund_days"],
            (row["standard_min_days"], row["standard_max_days"]), row["standard_shipping_cents"],
            row["free_shipping_over_cents"], row["express_shipping_days"],
            row["express_shipping_cents"], row["ships_to"])

    # ------------------------------------------------------------------ writes
    def create_return(self, order_number: str, skus: tuple[str, ...], reason: str) -> ReturnRecord:
        self._check_returnable(order_number, skus)
        record = ReturnRecord(_new_rma(), order_number, reason, skus, datetime.now())
        self._execute("INSERT INTO returns VALUES (?, ?, ?, ?, ?)", record.rma, order_number,
                      reason, json.dumps(list(skus)), record.created_at.isoformat())
        return record

    def create_exchange(self, order_number: str, skus: tuple[str, ...],
                        wanted: str) -> ExchangeRecord:
        self._check_returnable(order_number, skus)
        record = ExchangeRecord(_new_rma(), order_number, skus, wanted, datetime.now())
        self._execute("INSERT INTO exchanges VALUES (?, ?, ?, ?, ?)", record.number,
                      order_number, json.dumps(list(skus)), wanted,
                      record.created_at.isoformat())
        return record

    def _check_returnable(self, order_number: str, skus: tuple[str, ...]) -> None:
        """Returns and exchanges follow the same rules: raise ValueError outside them."""
        order = self.find_order(order_number)
        if order is None:
            raise ValueError(f"no order {order_number}")
        eligibility = return_eligibility(order, self.policy(), self._today(),
                                         sent_back(self, order_number))
        allowed = {item.sku for item in eligibility.returnable}
        if eligibility.verdict is not ReturnVerdict.ELIGIBLE or not set(skus) <= allowed:
            raise ValueError(f"order {order_number} items {skus} cannot be returned "
                             f"({eligibility.verdict})")

    def change_address(self, order_number: str, address: Address) -> None:
        order = self.find_order(order_number)
        if order is None or order.status is not OrderStatus.PROCESSING:
            raise ValueError(f"order {order_number} has shipped or does not exist; its "
                             "address cannot be changed")
        self._execute("INSERT INTO delivery_addresses VALUES (?, ?, ?, ?) "
                      "ON CONFLICT (order_number) DO UPDATE SET street = excluded.street, "
                      "postcode = excluded.postcode, changed_at = excluded.changed_at",
                      order_number, address.street, address.postcode,
                      datetime.now().isoformat())

    def cancel_order(self, order_number: str) -> None:
        order = self.find_order(order_number)
        if order is None or not can_cancel(order):
            raise ValueError(f"order {order_number} cannot be cancelled")
        try:
            with self._db.transaction() as db:
                db.execute("UPDATE orders SET status = 'cancelled' WHERE number = ?",
                           (order_number,))
                db.execute("INSERT INTO cancellations VALUES (?, ?)",
                           (order_number, datetime.now().isoformat()))
        except DatabaseError as exc:
            raise OrderServiceError(f"cancelling {order_number} failed: {exc}") from exc

    # ------------------------------------------------------------------ plumbing
    def _query(self, sql: str, *args: object) -> list[Row]:
        try:
            return self._db.query(sql, *args)
        except DatabaseError as exc:
            raise OrderServiceError(f"order database query failed: {exc}") from exc

    def _query_one(self, sql: str, *args: object) -> Row | None:
        rows = self._query(sql, *args)
        return rows[0] if rows else None

    def _execute(self, sql: str, *args: object) -> None:
        try:
            self._db.execute(sql, *args)
        except DatabaseError as exc:
            raise OrderServiceError(f"order database write failed: {exc}") from exc

    def write_all(self, batch: list[tuple[str, list[tuple[object, ...]]]], *,
                  only_if_empty: bool = False) -> None:
        """Run (statement, rows) pairs in one transaction: all of it is written, or none.
        `only_if_empty`: only into a shop without customers, decided inside the transaction
        (taking turns), so servers starting together on a new database write it once."""
        try:
            with self._db.transaction() as db:
                if only_if_empty:
                    db.take_turns()
                    if db.execute("SELECT 1 FROM customers LIMIT 1").fetchone():
                        return
                for sql, rows in batch:
                    db.executemany(sql, rows)
        except DatabaseError as exc:
            raise OrderServiceError(f"bulk write failed, nothing was changed: {exc}") from exc


def _customer(row: Row) -> Customer:
    return Customer(row["id"], row["name"], row["phone"], row["postcode"])


def _optional_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _new_rma() -> str:
    """Eight digits, never starting with 0, so it reads back cleanly."""
    return str(secrets.randbelow(90_000_000) + 10_000_000)
