"""Telephone audio to the log-mel window Whisper reads.

Whisper was trained on 30 s windows and CTranslate2 pads every input to one unless it is given a
shorter one; a caller's turn is a few seconds, so the window here is the speech plus
PADDING_S of silence, in whole seconds. That costs a fifth of the 30 s window and understood
more of the manifest, not less (BENCHMARKS.md); the repetition loops a short window can start
are bounded by the output length and folded away afterwards (readings.py).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ivr.speech.codec import PHONE_RATE

MODEL_RATE = 16000
FRAMES_PER_SECOND = 100
PADDING_S = 1.0
"""Silence after the speech inside the window."""
MAX_WINDOW_S = 30
"""Whisper's longest window; the endpointer cuts a turn off well before it (15 s)."""


def window_seconds(samples: int) -> int:
    """The window, in whole seconds, for this many samples of 8 kHz audio."""
    return min(MAX_WINDOW_S, math.ceil(samples / PHONE_RATE + PADDING_S))


def window_features(pcm: np.ndarray, extractor: Any) -> tuple[np.ndarray, float]:
    """8 kHz int16 audio → ([n_mels, frames] log-mel features, seconds of audio)."""
    import soxr

    audio = soxr.resample(pcm.astype(np.float32) / 32768.0, PHONE_RATE, MODEL_RATE)
    seconds = len(audio) / MODEL_RATE
    window_s = window_seconds(len(pcm))
    samples = window_s * MODEL_RATE
    padded = np.zeros(samples, np.float32)
    padded[:min(len(audio), samples)] = audio[:samples]
    features = extractor(padded)[:, :window_s * FRAMES_PER_SECOND]
    return np.ascontiguousarray(features, dtype=np.float32), min(seconds, MAX_WINDOW_S)
