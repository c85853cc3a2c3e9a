"""Intents that change or end something: the call (goodbye), an order (cancel, a new delivery
address) or start a return. They need stronger evidence than a question does, so recognisers
that choose among several readings of an utterance take them only from their best reading."""

from __future__ import annotations

CHANGES_OR_ENDS = frozenset({"goodbye", "cancel_order", "return_request", "change_address"})
