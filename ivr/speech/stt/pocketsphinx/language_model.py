"""What a caller may say in a context, as PocketSphinx hears it: a trigram language model (ARPA
text) built from the grammar's sentences as callers say them (ivr.speech.vocabulary).

Why not a closed grammar: a finite-state grammar forces every sound into a whole sentence of the
grammar, but callers mix known words in new orders ("where the heck is my stuff") and the
matcher is built to understand such near phrasings. An n-gram model lets the recogniser hear new
sequences of the grammar's words and leaves the meaning to the matcher; it understands far
more of the manifest than the word graph does (BENCHMARKS.md).

Everyday English words (the most frequent words of the general model bundled with PocketSphinx)
share GENERAL_SHARE of the probability, so speech outside the shop's domain is heard as
everyday words, which the matcher does not understand, rather than as the nearest shop phrase.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path

from ivr.nlu.grammar import Grammar
from ivr.speech.vocabulary import ShortForms, weighted_sentences

ORDER = 3
GENERAL_WORDS = 3000
"""How many of the general model's most frequent words callers may also be heard saying:
more everyday words give out-of-domain speech somewhere to go other than a shop phrase (fewer
false accepts), at the cost of a larger search and a few right answers."""
GENERAL_SHARE = 0.2
"""Their share of the unigram probability: the fewest false accepts of the shares tried
(smaller and larger ones both let more through)."""
MIN_BACKOFF = 0.05
"""Least probability kept for word sequences the grammar never has after a history."""
SENTENCE_START, SENTENCE_END = "<s>", "</s>"

Ngram = tuple[str, ...]


def context_language_model(grammar: Grammar, contexts: Iterable[str],
                           known: Callable[[str], bool], general: Mapping[str, float],
                           short: ShortForms) -> str:
    """The ARPA text for the contexts; `known` says which words the dictionary can say,
    `general` maps everyday words to their probabilities (general_words()), `short` gives the
    short forms of word pairs (ivr.speech.vocabulary.short_forms)."""
    model = _Model(weighted_sentences(grammar, list(contexts), known, short))
    return model.arpa(general)


@cache
def general_words(count: int = GENERAL_WORDS) -> dict[str, float]:
    """The most frequent plain words of the bundled general English model, with their unigram
    probabilities (read once per process: about a second)."""
    from pocketsphinx import NGramModel, get_model_path  # noqa: PLC0415 - heavy, build-time only

    model = NGramModel.readfile(str(Path(get_model_path()) / "en-us" / "en-us.lm.bin"))
    words = {word for word in _dictionary_words() if word.isalpha()}
    # NGramModel.prob answers in PocketSphinx's log base 1.0001
    scored = sorted(((model.prob([w]), w) for w in words), reverse=True)[:count]
    return {w: 1.0001 ** log for log, w in scored}


@cache
def _dictionary_words() -> frozenset[str]:
    """The spellings of the bundled pronouncing dictionary ("read(2)" is "read" again)."""
    from pocketsphinx import get_model_path  # noqa: PLC0415 - build-time only

    path = Path(get_model_path()) / "en-us" / "cmudict-en-us.dict"
    with open(path, encoding="utf-8") as dictionary:
        return frozenset(line.split(" ", 1)[0].partition("(")[0] for line in dictionary)


class _Model:
    """Interpolated trigram estimates: weighted relative frequencies, mixed with the next lower
    order by a Witten-Bell weight taken from the raw counts (distinct followers / occurrences)."""

    def __init__(self, sentences: Iterable[tuple[list[str], float]]) -> None:
        self.weighted: dict[Ngram, float] = defaultdict(float)
        self.occurrences: dict[Ngram, int] = defaultdict(int)
        for words, weight in sentences:
            tokens = [SENTENCE_START, *words, SENTENCE_END]
            for n in range(1, ORDER + 1):
                for i in range(len(tokens) - n + 1):
                    gram = tuple(tokens[i:i + n])
                    if gram != (SENTENCE_START,):
                        self.weighted[gram] += weight
                        self.occurrences[gram] += 1

    def arpa(self, general: Mapping[str, float]) -> str:
        probs = self._unigrams(general)
        backoffs: dict[Ngram, float] = {}
        for n in range(2, ORDER + 1):
            self._order(n, probs, backoffs)
        return _arpa_text(probs, backoffs)

    def _unigrams(self, general: Mapping[str, float]) -> dict[Ngram, float]:
        total = sum(w for g, w in self.weighted.items() if len(g) == 1)
        general_total = sum(general.values())
        vocabulary = {g[0] for g in self.weighted if len(g) == 1} | set(general)
        probs: dict[Ngram, float] = {}
        for word in vocabulary:
            domain = self.weighted.get((word,), 0.0) / total
            probs[(word,)] = ((1 - GENERAL_SHARE) * domain
                              + GENERAL_SHARE * general.get(word, 0.0) / general_total)
        probs[(SENTENCE_START,)] = 0.0
        return probs

    def _order(self, n: int, probs: dict[Ngram, float], backoffs: dict[Ngram, float]) -> None:
        followers: dict[Ngram, list[str]] = defaultdict(list)
        for gram in self.weighted:
            if len(gram) == n:
                followers[gram[:-1]].append(gram[-1])
        for history, words in followers.items():
            grams = [(*history, word) for word in words]
            mass = sum(self.weighted[gram] for gram in grams)
            seen = sum(self.occurrences[gram] for gram in grams)
            backoff = max(MIN_BACKOFF, len(words) / (len(words) + seen))
            kept = lower_kept = 0.0
            for gram in grams:
                lower = _probability(probs, backoffs, gram[1:])
                p = (1 - backoff) * self.weighted[gram] / mass + backoff * lower
                probs[gram] = p
                kept += p
                lower_kept += lower
            backoffs[history] = max(1e-9, 1 - kept) / max(1e-9, 1 - lower_kept)


def _probability(probs: Mapping[Ngram, float], backoffs: Mapping[Ngram, float],
                 gram: Ngram) -> float:
    if gram in probs:
        return probs[gram]
    return backoffs.get(gram[:-1], 1.0) * _probability(probs, backoffs, gram[1:])


def _arpa_text(probs: Mapping[Ngram, float], backoffs: Mapping[Ngram, float]) -> str:
    by_order: dict[int, list[Ngram]] = defaultdict(list)
    for gram in probs:
        by_order[len(gram)].append(gram)
    lines = ["\\data\\"] + [f"ngram {n}={len(by_order[n])}" for n in range(1, ORDER + 1)]
    for n in range(1, ORDER + 1):
        lines += ["", f"\\{n}-grams:"]
        for gram in sorted(by_order[n]):
            log = math.log10(probs[gram]) if probs[gram] > 0 else -99.0
            line = f"{log:.5f}\t{' '.join(gram)}"
            if n < ORDER:
                line += f"\t{math.log10(backoffs.get(gram, 1.0)):.5f}"
            lines.append(line)
    lines += ["", "\\end\\", ""]
    return "\n".join(lines)
