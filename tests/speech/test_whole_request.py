"""When a caller pauses, have they finished? Only if the words so far are a request the bot
understands, and do not end in a number still being read out."""

from __future__ import annotations

import pytest

from ivr.nlu.matcher import Matcher
from ivr.speech.whole_request import is_whole_request


@pytest.mark.parametrize(("words", "context"), [
    ("where is my parcel", "main"),
    ("i would like to return an item", "main"),
    ("i want to cancel my order", "main"),
    ("yes", "confirm"),
])
def test_whole_requests(matcher: Matcher, words: str, context: str) -> None:
    assert is_whole_request(words, matcher, [context])


@pytest.mark.parametrize(("words", "context"), [
    ("", "main"),
    ("i would like to", "main"),
    ("can i speak", "main"),
    ("four eight two", "order_number"),  # an order number, but maybe not all of it
    ("my order is seven oh oh", "main"),
])
def test_half_said_requests(matcher: Matcher, words: str, context: str) -> None:
    assert not is_whole_request(words, matcher, [context])
