"""Whisper as a call's recogniser: the model loaded once per process, utterances decoded by the
shared batching thread, readings chosen with the grammar (readings.py).

Whisper decodes a whole utterance at once, so a call's recogniser keeps the audio and decodes it
when the caller stops. It does not wait for the endpoint to start: once the caller has been
quiet for SPECULATE_AFTER_MS (the endpointer waits longer, end_silence_ms), the audio so far is
decoded, and if nothing more is said that result is the answer, ready or nearly ready when the
endpoint fires.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ivr.built_once import BuiltOnce
from ivr.nlu.grammar import Grammar
from ivr.nlu.matcher import Matcher
from ivr.speech.codec import PHONE_RATE
from ivr.speech.stt import Transcript
from ivr.speech.stt.whisper.batcher import DecodeBatcher, Decoded, GrammarSearch
from ivr.speech.stt.whisper.grammar_search import (
    SentenceTable,
    intents_heard,
    sentence_table,
)
from ivr.speech.stt.whisper.language import language_detector
from ivr.speech.stt.whisper.model import load_model
from ivr.speech.stt.whisper.prompts import context_prompt
from ivr.speech.stt.whisper.readings import transcript_of, wants_grammar

log = logging.getLogger(__name__)

SPECULATE_AFTER_MS = 300
"""Quiet time after speech before the audio so far is decoded in advance."""
QUIET_RMS = 0.2
"""A 20 ms chunk quieter than this share of the utterance's loudest chunk is a pause."""
DECODE_DEADLINE_S = 10.0
"""A decode that takes longer than this is abandoned: the caller hears the fallback prompt."""
WARM_UP_SECONDS = (1, 2, 3, 4, 6)
"""Window lengths decoded once at startup, so the first callers' turns are as fast as later
ones (CTranslate2 sets up its buffers per shape on first use)."""


class WhisperEngine:
    """The model, the decoding thread and the per-context prompts, shared by every call."""

    name = "whisper"

    def __init__(self, model_name: str, cache_dir: Path, grammar: Grammar,
                 matcher: Matcher) -> None:
        self.model = load_model(model_name, cache_dir)
        self.grammar = grammar
        self.matcher = matcher
        self.batcher = DecodeBatcher(self.model, language_detector(self.model, cache_dir))
        self._prompts: BuiltOnce[tuple[str, ...], tuple[int, ...]] = BuiltOnce(self._prompt)
        self._intent_tables: BuiltOnce[str, SentenceTable] = BuiltOnce(
            lambda intent: sentence_table([s for s in grammar.all_sentences
                                           if s.intent == intent], self.model.tokenizer))
        self._tables: BuiltOnce[tuple[str, ...], tuple[SentenceTable, ...]] = BuiltOnce(
            lambda contexts: tuple(self._intent_tables.get(intent)
                                   for intent in intents_heard(grammar, contexts)))

    def recognizer(self) -> WhisperRecognizer:
        return WhisperRecognizer(self)

    def prepare(self, context_sets: Iterable[Sequence[str]]) -> None:
        """Build every context's prompt and sentence table and decode once per window length
        (and search `main`'s sentences once: the search's shapes do not depend on the context),
        so nothing is set up during a caller's turn."""
        wanted = sorted({tuple(contexts) for contexts in context_sets},
                        key=lambda contexts: contexts != ("main",))
        for contexts in wanted:  # `main`'s first: the most of the work, and the most asked for
            self._tables.get(contexts)
        prompts = {self.prompt(contexts) for contexts in wanted}
        main = self.prompt(("main",))
        search = GrammarSearch(self._tables.get(("main",)), lambda _: True)
        quiet = np.random.default_rng(0).normal(0, 30, PHONE_RATE * max(WARM_UP_SECONDS))
        for seconds in WARM_UP_SECONDS:
            pcm = quiet[:PHONE_RATE * seconds].astype(np.int16)
            for prompt in prompts:
                searched = prompt == main and seconds == WARM_UP_SECONDS[0]
                try:
                    self.decode(pcm, prompt, search if searched else None).result()
                except CancelledError:
                    return  # the process is ending

    def prompt(self, contexts: Sequence[str]) -> tuple[int, ...]:
        """Token ids that start a decode in these contexts."""
        return self._prompts.get(tuple(contexts))

    def indexing(self, contexts: Sequence[str]) -> bool:
        """Whether these contexts' sentence tables are being built now (by `prepare`)."""
        return self._tables.building(tuple(contexts))

    def grammar_search(self, contexts: Sequence[str]) -> GrammarSearch | None:
        """The grammar search for an utterance heard in these contexts: run when no reading of
        it is understood well. None while `prepare` is still building the contexts' sentence
        tables (seconds after a start): a call then is decoded without the search rather than
        left in silence until the tables are built."""
        contexts = tuple(contexts)
        tables = self._tables.get_unless_building(contexts)
        if tables is None:
            log.info("decoding without the grammar search: %s's sentences are still being "
                     "indexed", "+".join(contexts))
            return None

        def wanted(decoded: Decoded) -> bool:
            return wants_grammar(transcript_of(decoded, self.matcher, contexts), self.matcher,
                                 contexts)

        return GrammarSearch(tables, wanted)

    def decode(self, pcm: np.ndarray, prompt: Sequence[int],
               grammar: GrammarSearch | None = None) -> Future[Decoded]:
        return self.batcher.submit(pcm, prompt, grammar)

    def close(self) -> None:
        self.batcher.close()

    def _prompt(self, contexts: tuple[str, ...]) -> tuple[int, ...]:
        tokenizer = self.model.tokenizer
        start = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        text = context_prompt(self.grammar, contexts)
        if not text:
            return tuple(start)
        return (tokenizer.sot_prev, *tokenizer.encode(" " + text), *start)


