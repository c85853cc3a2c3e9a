"""Audio fixtures: the manifest of single utterances and `ivr fixtures build`, which synthesises
them as telephone audio (several voices and speeds, 8 kHz μ-law, some with background noise).

A manifest may also list recordings of people (`voice: recorded`, or `recorded:<speaker>`):
their WAVs are put in wav/ by hand, in any common format, and the builder never synthesises or
overwrites them. `ivr replay --report` scores them as a family of their own, beside the
synthesised voices.

Noise is seeded from the utterance id, so a rebuild differs only by espeak-ng's own jitter of a
few samples; `build` rewrites a file only when its length changes by more than that, so a changed
manifest entry rewrites only its own file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ivr.errors import AudioError
from ivr.speech.codec import PHONE_RATE, pcm_to_ulaw, to_int16, ulaw_wav_bytes
from ivr.speech.tts import Synthesizer, Voice
from ivr.speech.tts.flite import flite_speech, is_flite_voice

LINE_NOISE = 12.0
"""Standard deviation of the faint hiss on every fixture: real lines are never digitally silent."""
JITTER = 0.02
"""Length difference below which a rebuilt file counts as the same (espeak-ng varies a little)."""
EDGE_MS = 300
"""Line noise before and after each utterance, as a caller's audio would have around speech."""
RECORDED = "recorded"
"""The voice of a manifest entry that is a recording of a person, not synthesised."""


@dataclass(frozen=True)
class Utterance:
    """One manifest entry."""

    id: str
    context: str
    intent: str | None
    """The expected intent; None for out-of-domain speech and silence."""
    text: str = ""
    voice: str = "en-us"
    """An espeak-ng voice ("en-gb+f3"), a flite voice ("flite:slt"), or "recorded" /
    "recorded:<speaker>" for a recording of a person."""
    rate: int = 160
    slots: dict[str, str] = field(default_factory=dict)
    noise_snr_db: float | None = None
    """Background noise at this signal-to-noise ratio; None for a clean line."""
    silence_s: float = 0.0
    """For silence entries: how long the caller says nothing."""
    language: str = "en"
    """The language spoken (Whisper's code): callers who speak another language must be told
    the bot speaks English and offered a person, never understood as a request."""

    def wav(self, folder: Path) -> Path:
        return folder / "wav" / f"{self.id}.wav"

    @property
    def recorded(self) -> bool:
        return self.voice.partition(":")[0] == RECORDED

    @property
    def source(self) -> str:
        """Where the audio comes from: "recorded" (a person), or the program that speaks it,
        "flite" or "espeak-ng". Each is scored apart: they are heard very differently."""
        if self.recorded:
            return RECORDED
        return "flite" if is_flite_voice(self.voice) else "espeak-ng"


def load_manifest(path: Path) -> list[Utterance]:
    """Read manifest.yaml; raise AudioError naming the entry that is wrong."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AudioError(f"{path}: cannot read the fixture manifest ({exc})") from exc
    entries = data.get("utterances") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise AudioError(f"{path}: expected a list under 'utterances'")
    utterances = []
    for number, entry in enumerate(entries, 1):
        try:
            utterance = Utterance(**entry)
        except TypeError as exc:
            raise AudioError(f"{path}: utterance {number}: {exc}") from exc
        if utterance.recorded and utterance.noise_snr_db is not None:
            raise AudioError(f"{path}: utterance {number} ({utterance.id}): noise is mixed "
                             "into synthesised entries only, not into a recording")
        utterances.append(utterance)
    ids = [u.id for u in utterances]
    if len(set(ids)) != len(ids):
        raise AudioError(f"{path}: utterance ids must be unique")
    return utterances


def render(utterance: Utterance, synthesizer: Synthesizer) -> bytes:
    """One utterance as a μ-law WAV file's bytes (synthesised entries only)."""
    if utterance.recorded:
        raise AudioError(f"{utterance.id} is a recording: it is not synthesised")
    rng = np.random.default_rng(int(hashlib.sha256(utterance.id.encode()).hexdigest()[:8], 16))
    if utterance.text and is_flite_voice(utterance.voice):
        speech = flite_speech(utterance.text, utterance.voice, utterance.rate)
    elif utterance.text:
        speech = synthesizer.synthesize(utterance.text, Voice(utterance.voice, utterance.rate))
    else:
        speech = np.zeros(int(utterance.silence_s * PHONE_RATE), np.int16)
    edge = np.zeros(PHONE_RATE * EDGE_MS // 1000, np.int16)
    signal = np.concatenate([edge, speech, edge]).astype(np.float64)
    signal += rng.normal(0, LINE_NOISE, len(signal))
    if utterance.noise_snr_db is not None:
        signal += _background(rng, len(signal), _noise_level(speech, utterance.noise_snr_db))
    return ulaw_wav_bytes(pcm_to_ulaw(to_int16(signal / 32768.0)))


def _noise_level(speech: np.ndarray, snr_db: float) -> float:
    """Noise RMS for the SNR against the speech's RMS (a fixed floor for silence entries)."""
    voiced = speech[np.abs(speech) > 300].astype(np.float64)
    speech_rms = float(np.sqrt(np.mean(voiced**2))) if voiced.size else 3000.0
    return speech_rms / (10 ** (snr_db / 20))


def _background(rng: np.random.Generator, length: int, rms: float) -> np.ndarray:
    """Babble-like noise: pink-ish (low-passed white noise) with a slow loudness swell."""
    white = rng.normal(0, 1, length + 8)
    pink = np.convolve(white, np.ones(8) / 8, mode="valid")[:length]
    swell = 1 + 0.3 * np.sin(np.linspace(0, 2 * np.pi * length / PHONE_RATE / 3, length))
    noise = pink * swell
    return noise * (rms / max(1e-9, float(np.sqrt(np.mean(noise**2)))))


def build(folder: Path, synthesizer: Synthesizer,
          progress: Callable[[Iterable[Utterance]], Iterable[Utterance]] = iter) -> int:
    """Write wav/<id>.wav for every synthesised entry whose file is missing or different.
    Recordings are left as they are; if one is missing, nothing is built and the error names
    it (a typo in an id should not go unnoticed until the report)."""
    utterances = load_manifest(folder / "manifest.yaml")
    missing = [u.id for u in utterances if u.recorded and not u.wav(folder).exists()]
    if missing:
        raise AudioError(f"{folder / 'wav'}: no recording for {', '.join(missing)} "
                         "(entries with voice: recorded are not synthesised)")
    written = 0
    for utterance in progress([u for u in utterances if not u.recorded]):
        path = utterance.wav(folder)
        audio = render(utterance, synthesizer)
        if not path.exists() or abs(len(path.read_bytes()) - len(audio)) > JITTER * len(audio):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(audio)
            written += 1
    return written
