"""Grammar-constrained decoding: the sentence of a context's grammar Whisper finds likeliest.

Whisper hears an open vocabulary, and on a voice it hears badly it writes near-misses the
matcher cannot read ("Where is my power soul.", "I want my money made."). Our callers speak a
closed domain, so when no reading is understood the decoder itself is asked which of the
grammar's sentences the audio holds: a beam search in which every step may only continue some
sentence, scored by Whisper's own token probabilities. Each intent's sentences are kept as rows
of token ids sorted like a dictionary, so the sentences sharing a prefix are one contiguous
block of rows and the tokens allowed next are that block's next column. A context set searches
its intents' tables side by side (a hypothesis is a block in each), so the tables of `main`'s
intents are held once, not once more for every context set that listens in `main` too.

Each step decodes one more token for every live hypothesis of every utterance in one batch
(CTranslate2 returns the whole vocabulary's logits with `return_logits_vocab`), from encoder
output computed once. Sentences with a digits slot are left out: numbers are read from the
free reading, whose digit homophones the matcher already understands.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ivr.nlu.grammar import Grammar, Sentence
from ivr.nlu.normalize import short_forms_of

PAD = np.iinfo(np.uint16).max
"""Fills a row after its sentence's last token; sorts after every real token id."""
BEAM = 8
"""Live hypotheses kept per utterance at each step."""
MAX_TOKENS = 40
"""No sentence of the grammar is longer; a search never runs past it."""
GIVE_UP_BEHIND = 6.0
"""A search stops once its best live hypothesis is this much less likely (log probability)
than a sentence already finished: no continuation can catch up."""
ENCODE_CHUNK = 20_000
"""Texts tokenised at once: the tokenizer's per-text results are large, and only the ids are
kept, so a context of a hundred thousand sentences never holds them all at once."""
ENDINGS = (".", "?")
"""Whisper ends a sentence with one of these or with nothing before <|endoftext|>: a sentence
may end where the likeliest of the three is."""


@dataclass(frozen=True)
class GrammarReading:
    """The grammar sentence Whisper found likeliest for an utterance."""

    text: str
    """As Whisper would write it ("I'd like to return the item")."""
    sentence: Sentence
    logprob: float
    """Mean log probability per token, the ending included."""


@dataclass(frozen=True)
class SentenceTable:
    """The spoken token sequences of one intent's sentences, sorted row by row."""

    tokens: np.ndarray
    """(rows, width) uint16 token ids, PAD after each sentence's end."""
    sentence: np.ndarray
    """Row → index into `sentences`."""
    sentences: tuple[Sentence, ...]

    def __len__(self) -> int:
        return len(self.sentences)


def sentence_table(sentences: Sequence[Sentence], tokenizer: Any) -> SentenceTable:
    """These sentences (one intent's), except those holding a number, each as written plainly
    and with its contractions ("I would" and "I'd"), in Whisper's tokens."""
    sentences = tuple(s for s in sentences if not any(word.startswith("{") for word in s.words))
    spoken = [(index, " " + text) for index, sentence in enumerate(sentences)
              for text in spoken_forms(sentence.words)]
    rows: list[list[int]] = []
    for start in range(0, len(spoken), ENCODE_CHUNK):
        chunk = [text for _, text in spoken[start:start + ENCODE_CHUNK]]
        rows += [e.ids for e in tokenizer.tokenizer.encode_batch(chunk,
                                                                 add_special_tokens=False)]
    tokens = np.full((len(rows), max(map(len, rows), default=0)), PAD, np.uint16)
    for number, row in enumerate(rows):
        tokens[number, :len(row)] = row
    return _sorted(tokens, np.array([index for index, _ in spoken], np.int32), sentences)


def _sorted(tokens: np.ndarray, sentence: np.ndarray,
            sentences: tuple[Sentence, ...]) -> SentenceTable:
    """Rows in dictionary order (a sentence's end before nothing: PAD sorts last), each once;
    the sort is stable, so of identical rows the first given stays."""
    if not tokens.size:
        return SentenceTable(tokens, sentence, sentences)
    order = np.lexsort(tokens.T[::-1])
    tokens, sentence = tokens[order], sentence[order]
    distinct = np.ones(len(tokens), bool)
    distinct[1:] = np.any(tokens[1:] != tokens[:-1], axis=1)
    return SentenceTable(tokens[distinct], sentence[distinct], sentences)


def intents_heard(grammar: Grammar, contexts: Sequence[str]) -> list[str]:
    """The intents of a context set, the first context's first."""
    return list(dict.fromkeys(intent.name for context in contexts
                              for intent in grammar.intents_in(context)))


def spoken_forms(words: Sequence[str]) -> tuple[str, ...]:
    """A normalised sentence as Whisper writes it: capitalised, "i" as "I", and also with its
    contractions, since the grammar spells "where is" and Whisper hears "where's"."""
    plain = _written(words)
    short = _written(_contracted(words))
    return (plain,) if short == plain else (plain, short)


def _contracted(words: Sequence[str]) -> list[str]:
    out: list[str] = []
    index = 0
    while index < len(words):
        pair = tuple(words[index:index + 2])
        short = _short_form(*pair) if len(pair) == 2 else None
        out.append(short or words[index])
        index += 2 if short else 1
    return out


_SHORT_FORMS: dict[tuple[str, str], str | None] = {}


def _short_form(first: str, second: str) -> str | None:
    """The apostrophe spelling of two words ("do", "not" → "don't"), if they have one."""
    key = (first, second)
    if key not in _SHORT_FORMS:
        forms = sorted((f for f in short_forms_of(first, second) if "'" in f), key=len)
        _SHORT_FORMS[key] = forms[0] if forms else None
    return _SHORT_FORMS[key]


