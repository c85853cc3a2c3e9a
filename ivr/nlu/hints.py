"""Speech hints for a hosted recogniser (Twilio <Gather hints>): phrases from our grammar.

Every intent of the listened-to contexts is represented (its shortest sentences first, taken
in turn), so a short list still covers every answer the dialog expects; digits slots add the
digit words.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import zip_longest

from ivr.nlu.grammar import Grammar
from ivr.nlu.numbers import DIGIT_WORDS


def hint_phrases(grammar: Grammar, contexts: Sequence[str], limit: int = 100) -> list[str]:
    """Up to `limit` distinct phrases a caller is likely to say in these contexts."""
    by_intent: dict[str, list[str]] = {}
    digits = False
    for context in contexts:
        digits = digits or bool(grammar.digit_slots(context))
        for sentence in grammar.sentences(context):
            if all(word[:1] != "{" for word in sentence.words):
                by_intent.setdefault(sentence.intent, []).append(sentence.text)
    ranked = [sorted(set(texts), key=lambda text: (len(text), text))
              for texts in by_intent.values()]
    phrases = list(DIGIT_WORDS) if digits else []
    for round_robin in zip_longest(*ranked):
        phrases.extend(text for text in round_robin if text and text not in phrases)
        if len(phrases) >= limit:
            break
    return phrases[:limit]
