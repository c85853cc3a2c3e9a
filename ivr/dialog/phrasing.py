"""How values are said aloud: digits one by one, dates relative to today, money in words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime


def digits(value: str) -> str:
    """ "48213" -> "4 8 2 1 3": synthesisers read spaced digits one at a time."""
    return " ".join(char for char in value if char.isalnum())


def day(value: date, today: date) -> str:
    """ "today", "tomorrow", "yesterday", "on Thursday, November 26"."""
    delta = (value - today).days
    named = {0: "today", 1: "tomorrow", -1: "yesterday"}
    if delta in named:
        return named[delta]
    return f"on {value.strftime('%A, %B')} {value.day}"


def moment(value: datetime, today: date) -> str:
    """ "yesterday at 9:40 PM"."""
    clock = value.strftime("%I:%M %p").lstrip("0")
    when = day(value.date(), today)
    return f"{when} at {clock}"


def money(cents: int) -> str:
    """ 5400 -> "54 dollars"; 5450 -> "54 dollars 50"."""
    dollars, rest = divmod(cents, 100)
    unit = "dollar" if dollars == 1 else "dollars"
    return f"{dollars} {unit}" + (f" {rest:02d}" if rest else "")


def listing(names: Sequence[str], last_joiner: str = "and") -> str:
    """ ["a", "b", "c"] -> "a, b and c" (or "a, b or c")."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {last_joiner} " + names[-1]


def counted(quantity: int, name: str) -> str:
    """ (2, "Tea Sampler") -> "2 Tea Samplers"; (1, "Linen Shirt") -> "1 Linen Shirt"."""
    if quantity == 1 or is_plural(name):
        return f"{quantity} {name}"
    if name[-1:] == "y" and name[-2:-1] not in "aeiou":
        return f"{quantity} {name[:-1]}ies"
    if name.endswith(("s", "x", "z", "ch", "sh")):
        return f"{quantity} {name}es"
    return f"{quantity} {name}s"


def is_are(name: str) -> str:
    """The verb a product name takes: "the running shoes are", "the desk lamp is"."""
    return "are" if is_plural(name) else "is"


def is_plural(name: str) -> bool:
    """Whether a product name's last word reads as a plural ("Sneakers", "Jeans"; not
    "Dress", "Canvas")."""
    words = name.lower().split()
    last = words[-1] if words else ""
    return last.endswith("s") and not last.endswith(("ss", "us", "is", "as"))
