"""Demo shop data, with dates relative to the day it is written so the demo stays true.

`ivr demo reset` rewrites it (and drops returns and cancellations made during a demo). The
scenarios cover every dialog path: in transit, returnable, processing (cancellable), outside the
return window, and a mix of final-sale and normal items.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ivr.commerce.sqlite import SqliteOrderService

CUSTOMERS = [
    (1, "Ana Lopez", "+15550100001", "94107"),
    (2, "Ben Okafor", "+15550100002", "10001"),
]

# (number, customer, days ago placed, status, carrier, tracking, days ago shipped,
#  days until estimated delivery (from today), days ago delivered)
ORDERS = [
    ("48213", 1, 4, "shipped", "UPS", "1Z999AA10123456784", 2, 2, None),
    ("70055", 1, 12, "delivered", "FedEx", "794612345678", 8, None, 5),
    ("31190", 2, 1, "processing", None, None, None, None, None),
    ("55102", 2, 70, "delivered", "USPS", "9400111899223344556677", 64, None, 60),
    ("12345", 2, 8, "delivered", "UPS", "1Z999AA10987654321", 6, None, 3),
]

ITEMS = [
    ("48213", "HP-200", "Wireless Headphones", 1, 8900, 0),
    ("70055", "SH-LIN-M", "Linen Shirt", 1, 4500, 0),
    ("70055", "SN-CNV-42", "Canvas Sneakers", 1, 6000, 0),
    ("31190", "MUG-SET", "Ceramic Mug Set", 1, 3200, 0),
    ("31190", "TEA-SMP", "Tea Sampler", 2, 1100, 0),
    ("55102", "LAMP-DSK", "Desk Lamp", 1, 5400, 0),
    ("12345", "SCARF-SLK", "Silk Scarf", 1, 3900, 1),
    ("12345", "WAL-LTH", "Leather Wallet", 1, 4900, 0),
]

# (order, days ago, hour, minute, location, description): carrier scans, oldest first.
SCANS = [
    ("48213", 2, 9, 15, "Oakland, California", "picked up"),
    ("48213", 2, 18, 30, "Oakland, California", "departed the facility"),
    ("48213", 1, 21, 40, "Reno, Nevada", "arrived at the facility"),
    ("70055", 8, 10, 0, "Memphis, Tennessee", "picked up"),
    ("70055", 5, 14, 5, "San Francisco, California", "delivered to the front door"),
    ("55102", 64, 11, 0, "Newark, New Jersey", "picked up"),
    ("55102", 60, 16, 20, "New York, New York", "delivered to the mailroom"),
    ("12345", 6, 9, 0, "Louisville, Kentucky", "picked up"),
    ("12345", 3, 13, 45, "New York, New York", "delivered to the front door"),
]

POLICY = (1, 30, 1, 5, 3, 5, 599, 5000, 1, 1500, "the United States and Canada")


def reset_demo(service: SqliteOrderService, today: date | None = None) -> None:
    """Replace every table's contents with the demo shop as of `today`."""
    today = today or date.today()

    def ago(days: int | None) -> str | None:
        return None if days is None else (today - timedelta(days=days)).isoformat()

    tables = ("cancellations", "returns", "scan_events", "shipments", "items", "orders",
              "customers", "shop_policy")
    service.write_all([
        *((f"DELETE FROM {table}", [()]) for table in tables),
        ("INSERT INTO customers VALUES (?, ?, ?, ?)", list(CUSTOMERS)),
        ("INSERT INTO orders VALUES (?, ?, ?, ?)",
         [(o[0], o[1], ago(o[2]), o[3]) for o in ORDERS]),
        ("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?)", list(ITEMS)),
        ("INSERT INTO shipments VALUES (?, ?, ?, ?, ?, ?)",
         [(o[0], o[4], o[5], ago(o[6]), ago(-o[7]) if o[7] is not None else None, ago(o[8]))
          for o in ORDERS if o[4]]),
        ("INSERT INTO scan_events VALUES (?, ?, ?, ?)",
         [(order, datetime.combine(today - timedelta(days=days), time(hour, minute)).isoformat(),
           location, description)
          for order, days, hour, minute, location, description in SCANS]),
        ("INSERT INTO shop_policy VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [POLICY]),
    ])


def ensure_demo(service: SqliteOrderService) -> None:
    """Write the demo shop into a new, empty database; leave an existing one alone."""
    if service.is_empty():
        reset_demo(service)
