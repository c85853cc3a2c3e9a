from __future__ import annotations

import pytest

from ivr.nlu.normalize import normalize
from ivr.nlu.numbers import (
    find_digit_runs,
    spell_digits,
    with_digit_homophones,
    with_runs_as_numbers,
)


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


@pytest.mark.parametrize(("text", "heard"), [
    ("for eight two one three", "four eight two one three"),
    ("one to three four five", "one two three four five"),
    ("nine zero ate one seven", "nine zero eight one seven"),
    ("free one one nine oh", "three one one nine oh"),
    ("to too won", "to too won"),  # no number word to anchor them: not a number
    ("I want to go for a walk", "i want to go for a walk"),
    ("send it to me for five days", "send it to me four five days"),  # too short for a slot
    ("four eight two one three for me", "four eight two one three for me"),
    ("order two two nine one for", "order two two nine one four"),  # nothing follows it
    ("I'd like ten too", "i would like ten too"),  # not read digit by digit
    ("I'm calling for", "i am calling for"),
    ("for to one", "four two one"),
    ("status for 44201", "status for 44201"),  # a whole number in figures: not read out
    ("for 4, 2, 0, 1", "four 4 2 0 1"),
])
def test_homophones_of_digits_count_only_next_to_numbers(text: str, heard: str) -> None:
    assert with_digit_homophones(normalize(text)) == heard.split()


@pytest.mark.parametrize(("words", "joined"), [
    ("size forty two please", ["size", "42", "please"]),
    ("flat three twelve oak street", ["flat", "312", "oak", "street"]),  # commas part runs
    ("oak street", ["oak", "street"]),
])
def test_each_run_of_number_words_becomes_one_number(words: str, joined: list[str]) -> None:
    assert with_runs_as_numbers(words.split()) == joined
