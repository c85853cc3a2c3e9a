"""What callers say in a context, for the recognisers' vocabularies: the grammar's sentences as
callers say them (short forms, spoken digit runs), weighted so each intent counts the same.
PocketSphinx builds its language models from them, Vosk its phrase lists; nothing here needs an
engine's dictionary: each engine says which words it `known`s.

The grammar spells sentences out ("where is my parcel": normalize() expands what callers say),
but callers mostly say "where's", "don't", "I'd", which sound different: each sentence is also
written with its short forms (short_forms()), and the matcher expands them back.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache

from ivr.nlu.grammar import DigitsSpec, Grammar
from ivr.nlu.normalize import short_forms_of
from ivr.nlu.numbers import DIGIT_WORDS, TEENS, TENS

SPOKEN_DIGITS = (*DIGIT_WORDS, "oh")
DIGIT_VARIANTS = 3
"""Spoken digit runs written for each sentence with a digit slot (each run random)."""
SHORT_FORM_SHARE = 0.05
"""Of a sentence with pairs callers shorten ("it is" → "it's"), the weight its short forms get
together; the spelt-out sentence keeps the rest. Over the fixture manifest (PocketSphinx,
espeak-ng + flite voices, 382 in-domain and 52 out-of-domain utterances) with no short forms /
0.02 / 0.05 / 0.1 / 0.2 / 0.5: intents right 154 / 164 / 167 / 165 / 166 / 170, acted on as the
wrong intent 32 / 38 / 37 / 37 / 35 / 42, out-of-domain false accepts 4 / 5 / 5 / 6 / 10 / 11.
Heard word for word with them: "I don't know my order number", "it doesn't work", "who's
delivering my parcel". A small share is enough for the recogniser to hear them; more makes
"I'd", "I'm" stand in for out-of-domain speech."""

ShortForms = Mapping[tuple[str, str], tuple[str, ...]]
"""A pair of words → the single words callers say for it: ("can", "not") → ("can't", "cannot")."""


def caller_sentences(grammar: Grammar, contexts: Iterable[str],
                     known: Callable[[str], bool]) -> Iterator[list[str]]:
    """The sentences of the contexts as callers say them, short forms and spoken digit runs
    included, each only if `known` knows every word of it (a recogniser that drops the words
    it does not know would join the words on either side into a pair no caller says)."""
    known = cache(known)  # asked about every word of some 236,000 sentences, of 600 words
    contexts = list(contexts)
    for words, _ in weighted_sentences(grammar, contexts, known,
                                       short_forms(grammar, contexts, known)):
        if all(known(word) for word in words):
            yield words


def short_forms(grammar: Grammar, contexts: Iterable[str],
                known: Callable[[str], bool]) -> dict[tuple[str, str], tuple[str, ...]]:
    """For each pair of words side by side in the contexts' sentences, the single words
    normalize() reads as that pair ("where's", "can't", "cannot", "gonna") that the engine
    knows."""
    pairs = {pair for context in contexts for sentence in grammar.sentences(context)
             for pair in itertools.pairwise(sentence.words)}
    pairs |= {pair for phrase in grammar.frustration_phrases()
              for pair in itertools.pairwise(phrase)}
    found = {pair: tuple(sorted(word for word in short_forms_of(*pair) if known(word)))
             for pair in pairs}
    return {pair: words for pair, words in found.items() if words}


def weighted_sentences(grammar: Grammar, contexts: list[str], known: Callable[[str], bool],
                       short: ShortForms) -> Iterator[tuple[list[str], float]]:
    """Every sentence of the contexts with a weight: each intent weighs the same in total,
    however many sentences its templates expand to (or the intents with long lists of
    phrasings would drown the order number). Each is also said with its short forms, and
    digit slots become spoken digit runs."""
    specs = {s.placeholder(): s.digits for s in grammar.lists.values() if s.digits}
    by_intent: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for context in contexts:
        for sentence in grammar.sentences(context):
            by_intent[sentence.intent].add(sentence.words)
    by_intent["frustration"] = set(grammar.frustration_phrases())
    rng = random.Random(0)
    for sentences in by_intent.values():
        sayable = sorted(s for s in sentences if all(w in specs or known(w) for w in s))
        for spelt_out in sayable:
            for words, share in _with_short_forms(spelt_out, short):
                weight = share / len(sayable)
                if not any(w in specs for w in words):
                    yield list(words), weight
                    continue
                for _ in range(DIGIT_VARIANTS):
                    run: list[str] = []
                    for word in words:
                        run += _digit_run(rng, specs[word]) if word in specs else [word]
                    yield run, weight / DIGIT_VARIANTS


def _with_short_forms(words: tuple[str, ...],
                      short: ShortForms) -> list[tuple[tuple[str, ...], float]]:
    """The sentence, and the sentence with each pair callers shorten said short, one pair at a
    time (the trigrams around each short form are what the recogniser needs), with shares."""
    variants = [(*words[:i], form, *words[i + 2:])
                for i in range(len(words) - 1)
                for form in short.get((words[i], words[i + 1]), ())]
    if not variants:
        return [(words, 1.0)]
    each = SHORT_FORM_SHARE / len(variants)
    return [(words, 1.0 - SHORT_FORM_SHARE), *((variant, each) for variant in variants)]


def _digit_run(rng: random.Random, spec: DigitsSpec) -> list[str]:
    """A run of digits as callers say them: mostly digit by digit, sometimes "double five",
    "forty two" or "thirteen"."""
    length = rng.randint(spec.min_digits, min(spec.max_digits, 8))
    words: list[str] = []
    while len(words) < length:
        roll = rng.random()
        if roll < 0.08:
            words += ["double", rng.choice(SPOKEN_DIGITS)]
        elif roll < 0.14:
            words += [rng.choice(sorted(TENS)), rng.choice(DIGIT_WORDS[1:])]
        elif roll < 0.18:
            words.append(rng.choice(sorted(TEENS)))
        else:
            words.append(rng.choice(SPOKEN_DIGITS))
    return words
