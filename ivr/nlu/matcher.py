"""Utterance -> intent, confidence and slots, by weighted word overlap with the grammar.

Each expanded sentence is reduced to its content words (a "signature"); an utterance is scored
against every signature of the context at once (numpy) with an F-score that weighs recall (how
much of the sentence the caller said) above precision (how much of what the caller said the
sentence explains). Words are weighted by how few intents use them, so "cancel" decides more
than "order". rapidfuzz matches words a recogniser or a typist got slightly wrong ("parcle").

Out-of-domain speech ("I'd like a pizza") shares few weighted words with any sentence and falls
below THRESHOLD: `intent` is None. The threshold and BETA were chosen from measurements on
tests/nlu/test_matcher.py's table; see BENCHMARKS.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from ivr.nlu.grammar import Grammar, SlotList
from ivr.nlu.normalize import MAX_UTTERANCE_CHARS, normalize
from ivr.nlu.numbers import find_digit_runs, with_digit_homophones

THRESHOLD = 0.65
"""Below this F-score an utterance is "not understood" (intent None)."""
BETA = 1.6
"""Recall counts BETA times as much as precision: callers add words, rarely leave them out."""
FUZZY_CUTOFF = 84.0
"""rapidfuzz ratio (0-100) from which two words count as the same word, scaled by similarity."""
FUZZY_MIN_LENGTH = 4
"""Shorter words must match exactly: "on"/"no" or "yes"/"yet" are different words."""

STOPWORDS = frozenset({
    "a", "about", "again", "also", "am", "an", "and", "any", "are", "at", "be", "been", "being",
    "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have",
    "hello", "here", "hey", "hi", "i", "in", "is", "it", "its", "just", "like", "may", "me",
    "might", "mine", "my", "myself", "need", "needed", "of", "oh", "on", "or", "our", "please",
    "really", "shall", "should", "so", "some", "that", "the", "then", "there", "these", "this",
    "those", "to", "um", "us", "want", "wanted", "was", "we", "well", "were", "will", "with",
    "would", "you", "your", "yours",
})
"""Words that say nothing about what the caller wants. Not here on purpose: no, not, never,
yes, where, when, how, what (they decide intents)."""


@dataclass(frozen=True, slots=True)
class Match:
    """What an utterance means in one context (the `ivr nlu --json` object)."""

    text: str
    """The utterance as given."""
    intent: str | None
    """The intent name, or None when not understood."""
    confidence: float
    """0..1: how well the best sentence fits."""
    slots: dict[str, str] = field(default_factory=dict)
    """Slot values, e.g. {"order_number": "48213", "return_reason": "damaged"}."""

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "intent": self.intent,
                "confidence": round(self.confidence, 3), "slots": dict(self.slots)}


def content_words(words: list[str] | tuple[str, ...]) -> list[str]:
    """The words that can tell intents apart; all words when every one is a stopword, so
    that "that is it" still means something."""
    content = [w for w in words if w not in STOPWORDS]
    return content or list(words)


class _ContextIndex:
    """Every signature of one context as a 0/1 matrix over the context's vocabulary."""

    def __init__(self, grammar: Grammar, context: str) -> None:
        signatures: dict[tuple[frozenset[str], str, tuple[tuple[str, str], ...]], None] = {}
        for sentence in grammar.sentences(context):
            tokens = frozenset(content_words(sentence.words))
            if tokens:
                signatures[(tokens, sentence.intent, tuple(sorted(sentence.slots)))] = None
        keys = list(signatures)
        self.vocabulary = sorted({t for tokens, _, _ in keys for t in tokens})
        self.column = {word: i for i, word in enumerate(self.vocabulary)}
        self.intents = [intent for _, intent, _ in keys]
        self.slots = [dict(slots) for _, _, slots in keys]
        self.matrix = np.zeros((len(keys), len(self.vocabulary)), dtype=np.float32)
        for row, (tokens, _, _) in enumerate(keys):
            self.matrix[row, [self.column[t] for t in tokens]] = 1.0
        self.weights = self._idf(keys)
        self.unknown_weight = 1.0 + math.log(max(len(set(self.intents)), 2))
        self.totals = self.matrix @ self.weights
        self.digit_slots: tuple[SlotList, ...] = grammar.digit_slots(context)

    def _idf(self, keys: list[tuple[frozenset[str], str, Any]]) -> np.ndarray:
        intents_using: dict[str, set[str]] = {}
        for tokens, intent, _ in keys:
            for token in tokens:
                intents_using.setdefault(token, set()).add(intent)
        count = len({intent for _, intent, _ in keys})
        return np.array([1.0 + math.log(count / len(intents_using[w])) for w in self.vocabulary],
                        dtype=np.float32)

    def similar_words(self, word: str) -> list[tuple[int, float]]:
        """Vocabulary columns this word may stand for, with a similarity of 0..1."""
        return _similar_words(self, word)


