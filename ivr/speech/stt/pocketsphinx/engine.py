"""PocketSphinx, the low-CPU recogniser: the English model inside the `pocketsphinx` wheel,
with a language model per context generated from grammars/ (language_model.py); the
matcher decides what the words mean, and rejects what is not the shop's business.

Telephone audio is 8 kHz; the bundled model is 16 kHz, so audio is resampled on the way in.
Decoding happens in worker processes (decoding.py): a call borrows one for each
utterance. This process keeps one decoder of its own, only to look words up while building the
context language models.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ivr.built_once import BuiltOnce
from ivr.errors import SpeechModelError
from ivr.nlu.grammar import Grammar
from ivr.speech.stt import Transcript, WordTiming
from ivr.speech.stt.pocketsphinx.decoding import (
    EDGE_NOISE_MS,
    DecoderPool,
    DecoderProcess,
    new_decoder,
)
from ivr.speech.stt.pocketsphinx.language_model import context_language_model, general_words
from ivr.speech.vocabulary import short_forms

log = logging.getLogger(__name__)

HEARD_CONFIDENCE = 0.9
"""PocketSphinx gives no better confidence of its own (its lattice word posteriors separate right
from wrong answers no better than the n-best agreement); whatever it heard gets this, until
ivr.speech.consensus replaces it with how many of the n-best alternatives mean the same."""
FEATURE_FRAME_MS = 10
"""PocketSphinx's feature frame, the unit of its word timings (not the 20 ms audio frame of a
call, ivr.speech.codec.FRAME_MS)."""
PRESTARTED_DECODERS = 4
"""Worker processes started with the server: enough for several callers talking at once."""


class PocketSphinxEngine:
    """The model and the context language models, shared by every call in the process."""

    name = "pocketsphinx"

    def __init__(self, grammar: Grammar, cache_dir: Path) -> None:
        self.grammar = grammar
        self.cache_dir = cache_dir / "pocketsphinx"
        self._models: BuiltOnce[tuple[str, ...], Path] = BuiltOnce(self._build)
        self._probe = new_decoder()
        self._probe_lock = threading.Lock()
        self.decoders = DecoderPool()

    def recognizer(self) -> PocketSphinxRecognizer:
        return PocketSphinxRecognizer(self)

    def prepare(self, context_sets: Iterable[Sequence[str]]) -> None:
        """Build every context's language model and start the decoder processes now, rather than
        in a caller's first turn (building `main` takes seconds)."""
        for contexts in context_sets:
            self.language_model(contexts)
        self.decoders.prestart(PRESTARTED_DECODERS)

    def language_model(self, contexts: Sequence[str]) -> tuple[str, Path]:
        """The language model of a context set (its name and file), built once and kept on
        disk between runs."""
        return "+".join(contexts), self._models.get(tuple(contexts))

    def close(self) -> None:
        self.decoders.close()

    def _build(self, contexts: Sequence[str]) -> Path:
        def known(word: str) -> bool:
            with self._probe_lock:
                return self._probe.lookup_word(word) is not None

        text = context_language_model(self.grammar, contexts, known, general_words(),
                                      short_forms(self.grammar, contexts, known))
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        path = self.cache_dir / f"{'+'.join(contexts)}-{digest}.arpa"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{threading.get_ident()}.tmp")
            temporary.write_text(text)
            temporary.replace(path)
        return path


class PocketSphinxRecognizer:
    """One call's recogniser: borrows a decoder process for each utterance."""

    def __init__(self, engine: PocketSphinxEngine) -> None:
        self.engine = engine
        self._worker: DecoderProcess | None = None
        self._failed = False
        engine.decoders.call_started()
        self._ended = weakref.finalize(self, engine.decoders.call_ended)
        """Tells the pool this call is over, at close() or when forgotten unclosed."""

    def start(self, contexts: Sequence[str]) -> None:
        self._release()
        name, path = self.engine.language_model(contexts)
        self._worker = self.engine.decoders.borrow()
        self._failed = False
        try:
            self._worker.start(name, str(path))
        except (SpeechModelError, OSError) as exc:
            self._lose_worker(exc)

    def feed(self, pcm: np.ndarray) -> str:
        """Audio goes to the decoder process without waiting; the words it has sent back so
        far (a few hundred milliseconds behind the audio) come out."""
        if self._worker is None or self._failed:
            return ""
        try:
            if len(pcm):
                self._worker.feed(pcm)
            return self._worker.partial_result()
        except (SpeechModelError, OSError) as exc:
            self._lose_worker(exc)
            return ""

    def heard_so_far(self) -> str:
        if self._worker is None or self._failed:
            return ""
        try:
            return self._worker.heard_so_far()
        except (SpeechModelError, OSError) as exc:
            self._lose_worker(exc)
            return ""

    def finish(self) -> Transcript:
        worker, self._worker = self._worker, None
        if worker is None:
            return Transcript("", 0.0, rejected=self._failed)
        try:
            decoded = worker.finish()
        except (SpeechModelError, OSError) as exc:
            log.error("speech decoding failed: %s", exc)
            self.engine.decoders.discard(worker)
            return Transcript("", 0.0, rejected=True)
        self.engine.decoders.give_back(worker)
        said = [word for word, _, _ in decoded.words]
        if not said:  # speech was heard (the endpointer said so) but no words came of it
            return Transcript("", 0.0, rejected=True)
        timings = tuple(WordTiming(word, first * FEATURE_FRAME_MS - EDGE_NOISE_MS,
                                   last * FEATURE_FRAME_MS - EDGE_NOISE_MS)
                        for word, first, last in decoded.words)
        return Transcript(" ".join(said), HEARD_CONFIDENCE, timings,
                          alternatives=tuple(decoded.alternatives))

    def close(self) -> None:
        self._release()
        self._ended()

    def _release(self) -> None:
        """An utterance abandoned half-way (hang-up, context change): reset the decoder."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        try:
            worker.abort()
            self.engine.decoders.give_back(worker)
        except OSError:
            self.engine.decoders.discard(worker)

    def _lose_worker(self, exc: Exception) -> None:
        log.error("speech decoder lost: %s", exc)
        self._failed = True
        if self._worker is not None:
            self.engine.decoders.discard(self._worker)
            self._worker = None
