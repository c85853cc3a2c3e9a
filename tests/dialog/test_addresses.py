"""A new street address read from what a caller says."""

from __future__ import annotations

import pytest

from ivr.dialog.addresses import MAX_STREET_CHARS, street_address


@pytest.mark.parametrize(("said", "street"), [
    ("22 Baker Street", "22 Baker Street"),
    ("um it's twelve Oak Street", "12 Oak Street"),
    ("forty two Wallaby Way", "42 Wallaby Way"),
    ("the new address is 4 Elm Road, apartment 2", "4 Elm Road, Apartment 2"),
    ("flat three, twelve oak street", "Flat 3, 12 Oak Street"),  # two numbers, not 312
    ("221B Baker Street", "221b Baker Street"),
])
def test_a_street_is_written_from_its_house_number_on(said: str, street: str) -> None:
    assert street_address(said) == street


@pytest.mark.parametrize("said", [
    "Oak Street",  # no house number
    "one two three four",  # no street name
    "hang on a second", "I don't know", "", "\x00\x1b",
    "12 " + "very " * 30 + "long road",
])
def test_what_is_not_a_street_is_none(said: str) -> None:
    assert street_address(said) is None


def test_the_longest_street_kept_is_an_order_system_s_line() -> None:
    street = street_address("1 " + "a" * (MAX_STREET_CHARS - 2))
    assert street is not None and len(street) == MAX_STREET_CHARS
