"""Which items of an order a return, an exchange or a missing-item ticket is about, from the
caller's own words.

A caller returning one shirt of an order of three things says so ("I'd like to return the linen
shirt"); only that shirt goes back. When the request names none and the order has several
items, the bot lists them and asks ("the shirt", "the second one", "both", or a key). The
choice is kept as SKUs in the dialog's slots, so the read-back and the record name the same
items.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from ivr.commerce.catalogue import SAME_WORD
from ivr.commerce.models import Item
from ivr.dialog import phrasing
from ivr.dialog.reply import Reply
from ivr.dialog.state import Phase
from ivr.nlu.normalize import normalize

EVERY_ITEM = frozenset({"all", "both", "everything", "lot", "whole"})
"""Words that choose every item ("all of them", "both", "the whole lot")."""
ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5,
            "seventh": 6, "eighth": 7, "last": -1}
"""Words that choose an item by its place in the list the bot read out."""
NOT_NAMING = frozenset({"set", "pack", "pair", "kit", "piece", "one", "of", "and", "the",
                        "with", "for", "in", "a"})
"""Words of product names that say which kind of thing, not which item ("Ceramic Mug Set"):
a caller who says "set up a return" has not named the mug set."""
FUZZY_LENGTH = 5
"""From this length a word said slightly differently is the same word ("sneaker",
"sneakers"); shorter ones must be said as written or as a plural ("mugs"; "that" is no "hat")."""
THINGS = "item"
"""The grammar's word class of the things callers buy ("shoes", "kettle"): naming one that is no
item of the order is naming something else."""
NOT_ONE_THING = frozenset({"thing", "things", "pair", "pairs", "product", "products", "gift",
                           "gifts", "present", "presents", "item", "items"})
"""Words of that class that name no thing in particular ("a pair of", "the thing I got")."""
EVERY_ITEM_KEY = "9"
"""The key that chooses every item; keys 1–8 choose one by its place in the list."""
CHOSEN_SLOT = "items"
"""The slot holding the chosen items' SKUs, comma-separated."""
OFFERED_SLOT = "items_offered"
"""The slot holding the list of items the bot read out, for its reprompts."""


def items_named(items: Sequence[Item], said: str, *, by_place: bool = True) -> tuple[Item, ...]:
    """The items the words choose: the ones whose names are said, else all of them ("both"),
    else the one in the place said ("the second one": only `by_place`, in an answer to the
    list; in a request, "my last order" is no item); () when the words choose none."""
    words = normalize(said)
    named = tuple(item for item in items if name_said(item.name, words))
    if named:
        return named
    if EVERY_ITEM & set(words):
        return tuple(items)
    places = [ORDINALS[word] for word in words if word in ORDINALS] if by_place else []
    if places and -len(items) <= places[0] < len(items):
        return (items[places[0]],)
    return ()


def item_at_key(items: Sequence[Item], key: str) -> tuple[Item, ...]:
    """The items a key chooses: every one for EVERY_ITEM_KEY, else the one at its place."""
    if key == EVERY_ITEM_KEY:
        return tuple(items)
    place = int(key) - 1 if key.isdigit() else -1
    return (items[place],) if 0 <= place < len(items) else ()


def choose_from_request(reply: Reply, candidates: Sequence[Item], things: frozenset[str],
                        question: str, **variables: str) -> bool:
    """Keep the items the caller's request named (or the only one there is, unless the request
    names some other thing: "swap the running shoes" is not about an order of one wallet) and
    say True; or ask which with the `question` prompt (given its `items`), and say False."""
    said = f"{reply.caller_words(reply.state.intent)} {reply.caller_words()}"  # "no, the shirt"
    chosen = items_named(candidates, said, by_place=False)
    if not chosen and len(candidates) == 1 and not _names_another_thing(candidates[0], said,
                                                                         things):
        chosen = tuple(candidates)
    if chosen:
        keep(reply, chosen)
        return True
    offered = phrasing.listing([f"the {item.name}" for item in candidates], "or")
    reply.remember(**{OFFERED_SLOT: offered})
    reply.ask(question, Phase.WHICH_ITEMS, **variables, items=offered)
    return False


def keep(reply: Reply, chosen: Sequence[Item]) -> None:
    reply.remember(**{CHOSEN_SLOT: ",".join(item.sku for item in chosen)})


def kept(reply: Reply, candidates: Sequence[Item]) -> tuple[Item, ...]:
    """The chosen items among the candidates (those that can still go back, for a return):
    all of them when none were chosen."""
    skus = set(reply.state.slots.get(CHOSEN_SLOT, "").split(","))
    chosen = tuple(item for item in candidates if item.sku in skus)
    return chosen or tuple(candidates)


def _names_another_thing(item: Item, said: str, things: frozenset[str]) -> bool:
    return any(word in things and word not in NOT_ONE_THING and not name_said(item.name, [word])
               for word in normalize(said))


def any_named(items: Sequence[Item], words: list[str]) -> bool:
    """Whether the (normalised) words name one of these items: which order a request is about."""
    return any(name_said(item.name, words) for item in items)


def name_said(name: str, words: list[str]) -> bool:
    """Whether the (normalised) words say a word that names an item of this name."""
    return any(_same_word(part, word)
               for part in normalize(name) if part not in NOT_NAMING
               for word in words)


def _same_word(part: str, word: str) -> bool:
    if word in (part, part + "s", part + "es"):
        return True
    return len(part) >= FUZZY_LENGTH and fuzz.ratio(part, word) >= SAME_WORD
