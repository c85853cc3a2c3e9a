"""A new street address as a caller says it, checked and written the way an order system keeps
it: a house number and a street name ("um, it's twelve Oak Street" → "12 Oak Street").

When the bot asks for the new delivery address, whatever the caller says that is not another
request is their answer. An answer with no house number ("Oak Street", "hang on a second") or
nothing but numbers ("one two three four") cannot be a street a parcel goes to: it is not
taken, so the caller is helped and asked again (and offered a person after that) rather than
the order being sent to "hang on a second".
"""

from __future__ import annotations

import re

from ivr.nlu.normalize import normalize
from ivr.nlu.numbers import with_runs_as_numbers

MAX_STREET_CHARS = 80
"""Longer than any street line an order system keeps: a caller reading out more is not giving
an address."""
UNIT_WORDS = frozenset({"flat", "apartment", "apt", "unit", "suite"})
"""Words that belong before the number they name ("flat 3, 12 Oak Street")."""
CLAUSE = re.compile(r"[,;]")
"""Where a caller's numbers part: "flat three, twelve Oak Street" is flat 3 at number 12."""


def street_address(said: str) -> str | None:
    """The street line the caller said, from its first number on, numbers in digits and words
    capitalised; None when it holds no house number or no street name."""
    clauses = [(number, word) for number, clause in enumerate(CLAUSE.split(said))
               for word in with_runs_as_numbers(normalize(clause))]
    words = [word for _, word in clauses]
    house = next((index for index, word in enumerate(words)
                  if any(char.isdigit() for char in word)), None)
    if house is None or not any(word.isalpha() and len(word) > 1 for word in words[house:]):
        return None
    start = house - 1 if house and words[house - 1] in UNIT_WORDS else house
    street = ""
    for index in range(start, len(words)):
        if index > start:
            street += ", " if clauses[index][0] != clauses[index - 1][0] else " "
        street += words[index].capitalize()
    return street if len(street) <= MAX_STREET_CHARS else None
