"""Which product of the catalogue a caller means, and which of its sizes or colours, from their
own words.

Callers name products loosely ("the rain jackets", "that blue jacket", "backpacks"), and a
recogniser may spell them a little wrong; the catalogue is the shop's and changes without a
grammar edit. So each product is scored by the share of its name's words the caller said,
rapidfuzz forgiving plurals and slips, and only a clear winner is taken.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from ivr.commerce.models import Product, ProductOption
from ivr.nlu.normalize import normalize
from ivr.nlu.numbers import with_runs_as_numbers

SAME_WORD = 85.0
"""rapidfuzz ratio from which a said word counts as a word of the name ("jackets", "jacket")."""
ENOUGH = 0.5
"""Share of a name's words that must be said (half of "Canvas Backpack" is "backpack")."""


def product_named(products: Sequence[Product], said: str) -> Product | None:
    """The one product the words name best, or None when none is named or two tie."""
    words = normalize(said)
    scored = sorted(((_share_said(product.name, words), product) for product in products),
                    key=lambda pair: pair[0], reverse=True)
    if not scored or scored[0][0] < ENOUGH:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]


def option_named(product: Product, said: str) -> ProductOption | None:
    """The size or colour of the product the caller named ("in a size ten", "the black ones"):
    every word of it said, numbers in words or digits alike; of several, the longest."""
    words = set(with_runs_as_numbers(normalize(said)))
    named = [option for option in product.options
             if set(with_runs_as_numbers(normalize(option.label))) <= words]
    return max(named, key=lambda option: len(option.label), default=None)


def _share_said(name: str, words: list[str]) -> float:
    name_words = normalize(name)
    if not name_words:
        return 0.0
    said = sum(any(fuzz.ratio(word, heard) >= SAME_WORD for heard in words)
               for word in name_words)
    return said / len(name_words)
