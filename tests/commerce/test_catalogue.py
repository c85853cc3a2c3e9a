"""Which product a caller names, from loose words."""

from __future__ import annotations

import pytest

from ivr.commerce.catalogue import product_named
from ivr.commerce.models import Product

CATALOGUE = [
    Product("RJ", "Blue Rain Jacket", 0, None, 7900),
    Product("RS", "Running Shoes", 3, None, 8900),
    Product("BP", "Canvas Backpack", 0, None, 5900),
    Product("TS", "Trail Shoes", 1, None, 9900),
]


@pytest.mark.parametrize(("said", "sku"), [
    ("is the blue rain jacket in stock", "RJ"),
    ("have you got any rain jackets", "RJ"),
    ("do you have backpacks", "BP"),
    ("are the runing shoes available", "RS"),  # a recogniser's slip
])
def test_a_product_is_found_from_loose_words(said: str, sku: str) -> None:
    found = product_named(CATALOGUE, said)
    assert found is not None and found.sku == sku


@pytest.mark.parametrize("said", ["do you have shoes", "do you sell bananas", "", "🙂"])
def test_no_product_or_two_alike_is_none(said: str) -> None:
    assert product_named(CATALOGUE, said) is None