def _written(words: Iterable[str]) -> str:
    text = " ".join("I" + word[1:] if word == "i" or word.startswith("i'") else word
                    for word in words)
    return text[:1].upper() + text[1:]


Block = tuple[int, int]
"""Rows lo to hi (not included) of a table: the sentences that begin with some prefix."""


@dataclass
class _Hypothesis:
    utterance: int
    logprob: float
    """Sum over its tokens."""
    rows: tuple[Block, ...]
    """The block of rows it is a prefix of in each of its utterance's tables (empty where no
    sentence of that table starts so)."""
    tokens: list[int]


def grammar_readings(model: Any, encoded: np.ndarray, prompt: Sequence[int],
                     tables: Sequence[Sequence[SentenceTable]]) -> list[GrammarReading | None]:
    """For each utterance (its encoder output, [frames, width]), the likeliest sentence of its
    tables, searched together in lockstep; None where they are empty. A sentence written the
    same in two tables is the first table's (the first context's intent)."""
    live = [_Hypothesis(u, 0.0, tuple((0, len(table.tokens)) for table in own), [])
            for u, own in enumerate(tables) if any(len(table.tokens) for table in own)]
    finished: dict[int, list[tuple[float, float, tuple[int, int], list[int]]]] = {}
    endings = [model.tokenizer.eot, *(model.tokenizer.encode(mark)[0] for mark in ENDINGS)]
    for depth in range(MAX_TOKENS):
        if not live:
            break
        logprobs = _next_token_logprobs(model, encoded, prompt, live)
        grown: dict[int, list[_Hypothesis]] = {}
        for hypothesis, logprob in zip(live, logprobs, strict=True):
            own = tables[hypothesis.utterance]
            end, nexts = _what_follows(own, hypothesis.rows, depth)
            # A sentence may end here: <|endoftext|>, or "." or "?", after which Whisper all but
            # always ends.
            if end is not None:
                total = hypothesis.logprob + float(np.max(logprob[endings]))
                finished.setdefault(hypothesis.utterance, []).append(
                    (total / (depth + 1), total, end, hypothesis.tokens))
            for token, rows in nexts.items():
                grown.setdefault(hypothesis.utterance, []).append(_Hypothesis(
                    hypothesis.utterance, hypothesis.logprob + float(logprob[token]),
                    rows, [*hypothesis.tokens, token]))
        live = []
        for utterance, candidates in grown.items():
            candidates.sort(key=lambda h: -h.logprob)
            done = finished.get(utterance)
            best_done = max((total for _, total, _, _ in done), default=-math.inf) if done \
                else -math.inf
            live.extend(h for h in candidates[:BEAM] if h.logprob > best_done - GIVE_UP_BEHIND)
    readings: list[GrammarReading | None] = []
    for utterance, own in enumerate(tables):
        done = finished.get(utterance)
        if not done:
            readings.append(None)
            continue
        mean, _, (at, row), tokens = max(done, key=lambda d: d[0])
        table = own[at]
        readings.append(GrammarReading(model.tokenizer.decode(tokens).strip(),
                                       table.sentences[int(table.sentence[row])], mean))
    return readings


def _what_follows(tables: Sequence[SentenceTable], rows: tuple[Block, ...],
                  depth: int) -> tuple[tuple[int, int] | None, dict[int, tuple[Block, ...]]]:
    """The (table, row) of the first table where the prefix is a whole sentence, if any (a
    sentence written the same in two tables is the first's), and each token that continues
    the prefix with the blocks the longer prefix has."""
    end: tuple[int, int] | None = None
    nexts: dict[int, list[Block]] = {}
    for at, (table, (lo, hi)) in enumerate(zip(tables, rows, strict=True)):
        if lo == hi:
            continue
        if depth >= table.tokens.shape[1]:
            end = end or (at, lo)
            continue
        column = table.tokens[lo:hi, depth]
        if column[-1] == PAD:
            end = end or (at, lo + int(np.searchsorted(column, PAD)))
        for token, start, stop in _blocks(column):
            nexts.setdefault(token, [(0, 0)] * len(tables))[at] = (lo + start, lo + stop)
    return end, {token: tuple(blocks) for token, blocks in nexts.items()}


def _blocks(column: np.ndarray) -> Iterable[tuple[int, int, int]]:
    """(token, first row, row after last) of each run of one token in a sorted column."""
    real = int(np.searchsorted(column, PAD))
    if not real:
        return
    starts = np.concatenate(([0], np.flatnonzero(np.diff(column[:real])) + 1))
    stops = np.append(starts[1:], real)
    for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        yield int(column[start]), start, stop


def _next_token_logprobs(model: Any, encoded: np.ndarray, prompt: Sequence[int],
                         live: list[_Hypothesis]) -> list[np.ndarray]:
    """Log probabilities of the token after each hypothesis, one batch for all of them."""
    import ctranslate2

    depth = len(live[0].tokens)
    features = ctranslate2.StorageView.from_array(
        np.ascontiguousarray(encoded[[h.utterance for h in live]]))
    prompts = [[*prompt, *h.tokens] for h in live]
    # CTranslate2 counts max_length differently with and without a previous-text prompt; this
    # is the least that yields the logits of one token past the prefix in both.
    results = model.whisper.generate(
        features, prompts, beam_size=1, return_logits_vocab=True, suppress_tokens=[],
        suppress_blank=False, max_length=max(len(prompts[0]) + 1, 2 * (depth + 1)))
    rows = []
    for result in results:
        logits = np.asarray(result.logits[0][depth], np.float64)
        top = logits.max()
        rows.append(logits - top - math.log(float(np.exp(logits - top).sum())))
    return rows
