"""flite's voices for the audio fixtures: speech built from recordings of people (CMU's slt,
rms, awb and kal16), so the manifest does not judge recognition on espeak-ng's formant voice
alone. The bundled PocketSphinx model hears the two very differently (BENCHMARKS.md), and
callers sound like people.

Only `ivr fixtures build` uses it; the bot itself speaks with pyttsx3 (ivr.speech.tts).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import numpy as np

from ivr.errors import AudioError
from ivr.speech.codec import read_wav

PREFIX = "flite:"
"""Manifest voices named "flite:slt" are spoken by flite's slt voice."""
NATURAL_RATE = 170
"""Words per minute flite speaks at its natural pace; other rates stretch its durations."""
TIMEOUT_S = 60


def is_flite_voice(voice: str) -> bool:
    return voice.startswith(PREFIX)


def flite_speech(text: str, voice: str, rate: int) -> np.ndarray:
    """`text` spoken by the flite voice named `voice` ("flite:slt") at about `rate` words per
    minute, as 8 kHz int16 PCM."""
    program = _program()
    name = voice.removeprefix(PREFIX)
    if name not in _voices(program):  # flite itself falls back to another voice silently
        raise AudioError(f"flite has no voice {name!r}; it has {', '.join(_voices(program))}")
    with tempfile.TemporaryDirectory(prefix="ivr-flite-") as folder:
        path = Path(folder) / "speech.wav"
        try:
            subprocess.run([program, "-voice", name, "--setf",
                            f"duration_stretch={NATURAL_RATE / rate:.3f}", "-t", text,
                            "-o", str(path)], check=True, capture_output=True,
                           timeout=TIMEOUT_S)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise AudioError(f"flite could not speak {text!r} as {voice}: {exc}") from exc
        return read_wav(path)


def _program() -> str:
    program = shutil.which("flite")
    if program is None:
        raise AudioError("flite is not installed: apt-get install flite "
                         "(scripts/dev test installs it)")
    return program


@cache
def _voices(program: str) -> tuple[str, ...]:
    """The voices compiled into this flite ("Voices available: kal awb_time kal16 ...")."""
    listing = subprocess.run([program, "-lv"], capture_output=True, text=True, check=False,
                             timeout=TIMEOUT_S).stdout
    return tuple(listing.partition(":")[2].split())
