"""PocketSphinx, the zero-download default: the English model inside the `pocketsphinx` wheel,
constrained per context by a finite-state grammar generated from grammars/.

Telephone audio is 8 kHz; the bundled model is 16 kHz, so audio is resampled on the way in.
Decoding happens in worker processes (ivr.speech.sphinx_decoding): a call borrows one for each
utterance. This process keeps one decoder of its own, only to look words up while building the
context grammars, and checks every result against the grammar it came from.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ivr.errors import SpeechModelError
from ivr.nlu.grammar import Grammar
from ivr.speech.fsg import WordGraph, accepts, context_graph, fsg_text
from ivr.speech.sphinx_decoding import (
    EDGE_NOISE_MS,
    GARBAGE_PREFIX,
    DecoderPool,
    DecoderProcess,
    new_decoder,
)
from ivr.speech.stt import Transcript, WordTiming

log = logging.getLogger(__name__)

ACCEPTED_CONFIDENCE = 0.9
"""PocketSphinx gives no useful posterior for grammar searches; an in-grammar result gets this."""
FRAME_MS = 10
PRESTARTED_DECODERS = 4
"""Worker processes started with the server: enough for several callers talking at once."""


class PocketSphinxEngine:
    """The model and the context grammars, shared by every call in the process."""

    name = "pocketsphinx"

    def __init__(self, grammar: Grammar, cache_dir: Path) -> None:
        self.grammar = grammar
        self.cache_dir = cache_dir / "pocketsphinx"
        self._lock = threading.Lock()
        self._graphs: dict[str, tuple[WordGraph, Path]] = {}
        self._building: dict[str, threading.Lock] = {}
        self._probe = new_decoder()
        self._probe_lock = threading.Lock()
        self.decoders = DecoderPool()

    def recognizer(self) -> PocketSphinxRecognizer:
        return PocketSphinxRecognizer(self)

    def prepare(self, context_sets: Iterable[Sequence[str]]) -> None:
        """Build every context grammar and start the decoder processes now, rather than in a
        caller's first turn (building `main` takes seconds)."""
        for contexts in context_sets:
            self.graph(contexts)
        self.decoders.prestart(PRESTARTED_DECODERS)

    def graph(self, contexts: Sequence[str]) -> tuple[str, WordGraph, Path]:
        """The grammar of a context set, built once and kept on disk between runs.

        Building `main` takes seconds: it happens under a lock of its own, so calls that need
        other grammars never wait for it.
        """
        name = "+".join(contexts)
        with self._lock:
            building = self._building.setdefault(name, threading.Lock())
        with building:
            if name not in self._graphs:
                self._graphs[name] = self._build(contexts)
            graph, path = self._graphs[name]
        return name, graph, path

    def close(self) -> None:
        self.decoders.close()

    def _build(self, contexts: Sequence[str]) -> tuple[WordGraph, Path]:
        def known(word: str) -> bool:
            with self._probe_lock:
                return self._probe.lookup_word(word) is not None

        graph = context_graph(self.grammar, contexts, known)
        text = fsg_text("+".join(contexts), graph, known, GARBAGE_PREFIX)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        path = self.cache_dir / f"{'+'.join(contexts)}-{digest}.fsg"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{threading.get_ident()}.tmp")
            temporary.write_text(text)
            temporary.replace(path)
        return graph, path


class PocketSphinxRecognizer:
    """One call's recogniser: borrows a decoder process for each utterance."""

    def __init__(self, engine: PocketSphinxEngine) -> None:
        self.engine = engine
        self._graph: WordGraph | None = None
        self._worker: DecoderProcess | None = None
        self._failed = False
        engine.decoders.call_started()
        self._ended = weakref.finalize(self, engine.decoders.call_ended)
        """Tells the pool this call is over, at close() or when forgotten unclosed."""

    def start(self, contexts: Sequence[str]) -> None:
        self._release()
        name, self._graph, path = self.engine.graph(contexts)
        self._worker = self.engine.decoders.borrow()
        self._failed = False
        try:
            self._worker.start(name, str(path))
        except (SpeechModelError, OSError) as exc:
            self._lose_worker(exc)

    def feed(self, pcm: np.ndarray) -> str:
        """Audio goes to the decoder process without waiting; no partial results here."""
        if self._worker is not None and not self._failed:
            try:
                self._worker.feed(pcm)
            except OSError as exc:
                self._lose_worker(exc)
        return ""

    def finish(self) -> Transcript:
        worker, self._worker = self._worker, None
        if worker is None:
            return Transcript("", 0.0, rejected=self._failed)
        try:
            segments = worker.finish()
        except (SpeechModelError, OSError) as exc:
            log.error("speech decoding failed: %s", exc)
            self.engine.decoders.discard(worker)
            return Transcript("", 0.0, rejected=True)
        self.engine.decoders.give_back(worker)
        said = [_clean(word) for word, _, _ in segments]
        if not said:  # speech was heard (the endpointer said so) but no grammar path fits it
            return Transcript("", 0.0, rejected=True)
        timings = tuple(WordTiming(_clean(word), first * FRAME_MS - EDGE_NOISE_MS,
                                   last * FRAME_MS - EDGE_NOISE_MS)
                        for word, first, last in segments)
        garbage = any(w.startswith(GARBAGE_PREFIX) for w in said)
        if garbage or self._graph is None or not accepts(self._graph, said):
            return Transcript("", 0.0, timings, rejected=True)
        return Transcript(" ".join(said), ACCEPTED_CONFIDENCE, timings)

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


def _clean(text: str) -> str:
    """Dictionary spellings back to plain words ("read(2)" → "read")."""
    return " ".join(w.split("(")[0] for w in text.split())
