"""The energy endpointer against Silero VAD (the ONNX model inside faster-whisper) deciding
which 20 ms frames are voiced, everything else in the endpointer unchanged: noise that starts
an utterance or cuts a prompt off when nobody spoke, speech missed, how late speech is noticed
(the pre-roll must cover it, or the first word is clipped), and barge-in over a prompt.

Silero's probabilities are computed for the whole clip first (32 ms chunks at 16 kHz), so its
figures assume no lookahead cost; a streaming Silero would notice speech up to 32 ms later.

Run: .venv/bin/python benchmarks/vad.py   (figures go into BENCHMARKS.md)
"""

from __future__ import annotations

# isort: off
import ivr  # noqa: F401 - first, as in the server (one BLAS thread)
# isort: on
import statistics
import time
from collections.abc import Callable, Sequence

import numpy as np
import soxr
from faster_whisper.vad import get_vad_model

from ivr.config import PROJECT_ROOT
from ivr.speech.codec import FRAME_MS, PHONE_FRAME_BYTES, PHONE_RATE, decode_wav, read_wav
from ivr.speech.endpoint import Endpointer, EndpointKind, EndpointSettings
from ivr.speech.fixtures import EDGE_MS, LINE_NOISE, load_manifest
from ivr.speech.hold_music import hold_music_wav

FIXTURES = PROJECT_ROOT / "audio_fixtures"
LEAD_S = 2.0
"""Line noise before each speech clip, so both detectors have settled when speech comes."""
TAIL_MS = 1500
"""Line noise after each speech clip, for the endpointer to end the utterance in."""
NOISE_S = 30
SILERO_THRESHOLD = 0.5
"""Silero's own default."""
CHUNK = 512
"""Silero's chunk at 16 kHz: 32 ms."""

Voicing = Callable[[np.ndarray], list[bool]]
"""A clip of 8 kHz audio → whether each 20 ms frame is voiced."""
Detector = tuple[Voicing, bool] | None
"""A voicing and whether the endpointer's own must agree; None: the endpointer's own alone."""


class PresetEndpointer(Endpointer):
    """The endpointer with each frame's voiced decision given in advance, alone or together
    with its own (voiced only when both say so)."""

    def __init__(self, voiced: Sequence[bool], settings: EndpointSettings,
                 with_energy: bool) -> None:
        super().__init__(settings)
        self.preset = voiced
        self.with_energy = with_energy

    def _voiced(self, frame: np.ndarray, loud: bool) -> bool:
        index = self.now_ms // FRAME_MS - 1
        preset = bool(self.preset[index]) if index < len(self.preset) else False
        return preset and (loud or not self.with_energy)


