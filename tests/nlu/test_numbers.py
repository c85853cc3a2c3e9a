from __future__ import annotations

import pytest

from ivr.nlu.normalize import normalize
from ivr.nlu.numbers import find_digit_runs, spell_digits


@pytest.mark.parametrize(("text", "digits"), [
    ("four eight two one three", ["48213"]),
    ("seven oh oh five five", ["70055"]),
    ("double five", ["55"]),
    ("five five one double oh", ["55100"]),
    ("triple seven two", ["7772"]),
    ("it's one two three four five", ["12345"]),
    ("return order five five one zero two", ["55102"]),
    ("forty eight two thirteen", ["48213"]),
    ("twelve thousand three hundred forty five", ["12345"]),
    ("four hundred and twelve", ["412"]),
    ("order 48213 please", ["48213"]),
    ("48-213", ["48213"]),
    ("4 8 2 1 3", ["48213"]),
    ("oh I want my order", []),
    ("double check my order", []),
    ("I ordered one item and two shirts", ["1", "2"]),
])
def test_digit_runs(text: str, digits: list[str]) -> None:
    assert [run.digits for run in find_digit_runs(normalize(text))] == digits


def test_spell_digits_round_trips() -> None:
    spoken = spell_digits("70055")
    assert spoken == "seven zero zero five five"
    assert find_digit_runs(spoken.split())[0].digits == "70055"
