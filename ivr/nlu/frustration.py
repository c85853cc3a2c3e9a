"""Notice a caller who is fed up, from the grammar's `frustration` phrases.

A frustrated caller is transferred at once: keeping them in the menu costs the shop more than
the agent's time does.
"""

from __future__ import annotations

from ivr.nlu.grammar import Grammar
from ivr.nlu.normalize import normalize


class FrustrationDetector:
    """Finds any frustration phrase, word for word, inside a normalised utterance."""

    def __init__(self, grammar: Grammar) -> None:
        self._phrases = frozenset(p for p in grammar.frustration_phrases() if p)
        self._longest = max((len(p) for p in self._phrases), default=0)

    def is_frustrated(self, text: str) -> bool:
        words = normalize(text)
        return any(
            tuple(words[start : start + length]) in self._phrases
            for length in range(1, self._longest + 1)
            for start in range(len(words) - length + 1)
        )