def silero_voicing(pcm: np.ndarray) -> list[bool]:
    audio = soxr.resample(pcm.astype(np.float32) / 32768.0, PHONE_RATE, 16000)
    audio = np.pad(audio, (0, -len(audio) % CHUNK))
    probabilities = np.asarray(get_vad_model()(audio)).reshape(-1)
    frames = len(pcm) // PHONE_FRAME_BYTES
    chunk_ms = CHUNK * 1000 // 16000
    return [bool(probabilities[min(len(probabilities) - 1,
                                   ((n + 1) * FRAME_MS - 1) // chunk_ms)] > SILERO_THRESHOLD)
            for n in range(frames)]


def endpointer(pcm: np.ndarray, voicing: Detector, settings: EndpointSettings) -> Endpointer:
    if voicing is None:
        return Endpointer(settings)
    function, with_energy = voicing
    return PresetEndpointer(function(pcm), settings, with_energy)


def events(pcm: np.ndarray, voicing: Detector, prompt_ms: int = 0,
           settings: EndpointSettings | None = None) -> list[tuple[EndpointKind, int]]:
    """Everything the endpointer notices over the clip, listening again after each utterance."""
    settings = settings or EndpointSettings(no_input_ms=10**9)
    detector = endpointer(pcm, voicing, settings)
    detector.listen(prompt_ms)
    found = []
    for start in range(0, len(pcm) - PHONE_FRAME_BYTES + 1, PHONE_FRAME_BYTES):
        for event in detector.feed(pcm[start:start + PHONE_FRAME_BYTES]):
            found.append((event.kind, event.at_ms))
            if event.kind is EndpointKind.UTTERANCE:
                detector.listen()
    return found


def line(seconds: float, rng: np.random.Generator) -> np.ndarray:
    return rng.normal(0, LINE_NOISE, int(seconds * PHONE_RATE))


def noises(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Half a minute each of what a line carries when nobody speaks."""
    n = NOISE_S * PHONE_RATE
    t = np.arange(n) / PHONE_RATE
    pink = np.convolve(rng.normal(0, 1, n + 8), np.ones(8) / 8, mode="valid")[:n]
    swell = 1 + 0.5 * np.sin(2 * np.pi * 0.3 * t)
    knocks = np.zeros(n)
    for at in range(PHONE_RATE, n - 80, 2 * PHONE_RATE):
        knocks[at:at + 80] = rng.normal(0, 8000, 80) * np.exp(-np.arange(80) / 15)
    music = decode_wav(hold_music_wav(NOISE_S))
    return {
        "line hiss": line(NOISE_S, rng),
        "white noise -35 dBFS": rng.normal(0, 32768 * 10 ** (-35 / 20), n),
        "swelling pink noise -30 dBFS": pink / pink.std() * swell * 32768 * 10 ** (-30 / 20),
        "mains hum -30 dBFS": sum(np.sin(2 * np.pi * 50 * k * t) / k for k in (1, 2, 3))
        * 32768 * 10 ** (-30 / 20),
        "hold music": music[:n].astype(np.float64),
        "knocks every 2 s": knocks + line(NOISE_S, rng),
    }


def clip(samples: np.ndarray) -> np.ndarray:
    return np.clip(samples, -32768, 32767).astype(np.int16)


def speech_clips(rng: np.random.Generator) -> list[tuple[str, np.ndarray]]:
    """Every English manifest utterance with speech, after LEAD_S of line noise."""
    clips = []
    for utterance in load_manifest(FIXTURES / "manifest.yaml"):
        if utterance.text and utterance.language == "en":
            pcm = read_wav(utterance.wav(FIXTURES)).astype(np.float64)
            kind = "noisy" if utterance.noise_snr_db is not None else "clean"
            clips.append((kind, clip(np.concatenate([line(LEAD_S, rng), pcm,
                                                     line(TAIL_MS / 1000, rng)]))))
    return clips


def noise_report(name: str, voicing: Detector, rng: np.random.Generator) -> None:
    for noise, samples in noises(rng).items():
        pcm = clip(samples)
        found = events(pcm, voicing)
        utterances = sum(kind is EndpointKind.UTTERANCE for kind, _ in found)
        barged = sum(kind is EndpointKind.BARGE_IN for kind, _ in
                     events(pcm, voicing, prompt_ms=NOISE_S * 1000))
        print(f"{name:8} {noise:30} utterances started by noise {utterances:3}, "
              f"prompts cut off {barged}")


def speech_report(name: str, voicing: Detector,
                  clips: Sequence[tuple[str, np.ndarray]]) -> None:
    onset_ms = (LEAD_S * 1000) + EDGE_MS
    for kind in ("clean", "noisy"):
        chosen = [pcm for k, pcm in clips if k == kind]
        delays, ends, missed, split = [], [], 0, 0
        for pcm in chosen:
            found = events(pcm, voicing)
            starts = [at for k, at in found if k is EndpointKind.SPEECH_STARTED]
            utterances = [at for k, at in found if k is EndpointKind.UTTERANCE]
            if not utterances:
                missed += 1
                continue
            delays.append(starts[0] - onset_ms)
            offset_ms = len(pcm) * 1000 // PHONE_RATE - TAIL_MS - EDGE_MS
            ends.append(utterances[-1] - offset_ms)
            split += len(utterances) > 1
        cuts = statistics.quantiles(delays, n=20)
        print(f"{name:8} {kind} speech ({len(chosen)}): missed {missed}, cut in two {split}; "
              f"speech noticed after its onset p50 {statistics.median(delays):.0f} ms, "
              f"p95 {cuts[18]:.0f} ms, max {max(delays):.0f} ms (pre-roll "
              f"{EndpointSettings().pre_roll_ms} ms), before it {sum(d < 0 for d in delays)}; "
              f"utterance ended after the speech p50 {statistics.median(ends):.0f} ms, "
              f"p95 {statistics.quantiles(ends, n=20)[18]:.0f} ms")


def barge_in_report(name: str, voicing: Detector,
                    clips: Sequence[tuple[str, np.ndarray]]) -> None:
    """The caller talks over a prompt playing from the start of the clip."""
    onset_ms = (LEAD_S * 1000) + EDGE_MS
    delays = []
    for _, pcm in clips:
        found = events(pcm, voicing, prompt_ms=len(pcm) * 1000 // PHONE_RATE)
        barge = [at for k, at in found if k is EndpointKind.BARGE_IN]
        if barge:
            delays.append(barge[0] - onset_ms)
    print(f"{name:8} barge-in over a prompt: {len(delays)}/{len(clips)} cut it off, after "
          f"p50 {statistics.median(delays):.0f} ms, p95 "
          f"{statistics.quantiles(delays, n=20)[18]:.0f} ms from the speech's onset")


def cost(clips: Sequence[tuple[str, np.ndarray]]) -> None:
    audio_s = sum(len(pcm) for _, pcm in clips) / PHONE_RATE
    started = time.process_time()
    for _, pcm in clips:
        silero_voicing(pcm)
    print(f"silero: CPU {(time.process_time() - started) / audio_s:.4f} s per second of audio")


def main() -> None:
    rng = np.random.default_rng(7)
    clips = speech_clips(rng)
    detectors: dict[str, Detector] = {"energy": None, "silero": (silero_voicing, False),
                                      "both": (silero_voicing, True)}
    for name, voicing in detectors.items():
        noise_report(name, voicing, np.random.default_rng(11))
        speech_report(name, voicing, clips)
        barge_in_report(name, voicing, clips)
    cost(clips)


if __name__ == "__main__":
    main()
