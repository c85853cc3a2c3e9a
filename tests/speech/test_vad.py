"""The endpointer with Silero VAD confirming speech (IVR_VAD=silero, the server's default): a
noisy line that starts while the greeting plays does not cut the greeting off, as it does with
the energy endpointer alone; a caller talking over the prompt still does; in noise only the
speech starts a turn; and each call's stream is its own."""

from __future__ import annotations

import numpy as np
import pytest

from ivr.config import PROJECT_ROOT
from ivr.speech.codec import PHONE_RATE, read_wav
from ivr.speech.endpoint import Endpointer, EndpointKind, EndpointSettings
from ivr.speech.vad import SpeechStream

pytestmark = pytest.mark.speech

WAV = PROJECT_ROOT / "audio_fixtures" / "wav"
FRAME = PHONE_RATE // 50
ENERGY = EndpointSettings(no_input_ms=10**9)
SILERO = EndpointSettings(no_input_ms=10**9, confirm_speech=True)


def feed(endpointer: Endpointer, audio: np.ndarray) -> list[tuple[EndpointKind, int]]:
    found = []
    for start in range(0, len(audio) - FRAME + 1, FRAME):
        found += [(e.kind, e.at_ms) for e in endpointer.feed(audio[start:start + FRAME])]
    return found


def line_noise(seconds: float, dbfs: float) -> np.ndarray:
    """Pink-ish noise swelling and falling, like traffic or a crowd."""
    n = int(seconds * PHONE_RATE)
    rng = np.random.default_rng(3)
    pink = np.convolve(rng.normal(0, 1, n + 8), np.ones(8) / 8, mode="valid")[:n]
    swell = 1 + 0.5 * np.sin(2 * np.pi * 0.3 * np.arange(n) / PHONE_RATE)
    return pink / pink.std() * swell * 32768 * 10 ** (dbfs / 20)


def speech(name: str = "flite-005-where-is-my-order") -> np.ndarray:
    return read_wav(WAV / f"{name}.wav").astype(np.float64)


def pcm(audio: np.ndarray) -> np.ndarray:
    return np.clip(audio, -32768, 32767).astype(np.int16)


@pytest.mark.parametrize(("settings", "cut_off"), [(ENERGY, True), (SILERO, False)])
def test_noise_from_the_start_of_a_call_cuts_the_greeting_off_only_without_silero(
        settings: EndpointSettings, cut_off: bool) -> None:
    endpointer = Endpointer(settings)
    endpointer.listen(prompt_ms=10_000)
    found = feed(endpointer, pcm(line_noise(10, -30)))
    assert any(kind is EndpointKind.BARGE_IN for kind, _ in found) is cut_off


def test_a_caller_talking_over_the_prompt_still_cuts_it_off() -> None:
    endpointer = Endpointer(SILERO)
    endpointer.listen(prompt_ms=10_000)
    audio = pcm(np.concatenate([line_noise(1, -45), speech()]))
    found = feed(endpointer, audio)
    assert found and found[0][0] is EndpointKind.BARGE_IN
    assert 1000 < found[0][1] < 1000 + 300 + 700  # noticed within 0.7 s of the first word


def test_in_noise_only_the_speech_starts_a_turn() -> None:
    """A caller on a noisy line: the energy endpointer takes the noise's onset for speech,
    with Silero the turn starts with the words and ends soon after them."""
    words = speech()
    audio = line_noise(1 + len(words) / PHONE_RATE + 3, -35)
    audio[PHONE_RATE:PHONE_RATE + len(words)] += words
    starts = {}
    for name, settings in (("energy", ENERGY), ("silero", SILERO)):
        endpointer = Endpointer(settings)
        endpointer.listen()
        found = feed(endpointer, pcm(audio))
        starts[name] = [at for kind, at in found if kind is EndpointKind.SPEECH_STARTED]
        if name == "silero":
            ends = [at for kind, at in found if kind is EndpointKind.UTTERANCE]
    assert starts["energy"][0] < 1000
    assert len(starts["silero"]) == 1 and 1000 < starts["silero"][0] < 2000
    words_end_ms = 1000 + len(words) * 1000 // PHONE_RATE
    assert len(ends) == 1 and ends[0] < words_end_ms + 1000


def test_each_stream_keeps_its_own_state() -> None:
    words = pcm(speech())
    quiet = pcm(line_noise(len(words) / PHONE_RATE, -60))
    talking, silent = SpeechStream(), SpeechStream()
    heard = [talking.is_speech(words[i:i + FRAME]) for i in range(0, len(words) - FRAME, FRAME)]
    still = [silent.is_speech(quiet[i:i + FRAME]) for i in range(0, len(quiet) - FRAME, FRAME)]
    assert sum(heard) > len(heard) / 3 and not any(still)
