"""PocketSphinx decoding in worker processes, so one call's recognition never holds the
server's GIL (PocketSphinx does not release it: two threads decode no faster than one).

A worker process owns one decoder and decodes one utterance at a time: a call borrows a worker
when speech starts and gives it back when the utterance ends, so a handful of workers serve
many calls (callers mostly listen). Audio goes down the pipe as 8 kHz int16 without waiting for
an answer, and the words heard so far come back up it, unasked, as they change; only the end
of an utterance waits, for the words, their frames and the n-best alternatives. The parent
keeps the grammar side (building the context language models) and judges the results
(ivr.speech.consensus).
"""

from __future__ import annotations

import itertools
import logging
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from ivr.errors import SpeechModelError
from ivr.speech.processes import spawn_worker, stop_worker

log = logging.getLogger(__name__)

MODEL_RATE = 16000
EDGE_NOISE_MS = 200
"""Comfort noise before each utterance: the model mistakes digital silence and clipped starts
for speech, and an endpointed utterance may begin right on its first phone. None after it: an
utterance ends with the endpointer's trailing silence already, and noise decoded after the
endpoint fired is latency (and was measured to understand no more)."""
TELEPHONE_CMN = ("41.84,21.92,-34.87,37.57,-28.27,-0.01,6.57,-32.44,16.50,-12.52,6.86,3.24,"
                 "-19.00")
"""Cepstral means of telephone-band speech (taken over the fixture manifest after live
adaptation). Each utterance starts from these instead of the wideband model's defaults or the
previous caller's voice (and from a fresh noise estimate: _forget_noise), so results do not
depend on which call used the decoder before, and the first words of a call are heard as well
as the last. Means taken again over more voices differ little and did no better."""
SEARCH_OPTIONS = {"fwdflat": False, "fillprob": 1e-4}
"""PocketSphinx's default beams, without its second (flat-lexicon) pass, and noise fillers
([NOISE], [SPEECH]) more likely than its default 1e-8. The flat pass costs a fifth more CPU
for about as many right answers; likelier fillers soak up noise that would otherwise become
shop words. Narrower beams lose intents with the language-model search."""
TELEPHONE_TRANSFORM = Path(__file__).with_name("telephone.mllr")
"""The bundled model's means moved towards speech heard over a phone line (MLLR, estimated from
a real person's telephone recordings: telephone_adaptation.py). The model was trained on
16 kHz speech and a call brings 8 kHz μ-law; the transform understands more of the manifest
at no extra decoding cost, and other real people are heard no worse (BENCHMARKS.md,
"Telephone transform")."""
RESULT_TIMEOUT_S = 10.0
MAX_WORKERS = 32
"""Decoder processes kept at most (about 135 MB each: 4.3 GB for 32), one per call in progress;
callers beyond that still get one, started when they speak (a second's wait)."""

ALTERNATIVES = 10
"""N-best word sequences returned with each utterance (about 5 ms, at most 30, after it ends):
PocketSphinx gives no usable confidence of its own, and how many of these mean the same as the
best answer is one (ivr.speech.consensus)."""

PARTIAL_EVERY_MS = 200
"""How often (in audio) the worker looks at its best reading so far and, if it changed, sends
it up as the partial result: often enough to follow a sentence word by word; each look is a
backtrace over the words so far, a small cost beside the acoustic scoring."""

Segment = tuple[str, int, int]
"""A recognised word (plain spelling) with its first and last 10 ms frame."""


@dataclass(frozen=True)
class Decoded:
    """One utterance's result from a worker."""

    words: list[Segment]
    """The best word sequence; empty when no words came of the speech."""
    alternatives: list[str]
    """The first ALTERNATIVES n-best word sequences, best first (plain spellings)."""


