"""Reading Twilio's form fields defensively: missing, oversized or absurd values become None or
a clipped string instead of an exception, because a webhook must never answer 5xx."""

from __future__ import annotations

import re

from flask import request

MAX_FIELD_CHARS = 2000
"""Longer values (a 100 KB SpeechResult) are clipped: no caller says that much in one turn."""
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def text(name: str, limit: int = MAX_FIELD_CHARS) -> str:
    return request.form.get(name, "").strip()[:limit]


def number(name: str, low: int = 0, high: int = 10**7) -> int | None:
    """A whole number within [low, high], or None when missing or absurd (QueuePosition=-1)."""
    raw = request.form.get(name, "").strip()
    try:
        value = int(float(raw))
    except (ValueError, OverflowError):
        return None
    return value if low <= value <= high else None


def fraction(name: str) -> float | None:
    raw = request.form.get(name, "").strip()
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


def caller() -> str:
    """The caller's number in E.164, or "" when withheld (`anonymous`, `unknown`, …)."""
    raw = text("From", 40)
    return raw if _E164.match(raw) else ""
