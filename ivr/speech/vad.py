"""Silero VAD (the ONNX model faster-whisper ships) as a second opinion on which frames hold
speech, for the endpointer.

The energy endpointer alone takes any loud new sound for speech until its noise floor has
caught up: a caller phoning from beside a fan, a radio or a road cut the greeting off within
its first half second, and in noise that swells and falls it waited about 400 ms longer for the
end of a turn. With Silero's agreement required as well, none of those cut a prompt off, and a
turn in noise ended 420 ms sooner; speech is noticed about 80 ms later, well inside the
pre-roll (benchmarks/vad.py, BENCHMARKS.md).

One ONNX session per process (inference on it is thread-safe); each call's endpointer keeps
its own stream state (the model's LSTM state, the last samples before the next chunk, a resampler).
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import soxr

from ivr.errors import SpeechModelError
from ivr.speech.codec import PHONE_RATE

MODEL_RATE = 16000
CHUNK = 512
"""Samples per decision at 16 kHz: 32 ms."""
CONTEXT = 64
"""Samples of the previous chunk the model sees before each one."""
SPEECH_PROBABILITY = 0.5
"""Silero's own default threshold."""


@functools.cache
def speech_model() -> Any:
    """The process's ONNX session, loaded on first use (about 20 ms). onnxruntime is imported
    here, in the process that serves calls, never at import time: imported before gunicorn
    forked its worker, it left the worker hanging for 30 s at exit beside CTranslate2, and
    aborting beside PocketSphinx (tests/web/test_serve.py checks a clean stop)."""
    import onnxruntime  # noqa: PLC0415 - see above
    options = onnxruntime.SessionOptions()
    options.inter_op_num_threads = 1
    options.intra_op_num_threads = 1
    options.log_severity_level = 4
    return onnxruntime.InferenceSession(str(_model_path()), sess_options=options,
                                        providers=["CPUExecutionProvider"])


def _model_path() -> Path:
    """Inside the faster-whisper package, found without importing it (and CTranslate2)."""
    spec = importlib.util.find_spec("faster_whisper")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / "assets" / "silero_vad_v6.onnx"
        if path.is_file():
            return path
    raise SpeechModelError("Silero VAD's model comes with faster-whisper: `pip install "
                           "faster-whisper` (the README's setup does), or set IVR_VAD=energy")


class SpeechStream:
    """One call's Silero state: feed every 20 ms frame in order."""

    def __init__(self) -> None:
        self._session = speech_model()
        self._resampler = soxr.ResampleStream(PHONE_RATE, MODEL_RATE, 1, dtype="float32")
        self._pending = np.zeros(0, np.float32)
        self._context = np.zeros(CONTEXT, np.float32)
        self._state = (np.zeros((1, 1, 128), np.float32), np.zeros((1, 1, 128), np.float32))
        self._probability = 0.0

    def is_speech(self, frame: np.ndarray) -> bool:
        """8 kHz int16 in; whether the latest whole 32 ms chunk sounded like speech."""
        audio = self._resampler.resample_chunk(frame.astype(np.float32) / 32768.0)
        self._pending = np.concatenate([self._pending, audio])
        while len(self._pending) >= CHUNK:
            chunk, self._pending = self._pending[:CHUNK], self._pending[CHUNK:]
            self._probability = self._run(chunk)
        return self._probability > SPEECH_PROBABILITY

    def _run(self, chunk: np.ndarray) -> float:
        model_input = np.concatenate([self._context, chunk])[None, :]
        probability, h, c = self._session.run(
            None, {"input": model_input, "h": self._state[0], "c": self._state[1]})
        self._state = (h, c)
        self._context = chunk[-CONTEXT:]
        return float(np.asarray(probability).reshape(-1)[0])