def new_decoder(adapted: bool = True) -> Any:
    """A decoder on the bundled model, adapted to the telephone line unless told not to (the
    adaptation itself starts from the model as it is)."""
    from pocketsphinx import Decoder  # noqa: PLC0415 - loaded where decoding happens only

    channel = {"mllr": str(TELEPHONE_TRANSFORM)} if adapted else {}
    try:
        # No dither: PocketSphinx draws it from one generator for the whole process, which
        # made a call's results depend on every other call decoded before it.
        decoder = Decoder(samprate=MODEL_RATE, dither=False, loglevel="FATAL",
                          **SEARCH_OPTIONS, **channel)
    except RuntimeError as exc:
        raise SpeechModelError(
            f"PocketSphinx could not load its bundled English model ({exc}); reinstall "
            "the pocketsphinx package (scripts/dev sets it up)") from exc
    return decoder


class UtteranceDecoder:
    """The worker side of one utterance: resampling, comfort noise, the decoder."""

    def __init__(self, decoder: Any) -> None:
        import soxr  # noqa: PLC0415 - the worker process's own imports

        self.decoder = decoder
        self.loaded: set[str] = set()
        self.resampler = soxr.ResampleStream(8000, MODEL_RATE, 1, dtype="int16")
        self.noise = np.random.default_rng(0)
        self.active = False
        self.unread_samples = 0
        self.partial = ""

    def start(self, name: str, search_path: str) -> None:
        """Start an utterance searched with a word graph (.fsg) or a language model (ARPA)."""
        import soxr  # noqa: PLC0415

        if self.active:
            self.decoder.end_utt()
        if name not in self.loaded:
            if search_path.endswith(".fsg"):
                self.decoder.add_fsg(name, self.decoder.read_fsg(search_path))
            else:
                self.decoder.add_lm_file(name, search_path)
            self.loaded.add(name)
        self.decoder.activate_search(name)
        self.decoder.set_cmn(TELEPHONE_CMN)
        _forget_noise(self.decoder)
        self.resampler = soxr.ResampleStream(8000, MODEL_RATE, 1, dtype="int16")
        self.noise = np.random.default_rng(0)
        self.decoder.start_utt()
        self.active = True
        self.unread_samples, self.partial = 0, ""
        self.decode(self.comfort_noise(), last=False)

    def decode(self, pcm: np.ndarray, last: bool) -> None:
        upsampled = self.resampler.resample_chunk(pcm, last=last)
        if len(upsampled):
            self.decoder.process_raw(upsampled.tobytes(), False, False)

    def feed(self, pcm: np.ndarray) -> str | None:
        """Decode a chunk of the caller's audio; the words heard so far when it is time to look
        and they changed, else None."""
        self.decode(pcm, last=False)
        self.unread_samples += len(pcm)
        if not self.active or self.unread_samples < 8 * PARTIAL_EVERY_MS:
            return None
        self.unread_samples = 0
        partial = self.heard_so_far()
        if partial == self.partial:
            return None
        self.partial = partial
        return partial

    def heard_so_far(self) -> str:
        """The best reading of the audio decoded so far (plain spellings)."""
        hypothesis = self.decoder.hyp() if self.active else None
        words = hypothesis.hypstr.split() if hypothesis is not None else []
        return " ".join(_plain(w) for w in words if _spoken(w))

    def finish(self) -> Decoded:
        if not self.active:
            return Decoded([], [])
        self.decode(np.zeros(0, np.int16), last=True)  # flushes the resampler
        self.decoder.end_utt()
        self.active = False
        if not self.decoder.hyp():
            return Decoded([], [])
        words = [(_plain(s.word), s.start_frame, s.end_frame) for s in self.decoder.seg()
                 if _spoken(s.word)]
        alternatives = [" ".join(_plain(w) for w in entry.hypstr.split() if _spoken(w))
                        for entry in itertools.islice(self.decoder.nbest(), ALTERNATIVES)
                        if entry is not None]
        return Decoded(words, alternatives)

    def abort(self) -> None:
        if self.active:
            self.decoder.end_utt()
            self.active = False

    def comfort_noise(self) -> np.ndarray:
        return self.noise.normal(0, 12, 8 * EDGE_NOISE_MS).astype(np.int16)


