"""Vosk's phrase list for a context set: grammar sentences, only as many as still hold every
pair of neighbouring words.

Vosk turns the phrase list into a bigram language model each time a recogniser is made
(`UpdateGrammarFst` in vosk-api's recognizer.cc: order 2, a fixed discount of 0.5, counted
from the phrases). A list of single words therefore gives it no word order at all: every word
of "where is my order" is reached only through a back-off. The grammar's whole sentences give
it the word order, but `main` has hundreds of thousands of them once short forms and digit
runs are written out, and a recogniser made with them all takes about half a second. The
sentences that first bring some pair (sentence start and end included) hold the same pairs, a
few thousand for `main`, and a recogniser is made with them in milliseconds (BENCHMARKS.md).
Which sentences bring a pair first decides the counts Vosk estimates from, not which word may
follow which.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

START, END = "<s>", "</s>"


def covering_phrases(sentences: Iterable[Sequence[str]]) -> list[str]:
    """The sentences, in sorted order, that bring a pair of neighbouring words no earlier one
    had; each as a phrase (its words joined by spaces)."""
    covered: set[tuple[str, str]] = set()
    phrases: list[str] = []
    for words in sorted({tuple(sentence) for sentence in sentences if sentence}):
        pairs = set(zip((START, *words), (*words, END), strict=True))
        if not pairs <= covered:
            covered |= pairs
            phrases.append(" ".join(words))
    return phrases
