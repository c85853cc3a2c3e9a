"""Intents that change or end something: the call (goodbye), an order (cancel, a new delivery
address), or that start a return or an exchange. They need stronger evidence than a question
does: the matcher holds them to a higher score and refuses them when negated, and recognisers
that choose among several readings of an utterance take them only from their best reading."""

from __future__ import annotations

CHANGES_OR_ENDS = frozenset({"goodbye", "cancel_order", "return_request", "exchange_request",
                             "change_address"})
CONFIRMS = frozenset({"yes"})
"""The answer that lets a change the bot read back go ahead: never taken from words with a
negation in them."""
DESTRUCTIVE = frozenset({"goodbye", "cancel_order", "change_address"})
"""What cannot be taken back once done: their decisive word must be about something the
grammar knows ("cancel my order", not "cancel the music"; "see you", not "see the airport")."""
SAID_ALONE = frozenset({"goodbye"})
"""What is said with nothing else: every content word of a goodbye is a goodbye's ("thanks,
that's all, bye"); a word of anything else makes it something else ("I'm just looking,
thanks", "thanks for the update on my refund")."""
NAMED_BY = {"return_request": frozenset({"return", "refund"}),
            "exchange_request": frozenset({"exchange", "swap", "switch"}),
            "cancel_order": frozenset({"cancel"})}
"""The words that name a change: a caller who names one ("it doesn't fit, I want to exchange
it") asks for that one, not for another change whose sentence only fits the rest of what was
said ("it doesn't fit" alone starts a return)."""
