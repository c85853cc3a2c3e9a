"""One decoding thread per process that batches the utterances of concurrent calls.

CTranslate2 decodes a batch of eight short utterances in about a third of the time it takes to
decode them one after another (BENCHMARKS.md), and it releases the GIL while it works, so calls
keep streaming meanwhile. The thread takes everything queued each time it is free: a lone
caller never waits for a batch to fill, and callers who finish together share one decode.
Whisper batches only utterances whose prompts put <|startoftranscript|> at the same position,
and only windows of one length, so requests are grouped by both.

The audio's features are computed here too, not on the calls' threads: a call hands over its
audio and waits, and when the process ends nothing but this thread, which is stopped first,
is inside native code. So is the language check of unsure turns (language.py), on the same
features, and the grammar search (grammar_search.py) for the turns no reading of which the
grammar understands, on the same encoder output.
"""

from __future__ import annotations

import atexit
import logging
import math
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ivr.metrics import DECODER_QUEUE
from ivr.speech.stt.whisper.audio import window_features, window_seconds
from ivr.speech.stt.whisper.grammar_search import GrammarReading, SentenceTable, grammar_readings
from ivr.speech.stt.whisper.language import LanguageDetector, LanguageGuess, needs_checking
from ivr.speech.stt.whisper.model import LoadedModel

log = logging.getLogger(__name__)

MAX_BATCH = 8
"""Utterances decoded together at most; more wait for the next batch."""
BEAM_SIZE = 5
HYPOTHESES = 5
"""The beam's readings returned with each utterance: the grammar chooses among them."""
TOKENS_PER_SECOND = 8
"""Room in the output for fast speech and digits written one token each; it also bounds the
repetition loops a short window can start."""
SPARE_TOKENS = 12
CLOSE_WAIT_S = 10.0
"""How long closing waits for the batch being decoded to finish."""


@dataclass(frozen=True)
class Hypothesis:
    """One of the beam's readings."""

    text: str
    logprob: float
    """Mean log probability per token (CTranslate2's score with length penalty 1)."""


def reading_confidence(logprob: float, no_speech: float) -> float:
    """A reading's mean token probability, less for a window Whisper doubts holds speech."""
    return math.exp(logprob) * (1.0 - no_speech)


@dataclass(frozen=True)
class Decoded:
    """What Whisper made of one utterance."""

    hypotheses: tuple[Hypothesis, ...]
    """Best first."""
    no_speech: float
    """Whisper's probability that the window holds no speech at all."""
    language: LanguageGuess | None = None
    """The language check's guess, for a turn Whisper was unsure of; None when unchecked."""
    grammar: GrammarReading | None = None
    """The grammar sentence Whisper found likeliest, for a turn whose readings the grammar did
    not understand; None when not searched."""

    @property
    def confidence(self) -> float:
        """How sure Whisper is of its best reading: its mean token probability, less for a
        window it doubts holds speech."""
        if not self.hypotheses:
            return 0.0
        return reading_confidence(self.hypotheses[0].logprob, self.no_speech)


@dataclass(frozen=True)
class GrammarSearch:
    """What a grammar search for one utterance needs: its context set's sentences, and whether
    its free readings call for one."""

    tables: tuple[SentenceTable, ...]
    """One per intent heard, the first context's first."""
    wanted: Callable[[Decoded], bool]


@dataclass
class _Request:
    pcm: np.ndarray
    """8 kHz int16 audio of the utterance."""
    prompt: tuple[int, ...]
    grammar: GrammarSearch | None = None
    result: Future[Decoded] = field(default_factory=Future)


