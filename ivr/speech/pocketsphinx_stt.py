"""PocketSphinx, the zero-download default: the English model inside the `pocketsphinx` wheel,
constrained per context by a finite-state grammar generated from grammars/.

Telephone audio is 8 kHz; the bundled model is 16 kHz, so audio is resampled on the way in
(soxr's streaming resampler, one per recogniser). Decoders are not thread-safe and loading one
takes about half a second, so the engine keeps a pool: a call borrows a decoder for its lifetime
and gives it back at the end. Each decoder loads a context's grammar the first time a call on it
needs that context.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import soxr
from pocketsphinx import Decoder

from ivr.errors import SpeechModelError
from ivr.nlu.grammar import Grammar
from ivr.speech.fsg import GARBAGE_WORDS, WordGraph, accepts, context_graph, fsg_text
from ivr.speech.stt import Transcript, WordTiming

log = logging.getLogger(__name__)

MODEL_RATE = 16000
GARBAGE_PREFIX = "garbage_"
"""Dictionary entries for the garbage loop: same sounds as the everyday word, a name that says
the result came from outside the grammar."""
ACCEPTED_CONFIDENCE = 0.9
"""PocketSphinx gives no useful posterior for grammar searches; an in-grammar result gets this."""
EDGE_NOISE_MS = 200
"""Comfort noise around each utterance: the model mistakes digital silence and clipped starts
for speech, and an endpointed utterance may begin right on its first phone."""
FRAME_MS = 10
TELEPHONE_CMN = ("41.84,21.92,-34.87,37.57,-28.27,-0.01,6.57,-32.44,16.50,-12.52,6.86,3.24,"
                 "-19.00")
"""Cepstral means of telephone-band speech (measured over the fixture manifest after live
adaptation). Each utterance starts from these instead of the wideband model's defaults or the
previous caller's voice: results no longer depend on which call used the decoder before, and
the first words of a call are heard as well as the last."""


class PocketSphinxEngine:
    """The model and the context grammars, shared by every call in the process."""

    name = "pocketsphinx"

    def __init__(self, grammar: Grammar, cache_dir: Path) -> None:
        self.grammar = grammar
        self.cache_dir = cache_dir / "pocketsphinx"
        self._lock = threading.Lock()
        self._idle: list[_PooledDecoder] = []
        self._graphs: dict[str, tuple[WordGraph, Path]] = {}
        self._building: dict[str, threading.Lock] = {}
        probe = self._new_decoder()
        self._idle.append(probe)

    def recognizer(self) -> PocketSphinxRecognizer:
        with self._lock:
            decoder = self._idle.pop() if self._idle else None
        return PocketSphinxRecognizer(self, decoder or self._new_decoder())

    def prepare(self, context_sets: Iterable[Sequence[str]]) -> None:
        """Build every context grammar now (seconds for `main`) rather than in a caller's
        first turn, and load them into a pooled decoder."""
        with self._lock:
            pooled = self._idle.pop() if self._idle else None
        pooled = pooled or self._new_decoder()
        try:
            for contexts in context_sets:
                name, _, path = self.graph(contexts, pooled.decoder)
                pooled.load(name, path)
        finally:
            self.give_back(pooled)

    def give_back(self, decoder: _PooledDecoder) -> None:
        with self._lock:
            self._idle.append(decoder)

    def graph(self, contexts: Sequence[str], decoder: Decoder) -> tuple[str, WordGraph, Path]:
        """The grammar of a context set, built once and kept on disk between runs.

        Building `main` takes seconds: it happens under a lock of its own, so calls that need
        other grammars (or only a decoder) never wait for it.
        """
        name = "+".join(contexts)
        with self._lock:
            building = self._building.setdefault(name, threading.Lock())
        with building:
            if name not in self._graphs:
                self._graphs[name] = self._build(contexts, decoder)
            graph, path = self._graphs[name]
        return name, graph, path

    def _build(self, contexts: Sequence[str], decoder: Decoder) -> tuple[WordGraph, Path]:
        def known(word: str) -> bool:
            return decoder.lookup_word(word) is not None

        graph = context_graph(self.grammar, contexts, known)
        text = fsg_text("+".join(contexts), graph, known, GARBAGE_PREFIX)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        path = self.cache_dir / f"{'+'.join(contexts)}-{digest}.fsg"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return graph, path

    def _new_decoder(self) -> _PooledDecoder:
        try:
            # No dither: PocketSphinx draws it from one generator for the whole process, which
            # made a call's results depend on every other call decoded before it.
            decoder = Decoder(samprate=MODEL_RATE, dither=False, loglevel="FATAL")
        except RuntimeError as exc:
            raise SpeechModelError(
                f"PocketSphinx could not load its bundled English model ({exc}); reinstall "
                "the pocketsphinx package (scripts/dev sets it up)") from exc
        for word in GARBAGE_WORDS:
            phones = decoder.lookup_word(word)
            if phones:
                decoder.add_word(GARBAGE_PREFIX + word, phones, False)
        return _PooledDecoder(decoder)


class _PooledDecoder:
    """A decoder and the context grammars already loaded into it."""

    def __init__(self, decoder: Decoder) -> None:
        self.decoder = decoder
        self.searches: set[str] = set()

    def load(self, name: str, path: Path) -> None:
        """Make a context grammar available to this decoder (once)."""
        if name not in self.searches:
            self.decoder.add_fsg(name, self.decoder.read_fsg(str(path)))
            self.searches.add(name)


class PocketSphinxRecognizer:
    """One call's recogniser on a borrowed decoder."""

    def __init__(self, engine: PocketSphinxEngine, pooled: _PooledDecoder) -> None:
        self.engine = engine
        self.pooled = pooled
        self._graph: WordGraph | None = None
        self._resampler: soxr.ResampleStream | None = None
        self._in_utterance = False
        self._noise = np.random.default_rng(0)

    def start(self, contexts: Sequence[str]) -> None:
        decoder = self.pooled.decoder
        if self._in_utterance:
            decoder.end_utt()
        name, self._graph, path = self.engine.graph(contexts, decoder)
        self.pooled.load(name, path)
        decoder.activate_search(name)
        decoder.set_cmn(TELEPHONE_CMN)
        self._resampler = soxr.ResampleStream(8000, MODEL_RATE, 1, dtype="int16")
        decoder.start_utt()
        self._in_utterance = True
        self._decode(self._comfort_noise(), last=False)

    def feed(self, pcm: np.ndarray) -> str:
        if not self._in_utterance:
            return ""
        self._decode(pcm, last=False)
        hypothesis = self.pooled.decoder.hyp()
        return _clean(hypothesis.hypstr) if hypothesis else ""

    def finish(self) -> Transcript:
        if not self._in_utterance:
            return Transcript("", 0.0)
        decoder = self.pooled.decoder
        self._decode(self._comfort_noise(), last=True)
        decoder.end_utt()
        self._in_utterance = False
        hypothesis = decoder.hyp()
        words = [s for s in decoder.seg() if s.word[:1] not in "<[" ] if hypothesis else []
        said = [_clean(s.word) for s in words]
        if not said:  # speech was heard (the endpointer said so) but no grammar path fits it
            return Transcript("", 0.0, rejected=True)
        timings = tuple(WordTiming(_clean(s.word), s.start_frame * FRAME_MS - EDGE_NOISE_MS,
                                   s.end_frame * FRAME_MS - EDGE_NOISE_MS) for s in words)
        garbage = any(w.startswith(GARBAGE_PREFIX) for w in said)
        if garbage or self._graph is None or not accepts(self._graph, said):
            return Transcript("", 0.0, timings, rejected=True)
        return Transcript(" ".join(said), ACCEPTED_CONFIDENCE, timings)

    def close(self) -> None:
        if self._in_utterance:
            self.pooled.decoder.end_utt()
            self._in_utterance = False
        self.engine.give_back(self.pooled)

    def _decode(self, pcm: np.ndarray, last: bool) -> None:
        assert self._resampler is not None
        upsampled = self._resampler.resample_chunk(pcm.astype(np.int16), last=last)
        if len(upsampled):
            self.pooled.decoder.process_raw(upsampled.tobytes(), False, False)

    def _comfort_noise(self) -> np.ndarray:
        return self._noise.normal(0, 12, 8 * EDGE_NOISE_MS).astype(np.int16)


def _clean(text: str) -> str:
    """Dictionary spellings back to plain words ("read(2)" → "read")."""
    return " ".join(w.split("(")[0] for w in text.split())
