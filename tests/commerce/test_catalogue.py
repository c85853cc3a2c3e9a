"""Which product a caller names, and which of its sizes or colours, from loose words."""

from __future__ import annotations

import pytest

from ivr.commerce.catalogue import option_named, product_named
from ivr.commerce.models import Product, ProductOption

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


SIZED = Product("RS", "Running Shoes", 3, None, 8900, (
    ProductOption("size 9", 2, None), ProductOption("size 10", 0, None),
    ProductOption("size 42", 1, None), ProductOption("black", 0, None),
    ProductOption("extra large", 0, None), ProductOption("large", 1, None)))


@pytest.mark.parametrize(("said", "label"), [
    ("do you have the running shoes in a size ten", "size 10"),
    ("are they available in size 10?", "size 10"),
    ("size nine please", "size 9"),
    ("have you got them in a size forty two", "size 42"),
    ("the black ones", "black"),
    ("in extra large", "extra large"),  # the longest option said, not "large" inside it
    ("in large", "large"),
])
def test_the_size_or_colour_named_is_found(said: str, label: str) -> None:
    found = option_named(SIZED, said)
    assert found is not None and found.label == label


@pytest.mark.parametrize("said", ["do you have the running shoes", "in a size eleven",
                                  "ten of them", "in blue", ""])
def test_no_option_of_the_product_named_is_none(said: str) -> None:
    assert option_named(SIZED, said) is None