class DecodeBatcher:
    """Queue utterances; a daemon thread decodes them in batches."""

    def __init__(self, model: LoadedModel, languages: LanguageDetector | None = None) -> None:
        self.model = model
        self.languages = languages
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="whisper-decoder", daemon=True)
        self._thread.start()
        # CTranslate2 aborts the process ("terminate called") if the interpreter tears the
        # model down while this thread is inside a decode: stop it before that.
        atexit.register(self.close)

    def submit(self, pcm: np.ndarray, prompt: Sequence[int],
               grammar: GrammarSearch | None = None) -> Future[Decoded]:
        """One utterance's 8 kHz audio; the future holds the result (cancelled once the
        batcher is closed). With `grammar`, readings it wants are followed by a search of its
        sentences."""
        request = _Request(pcm, tuple(prompt), grammar)
        if self._closed:
            request.result.cancel()
        else:
            DECODER_QUEUE.inc()
            request.result.add_done_callback(lambda _: DECODER_QUEUE.dec())
            self._queue.put(request)
        return request.result

    def close(self) -> None:
        """Cancel what is queued and wait for the batch being decoded."""
        self._closed = True
        self._queue.put(None)
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=CLOSE_WAIT_S)
        atexit.unregister(self.close)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                self._cancel_queued()
                return
            pending = [first]
            while True:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)
                    break
                pending.append(more)
            for group in _groups(pending):
                self._decode(group)

    def _cancel_queued(self) -> None:
        while True:
            try:
                request = self._queue.get_nowait()
            except queue.Empty:
                return
            if request is not None:
                request.result.cancel()

    def _decode(self, group: list[_Request]) -> None:
        if self._closed:
            for request in group:
                request.result.cancel()
            return
        live = [request for request in group if request.result.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            results = self._generate(live)
        except Exception as exc:  # handed to every caller, whose turn falls back
            log.exception("Whisper decoding failed for %d utterance(s)", len(live))
            for request in live:
                request.result.set_exception(exc)
            return
        for request, result in zip(live, results, strict=True):
            request.result.set_result(result)

    def _generate(self, group: list[_Request]) -> list[Decoded]:
        import ctranslate2

        windows = [window_features(request.pcm, self.model.features) for request in group]
        batch = np.stack([features for features, _ in windows])
        prompt = list(group[0].prompt)
        longest = max(seconds for _, seconds in windows)
        encoded = self.model.whisper.encode(ctranslate2.StorageView.from_array(batch),
                                            to_cpu=True)
        results: list[Any] = self.model.whisper.generate(
            encoded, [prompt] * len(group),
            beam_size=BEAM_SIZE, num_hypotheses=HYPOTHESES, return_scores=True,
            return_no_speech_prob=True,
            max_length=len(prompt) + SPARE_TOKENS + int(TOKENS_PER_SECOND * longest))
        decode = self.model.tokenizer.decode
        decoded = [Decoded(tuple(Hypothesis(decode(ids).strip(), float(score))
                                 for ids, score in zip(result.sequences_ids, result.scores,
                                                       strict=True)),
                           float(result.no_speech_prob))
                   for result in results]
        return self._with_grammar(group, self._with_languages(decoded, batch), encoded)

    def _with_languages(self, decoded: list[Decoded], batch: np.ndarray) -> list[Decoded]:
        """The language guess added to the results Whisper was unsure of."""
        unsure = [index for index, result in enumerate(decoded)
                  if needs_checking(result.confidence)]
        if self.languages is None or not unsure:
            return decoded
        guesses = self.languages.guess(batch[unsure])
        for index, guess in zip(unsure, guesses, strict=True):
            decoded[index] = replace(decoded[index], language=guess)
        return decoded

    def _with_grammar(self, group: list[_Request], decoded: list[Decoded],
                      encoded: Any) -> list[Decoded]:
        """The grammar's likeliest sentence added to the results that want one. A search that
        fails leaves the free readings standing."""
        searches = [(index, request.grammar.tables) for index, (request, result)
                    in enumerate(zip(group, decoded, strict=True))
                    if request.grammar is not None and request.grammar.wanted(result)]
        if not searches:
            return decoded
        wanted = [index for index, _ in searches]
        tables = [table for _, table in searches]
        try:
            readings = grammar_readings(self.model, np.asarray(encoded)[wanted],
                                        group[0].prompt, tables)
        except Exception:
            log.exception("Whisper grammar search failed for %d utterance(s)", len(wanted))
            return decoded
        for index, reading in zip(wanted, readings, strict=True):
            decoded[index] = replace(decoded[index], grammar=reading)
        return decoded


def _groups(requests: list[_Request]) -> list[list[_Request]]:
    """Requests with the same prompt and window length together, at most MAX_BATCH in each,
    oldest first. Padding a shorter window to a longer one would change what Whisper hears,
    so an utterance would be heard differently depending on who else was speaking."""
    alike: dict[tuple[tuple[int, ...], int], list[_Request]] = {}
    for request in requests:
        alike.setdefault((request.prompt, window_seconds(len(request.pcm))), []).append(request)
    return [same[start:start + MAX_BATCH] for same in alike.values()
            for start in range(0, len(same), MAX_BATCH)]