def _forget_noise(decoder: Any) -> None:
    """Start the utterance's noise estimate afresh. The bundled model's feat.params switches on
    PocketSphinx's spectral noise subtraction (a `remove_noise` argument to the Decoder does not
    override it), which tracks the noise floor of everything decoded, and starting an
    utterance does not reset it: a pooled decoder heard a caller differently depending on the
    utterances, of any call, it had decoded before. start_stream() resets it: PocketSphinx 5
    marks it deprecated as unnecessary, but start_utt() does not."""
    if not decoder.config["remove_noise"]:
        return  # nothing to reset (start_stream() would fail)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        decoder.start_stream()


def _plain(word: str) -> str:
    """The spelling: "read(2)" is the dictionary's second pronunciation of "read"."""
    return word.partition("(")[0]


def _spoken(word: str) -> bool:
    """Not silence (<sil>, <s>) or a filler ([NOISE], [SPEECH])."""
    return word[:1] not in "<["


def _serve(connection: Connection) -> None:  # pragma: no cover - runs in the worker process
    """Decode utterances for the parent until the pipe closes."""
    try:
        utterance = UtteranceDecoder(new_decoder())
    except SpeechModelError as exc:
        connection.send(("error", str(exc)))
        return
    connection.send(("ready", None))
    handlers: dict[str, Callable[..., object]] = {
        "start": utterance.start,
        "feed": lambda raw: utterance.feed(np.frombuffer(raw, np.int16)),
        "finish": utterance.finish, "abort": utterance.abort, "hyp": utterance.heard_so_far}
    # The parent's number of the utterance being decoded: a partial result names it, so one
    # still on its way when the parent moved on to the next utterance is known as old.
    heard_in = 0
    while True:
        try:
            command, *arguments = connection.recv()
        except EOFError:
            return
        if command == "start":
            heard_in, *arguments = arguments
        try:
            result = handlers[command](*arguments)
        except Exception as exc:  # reported to the parent, which rejects the utterance
            connection.send(("error", f"{type(exc).__name__}: {exc}"))
            continue
        if command == "finish":
            connection.send(("decoded", result))
        elif command == "hyp":
            connection.send(("heard", (heard_in, result)))
        elif command == "feed" and result is not None:
            connection.send(("partial", (heard_in, result)))


class DecoderProcess:
    """The parent's handle on one worker process."""

    def __init__(self) -> None:
        self.connection, self.process = spawn_worker(_serve, "ivr-sphinx")
        self._ready = False
        self._utterance = 0
        self.partial = ""
        """The words heard so far in this utterance, as of the last partial_result()."""
        self._error: str | None = None
        """A worker error read while looking for partial results, for finish() to raise."""

    def wait_ready(self, timeout: float = 60.0) -> None:
        if self._ready:
            return
        kind, detail = self._reply(timeout)
        if kind != "ready":
            raise SpeechModelError(str(detail))
        self._ready = True

    def start(self, name: str, search_path: str) -> None:
        self.wait_ready()
        self._utterance += 1
        self.partial, self._error = "", None
        self.connection.send(("start", self._utterance, name, search_path))

    def feed(self, pcm: np.ndarray) -> None:
        self.connection.send(("feed", pcm.astype(np.int16).tobytes()))

    def partial_result(self) -> str:
        """The words heard so far in this utterance, from what the worker has sent up (never
        waits for it)."""
        try:
            while self._error is None and self.connection.poll(0):
                self._read(*self.connection.recv())
        except (EOFError, OSError) as exc:
            raise SpeechModelError(f"speech decoder process died: {exc}") from exc
        return self.partial

    def heard_so_far(self) -> str:
        """The words heard in all the audio sent so far: waits for the worker to decode what it
        has not yet (in a call it keeps up, so a few milliseconds)."""
        self.connection.send(("hyp",))
        while self._error is None:
            kind, detail = self._reply(RESULT_TIMEOUT_S)
            if kind == "heard" and isinstance(detail, tuple) and detail[0] == self._utterance:
                self.partial = str(detail[1])
                break
            self._read(kind, detail)
        return self.partial

    def finish(self) -> Decoded:
        """The words of the utterance; raises SpeechModelError if the worker failed."""
        self.connection.send(("finish",))
        while self._error is None:
            kind, detail = self._reply(RESULT_TIMEOUT_S)
            if kind == "decoded" and isinstance(detail, Decoded):
                return detail
            self._read(kind, detail)
        raise SpeechModelError(f"speech decoder failed: {self._error}")

    def _read(self, kind: str, detail: object) -> None:
        """A message the worker sent of its own: a partial result or an error."""
        if kind == "error":  # an earlier command failed: this utterance is lost
            self._error = str(detail)
        elif kind == "partial" and isinstance(detail, tuple) and detail[0] == self._utterance:
            self.partial = str(detail[1])

    def abort(self) -> None:
        self.connection.send(("abort",))

    @property
    def healthy(self) -> bool:
        return self.process.is_alive() and not self.connection.closed

    def stop(self) -> None:
        stop_worker(self.connection, self.process)

    def _reply(self, timeout: float) -> tuple[str, object]:
        try:
            if not self.connection.poll(timeout):
                raise SpeechModelError(f"speech decoder gave no answer within {timeout:.0f} s")
            kind, detail = self.connection.recv()
        except (EOFError, OSError) as exc:
            raise SpeechModelError(f"speech decoder process died: {exc}") from exc
        return str(kind), detail