@lru_cache(maxsize=4096)
def _similar_words(index: _ContextIndex, word: str) -> list[tuple[int, float]]:
    """The word itself and its near forms ("refunds" also counts, less, as "refund")."""
    exact = [(index.column[word], 1.0)] if word in index.column else []
    if len(word) < FUZZY_MIN_LENGTH or word[:1] == "{":
        return exact
    found = process.extract(word, index.vocabulary, scorer=fuzz.ratio,
                            score_cutoff=FUZZY_CUTOFF, limit=4)
    near = [(index.column[choice], (score / 100.0) ** 2) for choice, score, _ in found
            if len(choice) >= FUZZY_MIN_LENGTH and choice != word]
    return exact + near


class Matcher:
    """Matches utterances against one grammar; build once, share between calls (read-only)."""

    def __init__(self, grammar: Grammar, threshold: float = THRESHOLD) -> None:
        self.grammar = grammar
        self.threshold = threshold
        self._indexes: dict[str, _ContextIndex] = {}

    @cached_property
    def contexts(self) -> tuple[str, ...]:
        return self.grammar.contexts()

    def prepare(self) -> None:
        """Index every context now (seconds for `main`) instead of in a caller's first turn."""
        for context in self.contexts:
            self.index(context)

    @property
    def prepared_contexts(self) -> frozenset[str]:
        return frozenset(self._indexes)

    def index(self, context: str) -> _ContextIndex:
        if context not in self._indexes:
            if context not in self.contexts:
                raise ValueError(f"unknown context {context!r}; known: {', '.join(self.contexts)}")
            self._indexes[context] = _ContextIndex(self.grammar, context)
        return self._indexes[context]

    def match(self, text: str, context: str = "main") -> Match:
        """The best intent for an utterance in a context; intent None when nothing fits."""
        index = self.index(context)
        if len(text) > MAX_UTTERANCE_CHARS:
            return Match(text, None, 0.0)
        words, digit_slots = _extract_digits(normalize(text), index.digit_slots)
        tokens = content_words(words)
        if not tokens:
            return Match(text, None, 0.0)
        scores = self._scores(index, tokens)
        best = int(np.argmax(scores))
        confidence = min(1.0, float(scores[best]))
        if confidence < self.threshold:
            return Match(text, None, confidence)
        slots = {**index.slots[best], **digit_slots}
        return Match(text, index.intents[best], confidence, slots)

    def match_first(self, text: str, contexts: Sequence[str]) -> Match:
        """The meaning in the first of the contexts that understands the utterance (a dialog
        phase listens in several: "confirm", then "main")."""
        for context in contexts:
            found = self.match(text, context)
            if found.intent is not None:
                return found
        return Match(text, None, 0.0)

    def _scores(self, index: _ContextIndex, tokens: list[str]) -> np.ndarray:
        """F-beta of every signature of the context against the utterance's content words."""
        rows = len(index.intents)
        said = np.zeros(len(index.vocabulary), dtype=np.float32)
        explained = np.zeros(rows, dtype=np.float32)
        said_weight = 0.0
        for token in tokens:
            columns = index.similar_words(token)
            weight = max((float(index.weights[c]) for c, _ in columns),
                         default=index.unknown_weight)
            said_weight += weight
            if not columns:
                continue
            coverage = np.zeros(rows, dtype=np.float32)
            for column, similarity in columns:
                said[column] = max(said[column], similarity)
                np.maximum(coverage, index.matrix[:, column] * similarity, out=coverage)
            explained += weight * coverage
        recall = (index.matrix @ (said * index.weights)) / index.totals
        precision = explained / said_weight
        beta2 = BETA * BETA
        denominator = beta2 * precision + recall
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.where(denominator > 0,
                             (1 + beta2) * precision * recall / denominator, 0.0)
        return np.asarray(score)


def _extract_digits(words: list[str],
                    slots: tuple[SlotList, ...]) -> tuple[list[str], dict[str, str]]:
    """Replace the longest fitting digit run with its slot's placeholder; return the value.
    Where a number is asked for, homophones of digits next to number words count as digits
    ("for eight two one three"); the words are left as they were if no run fits a slot."""
    if not slots:
        return words, {}
    heard = with_digit_homophones(words)
    runs = sorted(find_digit_runs(heard), key=lambda run: len(run.digits), reverse=True)
    for run in runs:
        for slot in slots:
            spec = slot.digits
            if spec and spec.min_digits <= len(run.digits) <= spec.max_digits:
                replaced = [*heard[: run.start], slot.placeholder(), *heard[run.end :]]
                return replaced, {slot.name: run.digits}
    return words, {}
