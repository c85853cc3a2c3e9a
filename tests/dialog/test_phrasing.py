"""How product names are counted and agreed with in the bot's sentences."""

from __future__ import annotations

import pytest

from ivr.dialog.phrasing import counted, is_are, listing


@pytest.mark.parametrize(("quantity", "name", "said"), [
    (1, "Ceramic Mug Set", "1 Ceramic Mug Set"),
    (2, "Tea Sampler", "2 Tea Samplers"),
    (2, "Canvas Sneakers", "2 Canvas Sneakers"),  # already plural
    (3, "Silk Dress", "3 Silk Dresses"),
    (2, "Phone Battery", "2 Phone Batteries"),
    (2, "Gift Box", "2 Gift Boxes"),
])
def test_a_quantity_counts_the_name(quantity: int, name: str, said: str) -> None:
    assert counted(quantity, name) == said


@pytest.mark.parametrize(("name", "verb"), [
    ("Running Shoes", "are"), ("Jeans", "are"), ("Desk Lamp", "is"), ("Silk Dress", "is"),
    ("Canvas", "is"), ("Cactus", "is"),
])
def test_a_product_name_takes_its_verb(name: str, verb: str) -> None:
    assert is_are(name) == verb


def test_a_list_ends_with_its_joiner() -> None:
    assert listing(["a", "b", "c"]) == "a, b and c"
    assert listing(["the shirt", "the sneakers"], "or") == "the shirt or the sneakers"
    assert listing(["a"]) == "a"
