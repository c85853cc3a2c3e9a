"""The espeak-ng synthesiser: pyttsx3 in worker processes, to 8 kHz audio for the phone.

pyttsx3's espeak driver is known to hang on repeated `runAndWait`, and a hung synthesiser in the
server process would leave every caller in silence. So synthesis runs in a child process that
is given a deadline per sentence: if it misses it or dies, it is killed and replaced, and the
caller hears the next prompt instead of nothing. Workers are also recycled after a number of
sentences, before any slow leak can matter, and whenever the voice changes: espeak-ng keeps some
state of the previous voice (a sentence after a Korean or a variant voice comes out longer),
and the same text in the same voice must always sound the same. Each worker
serves one request at a time; a small pool lets calls synthesise side by side without blocking
each other.
"""

from __future__ import annotations

import logging
import os
import queue
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from ivr.errors import AudioError, SynthesisError
from ivr.speech.codec import PHONE_RATE, decode_wav
from ivr.speech.processes import spawn_worker, stop_worker
from ivr.speech.tts import Voice

log = logging.getLogger(__name__)

DEADLINE_S = 20.0
"""A sentence that takes longer than this to synthesise means the engine has hung."""
RECYCLE_AFTER = 500
"""Sentences a worker speaks before it is replaced by a fresh process."""
WAV_HEADER_BYTES = 44
"""A WAV file this long holds no samples."""


def _worker(connection: Connection) -> None:  # pragma: no cover - runs in the child process
    """Serve (text, voice, rate, path) requests until the pipe closes."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # pyttsx3 prints "Audio saved to …" for every file
    import pyttsx3

    engine = pyttsx3.init("espeak")
    while True:
        try:
            text, voice, rate, path = connection.recv()
        except EOFError:
            return
        try:
            # espeak-ng's SetVoiceByName can undo an earlier rate, and pyttsx3 then ignores a
            # rate it believes is already set (250 wpm came out at 100): set it twice.
            engine.setProperty("rate", rate)
            engine.setProperty("voice", voice)
            engine.setProperty("rate", rate)
            if not _speak_to_file(engine, text, path):
                _speak_to_file(engine, text, path)  # pyttsx3 lost the samples: once more
            connection.send(None)
        except Exception as exc:  # reported to the parent, which decides what the caller hears
            connection.send(f"{type(exc).__name__}: {exc}")


def _speak_to_file(engine: Any, text: str, path: str) -> bool:  # pragma: no cover - child
    """Whether the sentence reached the file as audio."""
    engine.save_to_file(text, path)
    engine.runAndWait()
    return wait_for_audio(path)


def wait_for_audio(path: str) -> bool:
    """Whether the WAV file at `path` holds audio, once it has stopped changing.

    pyttsx3 sometimes returns from runAndWait while espeak is still writing the file (seen on a
    fresh worker's first sentence), so a missing or growing file is waited for, 10 ms a poll.
    It also sometimes writes a header with no samples (several sentences in a row, now and
    then): that is told at once, so the sentence is said again instead of the caller waiting
    out the two seconds."""
    last_size, steady = -1, 0
    for _ in range(200):
        size = os.path.getsize(path) if os.path.exists(path) else -1
        steady = steady + 1 if size == last_size and size >= WAV_HEADER_BYTES else 0
        if steady >= 3:
            return size > WAV_HEADER_BYTES
        last_size = size
        time.sleep(0.01)
    return False


class _Worker:
    """One synthesis process and its pipe."""

    def __init__(self) -> None:
        self.connection, self.process = spawn_worker(_worker, "ivr-tts")
        self.served = 0
        self.voice: Voice | None = None

    def speak(self, text: str, voice: Voice, path: str, deadline: float) -> None:
        self.voice = voice
        self.connection.send((text, voice.name, voice.rate, path))
        if not self.connection.poll(deadline):
            raise TimeoutError(f"no answer within {deadline:.0f} s")
        error = self.connection.recv()
        self.served += 1
        if error:
            raise SynthesisError(f"espeak-ng failed: {error}")

    def stop(self) -> None:
        stop_worker(self.connection, self.process)


class EspeakSynthesizer:
    """Text → 8 kHz int16 PCM through a pool of isolated pyttsx3 workers."""

    def __init__(self, voice: Voice | None = None, workers: int = 2,
                 deadline: float = DEADLINE_S) -> None:
        self.voice = voice or Voice()
        self.deadline = deadline
        self._pool: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(workers):
            self._pool.put(None)  # started on first use, so importing costs nothing
        self._closed = threading.Event()

    def synthesize(self, text: str, voice: Voice | None = None) -> np.ndarray:
        """Speak `text`; one retry if the first attempt fails (on a fresh worker if the first
        one hung or died, on the same one if it only wrote no audio)."""
        voice = voice or self.voice
        if not text.strip():
            return np.zeros(0, np.int16)
        try:
            return self._attempt(text, voice)
        except (TimeoutError, EOFError, OSError, AudioError) as first:
            log.warning("synthesis failed (%s); retrying once", first)
            try:
                return self._attempt(text, voice)
            except (TimeoutError, EOFError, OSError, AudioError) as second:
                raise SynthesisError(f"speech synthesis failed twice: {second}") from second

    def close(self) -> None:
        """Stop every worker process."""
        self._closed.set()
        while True:
            try:
                worker = self._pool.get_nowait()
            except queue.Empty:
                return
            if worker:
                worker.stop()

    def _attempt(self, text: str, voice: Voice) -> np.ndarray:
        worker = self._pool.get()
        try:
            if (worker is None or worker.served >= RECYCLE_AFTER or not worker.process.is_alive()
                    or worker.voice not in (None, voice)):
                if worker:
                    worker.stop()
                worker = _Worker()
            with tempfile.TemporaryDirectory(prefix="ivr-tts-") as folder:
                path = str(Path(folder) / "speech.wav")
                try:
                    worker.speak(text, voice, path, self.deadline)
                except (TimeoutError, EOFError, OSError):
                    worker.stop()
                    worker = None
                    raise
                raw = Path(path).read_bytes() if Path(path).exists() else b""
            audio = decode_wav(raw, PHONE_RATE) if raw else np.zeros(0, np.int16)
            if not audio.size:
                raise AudioError("the synthesiser wrote no audio")
            return audio
        finally:
            self._pool.put(worker)
