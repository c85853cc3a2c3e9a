"""Demo shop data, with dates relative to the day it is written so the demo stays true.

`ivr demo reset` rewrites it (and drops returns, exchanges, cancellations and address changes
made during a demo). The scenarios cover every dialog path: in transit, returnable (or
exchangeable), processing (cancellable, its address changeable), outside the return window, a
mix of final-sale and normal items, a return refunded and a return still on its way back; and a
small catalogue with items in stock, out of stock with a restock date, and out with none, some
stocked per size or colour (one size out until a date, one colour out with none).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from ivr.commerce.embedded import EmbeddedOrderService

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
    ("66021", 1, 30, "delivered", "UPS", "1Z999AA10555666777", 27, None, 24),
    ("80417", 2, 20, "delivered", "USPS", "9400111899228877665544", 18, None, 15),
]

ADDRESSES = {1: "1200 Market Street", 2: "350 Fifth Avenue"}
"""Each customer's street; orders go there, at the customer's zip code."""

# (rma, order, reason, skus, days ago created, days ago received, days ago refunded, cents)
RETURNS = [
    ("52718493", "66021", "doesnt_fit", ("RJ-BLU-M",), 12, 8, 6, 7900),
    ("61830275", "80417", "changed_mind", ("WJ-GRY-M",), 5, None, None, 0),
]

# (sku, name, in stock, days until restocked, price in cents)
PRODUCTS = [
    ("RJ-BLU", "Blue Rain Jacket", 0, 9, 7900),
    ("RS-RUN", "Running Shoes", 12, None, 8900),
    ("WJ-GRY", "Grey Wool Jumper", 0, None, 6500),
    ("MUG-SET", "Ceramic Mug Set", 30, None, 3200),
    ("HP-200", "Wireless Headphones", 3, None, 8900),
    ("LAMP-DSK", "Desk Lamp", 7, None, 5400),
    ("BP-CNV", "Canvas Backpack", 0, 3, 5900),
    ("JN-DNM", "Denim Jeans", 15, None, 6900),
]

# (product sku, size or colour, in stock, days until restocked), in the order they are read out
PRODUCT_OPTIONS = [
    ("RS-RUN", "size 8", 4, None), ("RS-RUN", "size 9", 5, None),
    ("RS-RUN", "size 10", 0, 6), ("RS-RUN", "size 11", 3, None),
    ("WJ-GRY", "small", 0, None), ("WJ-GRY", "medium", 0, None), ("WJ-GRY", "large", 0, None),
    ("JN-DNM", "blue", 15, None), ("JN-DNM", "black", 0, None),
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
    ("66021", "RJ-BLU-M", "Blue Rain Jacket", 1, 7900, 0),
    ("80417", "WJ-GRY-M", "Grey Wool Jumper", 1, 6500, 0),
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
    ("66021", 24, 12, 10, "San Francisco, California", "delivered to the front door"),
    ("80417", 15, 15, 30, "New York, New York", "delivered to the mailroom"),
]

POLICY = (1, 30, 1, 5, 3, 5, 599, 5000, 1, 1500, "the United States and Canada")


def reset_demo(service: EmbeddedOrderService, today: date | None = None) -> None:
    """Replace every table's contents with the demo shop as of `today`."""
    service.write_all(_demo_writes(today or date.today()))


def ensure_demo(service: EmbeddedOrderService) -> None:
    """Write the demo shop into a new, empty database; leave an existing one alone (servers
    starting together on a new database write it once)."""
    service.write_all(_demo_writes(date.today()), only_if_empty=True)


def _demo_writes(today: date) -> list[tuple[str, list[tuple[object, ...]]]]:

    def ago(days: int | None) -> str | None:
        return None if days is None else (today - timedelta(days=days)).isoformat()

    tables = ("refunds", "exchanges", "delivery_addresses", "product_options", "products",
              "cancellations", "returns", "scan_events", "shipments", "items", "orders",
              "customers", "shop_policy")
    postcodes = {number: postcode for number, _, _, postcode in CUSTOMERS}
    once: list[tuple[object, ...]] = [()]
    return [
        *((f"DELETE FROM {table}", once) for table in tables),
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
        ("INSERT INTO delivery_addresses VALUES (?, ?, ?, NULL)",
         [(o[0], ADDRESSES[o[1]], postcodes[o[1]]) for o in ORDERS]),
        ("INSERT INTO returns VALUES (?, ?, ?, ?, ?)",
         [(r[0], r[1], r[2], json.dumps(list(r[3])),
           datetime.combine(today - timedelta(days=r[4]), time(10)).isoformat())
          for r in RETURNS]),
        ("INSERT INTO refunds VALUES (?, ?, ?, ?)",
         [(r[0], ago(r[5]), ago(r[6]), r[7]) for r in RETURNS if r[5] is not None]),
        ("INSERT INTO products VALUES (?, ?, ?, ?, ?)",
         [(p[0], p[1], p[2], ago(-p[3]) if p[3] is not None else None, p[4])
          for p in PRODUCTS]),
        ("INSERT INTO product_options VALUES (?, ?, ?, ?, ?)",
         [(o[0], position, o[1], o[2], ago(-o[3]) if o[3] is not None else None)
          for position, o in enumerate(PRODUCT_OPTIONS)]),
    ]
