"""Grammar-constrained decoding: the sentence of a context's grammar Whisper finds likeliest.

Whisper hears an open vocabulary, and on a voice it hears badly it writes near-misses the
matcher cannot read ("Where is my power soul.", "I want my money made."). Our callers speak a
closed domain, so when no reading is understood the decoder itself is asked which of the
grammar's sentences the audio holds: a beam search in which every step may only continue some
sentence, scored by Whisper's own token probabilities. The sentences are kept as rows of token
ids sorted like a dictionary, so the sentences sharing a prefix are one contiguous block of
rows and the tokens allowed next are that block's next column.

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
    """The spoken token sequences of a context set's sentences, sorted row by row."""

    tokens: np.ndarray
    """(rows, width) uint16 token ids, PAD after each sentence's end."""
    sentence: np.ndarray
    """Row → index into `sentences`."""
    sentences: tuple[Sentence, ...]

    def __len__(self) -> int:
        return len(self.sentences)


def sentence_table(sentences: Sequence[Sentence], tokenizer: Any) -> SentenceTable:
    """These sentences (one intent's: a context set's table is merged from its intents', so
    intents heard everywhere are tokenised once), except those holding a number, each as
    written plainly and with its contractions ("I would" and "I'd"), in Whisper's tokens."""
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


def merged(tables: Sequence[SentenceTable]) -> SentenceTable:
    """One table for a context set: its intents' rows together, each written sentence once
    (as the first intent's given: the first context's, the one the answer is understood in)."""
    if len(tables) == 1:
        return tables[0]
    if not tables:
        return SentenceTable(np.full((0, 0), PAD, np.uint16), np.zeros(0, np.int32), ())
    width = max(table.tokens.shape[1] for table in tables)
    tokens = np.vstack([np.pad(table.tokens, ((0, 0), (0, width - table.tokens.shape[1])),
                               constant_values=PAD) for table in tables])
    offsets = np.cumsum([0, *(len(table.sentences) for table in tables[:-1])])
    sentence = np.concatenate([table.sentence + offset
                               for table, offset in zip(tables, offsets, strict=True)])
    return _sorted(tokens, sentence, tuple(s for table in tables for s in table.sentences))


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


@dataclass
class _Hypothesis:
    utterance: int
    logprob: float
    """Sum over its tokens."""
    rows: tuple[int, int]
    """The block of table rows it is a prefix of."""
    tokens: list[int]


def grammar_readings(model: Any, encoded: np.ndarray, prompt: Sequence[int],
                     tables: Sequence[SentenceTable]) -> list[GrammarReading | None]:
    """For each utterance (its encoder output, [frames, width]), the likeliest sentence of its
    table, searched together in lockstep; None where the table is empty."""
    live = [_Hypothesis(u, 0.0, (0, len(table.tokens)), [])
            for u, table in enumerate(tables) if len(table.tokens)]
    finished: dict[int, list[tuple[float, float, int, list[int]]]] = {}
    endings = [model.tokenizer.eot, *(model.tokenizer.encode(mark)[0] for mark in ENDINGS)]
    for depth in range(MAX_TOKENS):
        if not live:
            break
        logprobs = _next_token_logprobs(model, encoded, prompt, live)
        grown: dict[int, list[_Hypothesis]] = {}
        for hypothesis, logprob in zip(live, logprobs, strict=True):
            table = tables[hypothesis.utterance]
            lo, hi = hypothesis.rows
            column = table.tokens[lo:hi, depth] if depth < table.tokens.shape[1] else None
            ended = column is None or column[-1] == PAD
            if ended:  # <|endoftext|>, or "." or "?", after which Whisper all but always ends
                end_row = lo if column is None else lo + int(np.searchsorted(column, PAD))
                total = hypothesis.logprob + float(np.max(logprob[endings]))
                finished.setdefault(hypothesis.utterance, []).append(
                    (total / (depth + 1), total, end_row, hypothesis.tokens))
            if column is None:
                continue
            for token, start, stop in _blocks(column):
                grown.setdefault(hypothesis.utterance, []).append(_Hypothesis(
                    hypothesis.utterance, hypothesis.logprob + float(logprob[token]),
                    (lo + start, lo + stop), [*hypothesis.tokens, token]))
        live = []
        for utterance, candidates in grown.items():
            candidates.sort(key=lambda h: -h.logprob)
            done = finished.get(utterance)
            best_done = max((total for _, total, _, _ in done), default=-math.inf) if done \
                else -math.inf
            live.extend(h for h in candidates[:BEAM] if h.logprob > best_done - GIVE_UP_BEHIND)
    readings: list[GrammarReading | None] = []
    for utterance, table in enumerate(tables):
        done = finished.get(utterance)
        if not done:
            readings.append(None)
            continue
        mean, _, row, tokens = max(done, key=lambda d: d[0])
        readings.append(GrammarReading(model.tokenizer.decode(tokens).strip(),
                                       table.sentences[int(table.sentence[row])], mean))
    return readings


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
