"""Which items of an order a caller's words choose, for a return or an exchange."""

from __future__ import annotations

import pytest

from ivr.commerce.models import Item
from ivr.dialog.items import item_at_key, items_named

ORDER = (Item("SH-LIN-M", "Linen Shirt", 1, 4500), Item("SN-CNV-42", "Canvas Sneakers", 1, 6000),
         Item("MUG-SET", "Ceramic Mug Set", 1, 3200), Item("HAT-SUN", "Sun Hat", 1, 2500))
EVERY = ["SH-LIN-M", "SN-CNV-42", "MUG-SET", "HAT-SUN"]


def skus(chosen: tuple[Item, ...]) -> list[str]:
    return [item.sku for item in chosen]


@pytest.mark.parametrize(("said", "expected"), [
    ("I'd like to return the linen shirt", ["SH-LIN-M"]),
    ("the sneaker", ["SN-CNV-42"]),  # one word of the name, singular for plural
    ("the mugs", ["MUG-SET"]),
    ("the shirt and the sneakers", ["SH-LIN-M", "SN-CNV-42"]),
    ("all of them", EVERY),
    ("both", EVERY),
    ("the second one", ["SN-CNV-42"]),
    ("the last one", ["HAT-SUN"]),
    ("the hat", ["HAT-SUN"]),
    ("I want to set up a return", []),  # "set" says what kind of thing, not which
    ("that one", []),  # no "hat" in "that"
    ("the blue one", []),
    ("the fifth one", []),  # no fifth item
    ("", []),
])
def test_the_words_choose_the_items_they_name(said: str, expected: list[str]) -> None:
    assert skus(items_named(ORDER, said)) == expected


@pytest.mark.parametrize(("said", "expected"), [
    ("I want to return the shirt, that's all", ["SH-LIN-M"]),  # a name before "all"
    ("I'd like to return something from my last order", []),  # "last" is no item's place
    ("I'm sending back my whole order", EVERY),
])
def test_a_request_chooses_by_name_or_all_but_not_by_place(said: str,
                                                           expected: list[str]) -> None:
    assert skus(items_named(ORDER, said, by_place=False)) == expected


@pytest.mark.parametrize(("key", "expected"), [
    ("1", ["SH-LIN-M"]), ("3", ["MUG-SET"]), ("9", EVERY), ("5", []), ("0", []),
])
def test_a_key_chooses_an_item_by_its_place_or_all_of_them(key: str,
                                                           expected: list[str]) -> None:
    assert skus(item_at_key(ORDER, key)) == expected
