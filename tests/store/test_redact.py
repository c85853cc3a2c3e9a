"""What a transcript keeps once written down: cards and e-mails never, phones only the last 4."""

from __future__ import annotations

import pytest

from ivr.store.redact import luhn_valid, mask_phone, redact, redact_value


@pytest.mark.parametrize(("text", "expected"), [
    ("my card is 4111 1111 1111 1111 thanks", "my card is [card] thanks"),
    ("card 4111-1111-1111-1111", "card [card]"),
    ("amex 378282246310005", "amex [card]"),
    ("four one one one one one one one one one one one one one one one", "[card]"),
    ("mail me at ana.silva+shop@example.co.uk please", "mail me at [email] please"),
    ("call me on +1 555 010 0001", "call me on ***0001"),
    ("call me on (555) 010-0001 today", "call me on ***0001 today"),
    ("five five five oh one oh oh oh oh one", "***0001"),
    ("order 48213 please", "order 48213 please"),
    ("order four eight two one three", "order four eight two one three"),
    ("zip 94107 and rma R4F2K9", "zip 94107 and rma R4F2K9"),
    ("", ""),
])
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_digit_runs_that_fail_luhn_are_still_masked_as_numbers() -> None:
    redacted = redact("4111 1111 1111 1112")
    assert "[card]" not in redacted and "1111 1111" not in redacted
    assert redacted.endswith("1112")


def test_luhn() -> None:
    assert luhn_valid("4111111111111111") and luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112") and not luhn_valid("79927398710")


@pytest.mark.parametrize(("number", "masked"), [
    ("+15550100001", "***0001"), ("555-0100", "***0100"), ("12", "***"), ("", "")])
def test_mask_phone(number: str, masked: str) -> None:
    assert mask_phone(number) == masked


def test_redact_value_walks_nested_packets() -> None:
    packet = {"caller": "+15550100001", "count": 3, "verified": True,
              "transcript": [{"speaker": "caller", "text": "card 4111111111111111"}]}
    assert redact_value(packet) == {
        "caller": "***0001", "count": 3, "verified": True,
        "transcript": [{"speaker": "caller", "text": "card [card]"}]}
