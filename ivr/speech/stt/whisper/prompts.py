"""Whisper's prompt for a context set, from the grammar: the text "said before" the caller's
turn, which steers its spelling and vocabulary towards the shop's sentences ("order number",
"parcel", digits spelled out where a number is asked for) without forbidding anything else.

One sentence per intent of the first context (the one the answer is understood in), its first
spoken example; intents heard in every context (a person, "say that again") are left out, since
they would bias every turn the same way. Measured against no prompt in BENCHMARKS.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from ivr.nlu.grammar import Grammar

MAX_PROMPT_WORDS = 60
"""Whisper reads at most 223 prompt tokens; a few sentences are enough to set the style."""


def context_prompt(grammar: Grammar, contexts: Sequence[str]) -> str:
    """The prompt text for an utterance heard in `contexts`; "" for none."""
    if not contexts:
        return ""
    everywhere = set.intersection(*({i.name for i in grammar.intents_in(c)}
                                    for c in grammar.contexts()))
    first: dict[str, str] = {}
    for text, sentence in grammar.spoken_examples(contexts[0]):
        if sentence.intent not in everywhere:
            first.setdefault(sentence.intent, text)
    sentences: list[str] = []
    words = 0
    for text in first.values():
        words += len(text.split())
        if words > MAX_PROMPT_WORDS:
            break
        sentences.append(text[:1].upper() + text[1:] + ".")
    return " ".join(sentences)
