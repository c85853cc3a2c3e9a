"""PII redaction: what a transcript may keep once it is written down or logged.

Card numbers (any 13-19 digit run that passes the Luhn check, spaces and dashes allowed) and
e-mail addresses are replaced; phone numbers keep only their last four digits, which is what
an agent needs to recognise a caller again. Recognisers write numbers as words ("four one one
one …"), so spoken digit runs are checked the same way as written ones. Order numbers (5 digits
in the demo shop) and RMA codes are short enough to pass through untouched: agents need them.
"""

from __future__ import annotations

import re
from typing import Any

from ivr.nlu.numbers import find_digit_runs

CARD = "[card]"
EMAIL = "[email]"

_CARD_CANDIDATE = re.compile(r"(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w])\+?\d(?:[ ().-]{0,2}\d){6,14}(?![\w])")


def luhn_valid(digits: str) -> bool:
    """The check every payment card number passes (and most random digit strings fail)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def mask_phone(number: str) -> str:
    """`+15550100001` → `***0001`: enough to recognise, not enough to dial."""
    digits = re.sub(r"\D", "", number)
    if len(digits) <= 4:
        return "***" if digits else number
    return "***" + digits[-4:]


_SHORTEST_CARD = 13
_LONGEST_KEPT_RUN = 6
"""Digit runs this short (order numbers, postcodes, RMA digits) are not personal data."""


def redact(text: str) -> str:
    """The text with cards and e-mails replaced and phone numbers masked."""
    text = _redact_spoken_numbers(text)
    text = _CARD_CANDIDATE.sub(_card_or_keep, text)
    text = _EMAIL.sub(EMAIL, text)
    return _PHONE.sub(lambda match: mask_phone(match.group()), text)


_E164 = re.compile(r"(?<![\w+])\+\d{7,15}(?!\d)")


def redact_log_line(text: str) -> str:
    """Card numbers and E.164 phone numbers (Twilio's caller IDs) out of a log line. Narrower
    than `redact`: dates, addresses and durations in log lines are not phone numbers."""
    text = _CARD_CANDIDATE.sub(_card_or_keep, text)
    return _E164.sub(lambda match: mask_phone(match.group()), text)


def redact_value(value: Any) -> Any:
    """Redact every string inside a JSON-like structure (context packets)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


def _card_or_keep(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return CARD if luhn_valid(digits) else match.group()


def _redact_spoken_numbers(text: str) -> str:
    tokens = text.split()
    words = [re.sub(r"[^a-z0-9]", "", token.lower()) for token in tokens]
    for run in reversed(find_digit_runs(words)):
        if len(run.digits) > _LONGEST_KEPT_RUN:
            is_card = len(run.digits) >= _SHORTEST_CARD and luhn_valid(run.digits)
            tokens[run.start:run.end] = [CARD if is_card else mask_phone(run.digits)]
    return " ".join(tokens) if tokens != text.split() else text