@dataclass
class _Speculation:
    """A decode started during a pause, valid while the caller stays quiet."""

    samples: int
    """Audio it covers."""
    result: Future[Decoded]


class WhisperRecognizer:
    """One call's recogniser: collects an utterance's audio, decodes it at the end (or in the
    pause before the end)."""

    def __init__(self, engine: WhisperEngine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._contexts: tuple[str, ...] = ()
        self._chunks: list[np.ndarray] = []
        self._samples = 0
        self._loudest = 0.0
        self._last_voiced = 0
        self._speculation: _Speculation | None = None

    def start(self, contexts: Sequence[str]) -> None:
        with self._lock:
            self._forget()
            self._contexts = tuple(contexts)

    def feed(self, pcm: np.ndarray) -> str:
        """Keep the audio; start a speculative decode once the caller pauses. No partial text:
        Whisper writes the utterance when it is over."""
        if not len(pcm):
            return ""
        with self._lock:
            self._chunks.append(pcm.astype(np.int16))
            self._samples += len(pcm)
            self._track_voice(pcm)
            quiet_samples = self._samples - self._last_voiced
            if (quiet_samples >= PHONE_RATE * SPECULATE_AFTER_MS // 1000
                    and self._last_voiced and self._standing_speculation() is None):
                self._speculate()
        return ""

    def heard_so_far(self) -> str:
        """The words of the speculative decode, when one has finished; "" otherwise (Whisper
        gives no partial results)."""
        with self._lock:
            speculation = self._speculation
        if speculation is None or not speculation.result.done():
            return ""
        try:
            return self._transcript(speculation.result.result()).text
        except Exception:  # a failed decode has heard nothing
            return ""

    def finish(self) -> Transcript:
        with self._lock:
            if not self._samples:
                return Transcript("", 0.0)
            speculation = self._standing_speculation() or self._speculate()
            self._speculation = None  # the result is ours now: not to be cancelled
            self._forget()
        try:
            decoded = speculation.result.result(timeout=DECODE_DEADLINE_S)
        except FutureTimeout:
            log.error("Whisper decode missed its %.0f s deadline", DECODE_DEADLINE_S)
            speculation.result.cancel()
            return Transcript("", 0.0, rejected=True)
        except Exception:  # the batcher logged it; the caller hears the fallback
            return Transcript("", 0.0, rejected=True)
        return self._transcript(decoded)

    def close(self) -> None:
        with self._lock:
            self._forget()

    def _forget(self) -> None:
        """Drop the utterance: its audio, and a decode of it nobody will read."""
        if self._speculation is not None:
            self._speculation.result.cancel()
        self._chunks, self._samples, self._speculation = [], 0, None
        self._loudest, self._last_voiced = 0.0, 0

    def _transcript(self, decoded: Decoded) -> Transcript:
        return transcript_of(decoded, self.engine.matcher, self._contexts or ("main",))

    def _standing_speculation(self) -> _Speculation | None:
        """The decode started in the last pause, if it still stands for the utterance: nothing
        voiced since."""
        speculation = self._speculation
        if speculation is not None and self._last_voiced <= speculation.samples:
            return speculation
        return None

    def _speculate(self) -> _Speculation:
        """Decode the audio so far. A decode from an earlier pause, which the caller has since
        talked past, is dropped (unless the decoding thread has already taken it)."""
        if self._speculation is not None:
            self._speculation.result.cancel()
        self._speculation = _Speculation(self._samples, self._start_decode())
        return self._speculation

    def _track_voice(self, pcm: np.ndarray) -> None:
        """Remember where the caller last spoke: the end of the loudest-ish 20 ms chunk."""
        chunk = PHONE_RATE // 50
        for start in range(0, len(pcm), chunk):
            part = pcm[start:start + chunk].astype(np.float32)
            rms = float(np.sqrt(np.mean(part * part)))
            self._loudest = max(self._loudest, rms)
            if rms > QUIET_RMS * self._loudest and rms > 0:
                self._last_voiced = self._samples - len(pcm) + start + len(part)

    def _start_decode(self) -> Future[Decoded]:
        audio = np.concatenate(self._chunks)
        contexts = self._contexts or ("main",)
        return self.engine.decode(audio, self.engine.prompt(contexts),
                                  self.engine.grammar_search(contexts))