class DecoderPool:
    """Idle worker processes; grows when every worker is busy (up to MAX_WORKERS).

    Starting a worker takes about a second (it loads the model), so the pool also grows ahead
    of demand: a worker for every call in progress, started in the background while the call's
    greeting plays, rather than when its caller first speaks: twenty callers answering their
    greetings at once would otherwise wait for sixteen workers starting together.
    """

    def __init__(self) -> None:
        self._idle: list[DecoderProcess] = []
        self._lock = threading.Lock()
        self._count = 0
        self._calls = 0
        self._closed = False

    def call_started(self) -> None:
        """One more call may speak: make sure a worker will be there (in the background)."""
        with self._lock:
            self._calls += 1
            missing = min(MAX_WORKERS, self._calls) - self._count
            self._count += max(0, missing)
        if missing > 0:
            threading.Thread(target=self._add_workers, args=(missing,), daemon=True,
                             name="sphinx-spare").start()

    def call_ended(self) -> None:
        with self._lock:
            self._calls -= 1

    def _add_workers(self, count: int) -> None:
        for _ in range(count):
            worker = DecoderProcess()
            try:
                worker.wait_ready()
            except SpeechModelError as exc:
                if threading.main_thread().is_alive():  # else it ended with this process
                    log.error("could not start a spare speech decoder: %s", exc)
                worker.stop()
                with self._lock:
                    self._count -= 1
                continue
            self.give_back(worker)

    @property
    def size(self) -> int:
        """Worker processes started and not discarded (idle or lent out)."""
        with self._lock:
            return self._count

    def prestart(self, count: int) -> None:
        """Start workers ahead of the first calls (each loads the model: about a second)."""
        started = [DecoderProcess() for _ in range(max(0, count - self._count))]
        for worker in started:
            worker.wait_ready()
        with self._lock:
            self._count += len(started)
            self._idle.extend(started)

    def borrow(self) -> DecoderProcess:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.healthy:
                    return worker
                self._count -= 1
            if self._count >= MAX_WORKERS:
                log.warning("all %d speech decoders busy; starting one more", MAX_WORKERS)
            self._count += 1
        return DecoderProcess()

    def give_back(self, worker: DecoderProcess) -> None:
        with self._lock:
            if worker.healthy and not self._closed:
                self._idle.append(worker)
                return
            self._count -= 1
        worker.stop()

    def discard(self, worker: DecoderProcess) -> None:
        worker.stop()
        with self._lock:
            self._count -= 1

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()
