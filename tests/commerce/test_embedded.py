"""The embedded order system, on SQLite and on PostgreSQL: demo facts, rules, and writes that
survive a restart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from ivr.commerce.demo import CUSTOMERS, ensure_demo, reset_demo
from ivr.commerce.embedded import EmbeddedOrderService
from ivr.commerce.models import Address, OrderStatus, ReturnRecord
from ivr.commerce.rules import ReturnVerdict, refund_due, return_eligibility
from ivr.database import SqliteDatabase, open_database
from ivr.errors import DatabaseError, OrderServiceError
from tests.databases import failures_running_together, raw_rows


@pytest.fixture
def orders(database_url: str) -> Iterator[EmbeddedOrderService]:
    service = EmbeddedOrderService(open_database(database_url))
    reset_demo(service)
    yield service
    service.close()


def test_demo_customers_and_orders(orders: EmbeddedOrderService) -> None:
    ana = orders.customer_by_phone("+15550100001")
    assert ana is not None and ana.name == "Ana Lopez" and ana.postcode == "94107"
    assert [o.number for o in orders.orders_for(ana)] == ["48213", "70055", "66021"]
    ben = orders.customer_by_phone("+15550100002")
    assert ben is not None and ben.postcode == "10001"
    assert {o.number for o in orders.orders_for(ben)} == {"31190", "55102", "12345", "80417"}
    assert orders.customer_by_phone("+15559999999") is None


def test_demo_dates_are_relative_to_today(orders: EmbeddedOrderService) -> None:
    today = date.today()
    in_transit = orders.find_order("48213")
    assert in_transit and in_transit.status is OrderStatus.SHIPPED and in_transit.shipment
    assert in_transit.shipment.carrier == "UPS" and in_transit.shipment.tracking_number
    assert in_transit.shipment.estimated_delivery == today + timedelta(days=2)
    assert in_transit.shipment.last_scan and in_transit.shipment.last_scan.location
    returnable = orders.find_order("70055")
    assert returnable and returnable.shipment
    assert returnable.shipment.delivered_on == today - timedelta(days=5)
    old = orders.find_order("55102")
    assert old and old.shipment and old.shipment.delivered_on == today - timedelta(days=60)
    mixed = orders.find_order("12345")
    assert mixed and sorted(i.final_sale for i in mixed.items) == [False, True]
    processing = orders.find_order("31190")
    assert processing and processing.status is OrderStatus.PROCESSING


@pytest.mark.parametrize(("number", "verdict", "returnable"), [
    ("70055", ReturnVerdict.ELIGIBLE, {"SH-LIN-M", "SN-CNV-42"}),
    ("12345", ReturnVerdict.ELIGIBLE, {"WAL-LTH"}),
    ("55102", ReturnVerdict.WINDOW_CLOSED, set()),
    ("48213", ReturnVerdict.NOT_DELIVERED, set()),
    ("31190", ReturnVerdict.NOT_DELIVERED, set()),
])
def test_return_eligibility(orders: EmbeddedOrderService, number: str, verdict: ReturnVerdict,
                            returnable: set[str]) -> None:
    order = orders.find_order(number)
    assert order is not None
    result = return_eligibility(order, orders.policy(), date.today(), [])
    assert result.verdict is verdict
    assert {item.sku for item in result.returnable} == returnable


def test_returns_and_cancellations_survive_a_restart(database_url: str,
                                                     orders: EmbeddedOrderService) -> None:
    record = orders.create_return("70055", ("SH-LIN-M", "SN-CNV-42"), "damaged")
    assert record.rma.isdigit() and len(record.rma) == 8
    orders.cancel_order("31190")
    reopened = EmbeddedOrderService(open_database(database_url))
    assert [r.rma for r in reopened.returns_for("70055")] == [record.rma]
    cancelled = reopened.find_order("31190")
    assert cancelled and cancelled.status is OrderStatus.CANCELLED
    order = reopened.find_order("70055")
    assert order is not None
    again = return_eligibility(order, reopened.policy(), date.today(),
                               reopened.returns_for("70055"))
    assert again.verdict is ReturnVerdict.ALREADY_RETURNED


@pytest.mark.parametrize(("number", "skus"), [
    ("55102", ("LAMP-DSK",)), ("12345", ("SCARF-SLK",)), ("48213", ("HP-200",)),
    ("99999", ("X",)),
])
def test_ineligible_returns_are_refused(orders: EmbeddedOrderService, number: str,
                                        skus: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        orders.create_return(number, skus, "changed_mind")
    assert orders.returns_for(number) == []


@pytest.mark.parametrize("number", ["48213", "70055", "99999"])
def test_only_unshipped_orders_can_be_cancelled(orders: EmbeddedOrderService, number: str) -> None:
    with pytest.raises(ValueError):
        orders.cancel_order(number)


def test_returns_carry_what_became_of_them(orders: EmbeddedOrderService) -> None:
    today = date.today()
    [refunded] = orders.returns_for("66021")
    assert refunded.received_on == today - timedelta(days=8)
    assert refunded.refunded_on == today - timedelta(days=6) and refunded.refund_cents == 7900
    [travelling] = orders.returns_for("80417")
    assert travelling.received_on is None and travelling.refunded_on is None


def test_refund_due_counts_business_days() -> None:
    friday = date(2026, 12, 4)
    record = ReturnRecord("1", "1", "x", (), datetime(2026, 12, 1), received_on=friday)
    assert refund_due(record, 1) == date(2026, 12, 7)  # the Monday after
    assert refund_due(record, 5) == date(2026, 12, 11)


def test_exchanges_follow_the_return_rules_and_block_a_second_return(
        orders: EmbeddedOrderService) -> None:
    with pytest.raises(ValueError, match="cannot be returned"):
        orders.create_exchange("55102", ("LAMP-DSK",), "black")  # outside the window
    exchange = orders.create_exchange("70055", ("SH-LIN-M",), "size large")
    assert orders.exchanges_for("70055") == [exchange]
    with pytest.raises(ValueError, match="cannot be returned"):
        orders.create_return("70055", ("SH-LIN-M",), "changed_mind")
    orders.create_return("70055", ("SN-CNV-42",), "changed_mind")


def test_only_an_unshipped_order_changes_address(orders: EmbeddedOrderService) -> None:
    orders.change_address("31190", Address("22 Baker Street", "10011"))
    order = orders.find_order("31190")
    assert order and order.delivery_address == Address("22 Baker Street", "10011")
    with pytest.raises(ValueError, match="cannot be changed"):
        orders.change_address("48213", Address("1 Elm Road", "94110"))


def test_the_catalogue(orders: EmbeddedOrderService) -> None:
    products = {p.name: p for p in orders.products()}
    assert products["Desk Lamp"].in_stock > 0
    assert products["Blue Rain Jacket"].in_stock == 0
    assert products["Blue Rain Jacket"].restock_on == date.today() + timedelta(days=9)
    assert products["Grey Wool Jumper"].restock_on is None
    assert products["Desk Lamp"].options == ()


def test_sizes_and_colours_come_in_the_shop_s_order_with_their_own_stock(
        orders: EmbeddedOrderService) -> None:
    shoes = {p.name: p for p in orders.products()}["Running Shoes"]
    assert [o.label for o in shoes.options] == ["size 8", "size 9", "size 10", "size 11"]
    assert sum(o.in_stock for o in shoes.options) == shoes.in_stock
    ten = shoes.options[2]
    assert ten.in_stock == 0 and ten.restock_on == date.today() + timedelta(days=6)


def test_a_failed_bulk_write_changes_nothing(orders: EmbeddedOrderService) -> None:
    record = orders.create_return("70055", ("SH-LIN-M",), "damaged")
    with pytest.raises(OrderServiceError, match="nothing was changed"):
        orders.write_all([("DELETE FROM returns", [()]),
                          ("DELETE FROM cancellations", [()]),
                          ("INSERT INTO customers VALUES (?, ?, ?, ?)",
                           [(99, "X", "+15550100001", "1")])])  # duplicate phone: fails
    assert [r.rma for r in orders.returns_for("70055")] == [record.rma]
    assert orders.customer_by_phone("+15550100001") is not None


def test_a_database_that_cannot_be_opened_gives_one_clear_message(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseError, match=r"cannot open the database .*IVR_DATABASE_URL"):
        SqliteDatabase(blocker / "ivr.db")


def test_a_file_that_is_not_a_database_gives_one_clear_message(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match="IVR_DATABASE_URL"):
        EmbeddedOrderService(SqliteDatabase(junk))


def test_servers_starting_together_write_the_demo_shop_once(database_url: str) -> None:
    def start() -> None:
        service = EmbeddedOrderService(open_database(database_url))
        ensure_demo(service)
        service.close()

    assert failures_running_together(start) == []
    assert raw_rows(database_url, "SELECT COUNT(*) FROM customers") == [(len(CUSTOMERS),)]
