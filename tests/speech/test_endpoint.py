"""Endpointing on synthetic telephone audio: silence, speech, trailing silence, noise, coughs,
barge-in over a prompt, and a very long silence."""

from __future__ import annotations

import numpy as np

from ivr.speech.codec import PHONE_RATE
from ivr.speech.endpoint import Endpoint, Endpointer, EndpointKind, EndpointSettings, level_db

RNG = np.random.default_rng(7)
FRAME = PHONE_RATE // 50
HALF_SAID = EndpointSettings(incomplete_silence_ms=1200)
"""Half-said requests get a longer pause (off unless configured)."""


def silence(ms: int) -> np.ndarray:
    return (RNG.normal(0, 20, PHONE_RATE * ms // 1000)).astype(np.int16)


def speechlike(ms: int, amplitude: float = 6000) -> np.ndarray:
    """Voiced audio: a 150 Hz buzz with formant-like harmonics, syllable-rate modulated."""
    t = np.arange(PHONE_RATE * ms // 1000) / PHONE_RATE
    buzz = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 12))
    envelope = 0.6 + 0.4 * np.sin(2 * np.pi * 4 * t)
    return (amplitude * buzz * envelope / 3).astype(np.int16)


def noise(ms: int, amplitude: float) -> np.ndarray:
    return RNG.normal(0, amplitude, PHONE_RATE * ms // 1000).astype(np.int16)


def run(endpointer: Endpointer, *parts: np.ndarray) -> list[Endpoint]:
    audio = np.concatenate(parts)
    events: list[Endpoint] = []
    for start in range(0, len(audio) - FRAME + 1, FRAME):
        events += endpointer.feed(audio[start:start + FRAME])
    return events


def kinds(events: list[Endpoint]) -> list[EndpointKind]:
    return [e.kind for e in events]


def test_levels() -> None:
    assert level_db(np.zeros(160, np.int16)) == -100.0
    assert -5 < level_db(np.full(160, 20000, np.int16)) < -4


def test_an_utterance_ends_after_the_trailing_silence() -> None:
    endpointer = Endpointer()
    endpointer.listen()
    events = run(endpointer, silence(500), speechlike(1200), silence(1000))
    assert kinds(events) == [EndpointKind.SPEECH_STARTED, EndpointKind.UTTERANCE]
    started, done = events
    assert 500 < started.at_ms <= 700
    assert 1700 + 600 <= done.at_ms <= 1700 + 700  # speech end + end_silence_ms
    seconds = len(done.audio) / PHONE_RATE
    pre_roll = EndpointSettings().pre_roll_ms / 1000
    assert 1.2 + 0.6 <= seconds <= 1.2 + 0.6 + pre_roll + 0.05  # speech, silence, pre-roll


def test_the_trailing_silence_is_configurable() -> None:
    endpointer = Endpointer(EndpointSettings(end_silence_ms=1000))
    endpointer.listen()
    events = run(endpointer, speechlike(800), silence(1500))
    assert events[-1].kind is EndpointKind.UTTERANCE
    assert 1800 <= events[-1].at_ms <= 1900


def test_a_pause_after_a_half_said_request_waits_longer() -> None:
    """Asked once per pause, when end_silence_ms is reached: a half-said request (as the
    recogniser says) gets incomplete_silence_ms, and the caller who goes on stays in one
    utterance; a whole one ends after end_silence_ms as before."""
    asked: list[int] = []
    whole = False

    def complete() -> bool:
        asked.append(endpointer.now_ms)
        return whole

    endpointer = Endpointer(HALF_SAID, complete=complete)
    endpointer.listen()
    events = run(endpointer, speechlike(800), silence(900), speechlike(800), silence(500))
    assert kinds(events) == [EndpointKind.SPEECH_STARTED]
    assert len(asked) == 1 and 800 + 600 <= asked[0] <= 800 + 700
    whole = True
    events = run(endpointer, silence(1000))
    assert kinds(events) == [EndpointKind.UTTERANCE]
    assert 2500 + 600 <= events[0].at_ms <= 2500 + 700
    assert len(events[0].audio) / PHONE_RATE >= 0.8 + 0.9 + 0.8 + 0.6

    whole = False
    endpointer.listen()
    events = run(endpointer, speechlike(800), silence(1500))
    assert kinds(events) == [EndpointKind.SPEECH_STARTED, EndpointKind.UTTERANCE]
    speech_end = 4000 + 800
    assert speech_end + 1200 <= events[-1].at_ms <= speech_end + 1300  # incomplete_silence_ms


def fed_to_recogniser(endpointer: Endpointer, audio: np.ndarray) -> tuple[int, list[EndpointKind]]:
    """Milliseconds of audio the recogniser is fed after speech started (as a call feeds it),
    and the events."""
    fed = 0
    events: list[Endpoint] = []
    for start in range(0, len(audio) - FRAME + 1, FRAME):
        was_in_speech = endpointer.in_speech
        events += endpointer.feed(audio[start:start + FRAME])
        if was_in_speech and endpointer.in_speech:
            fed += len(endpointer.recogniser_audio())
    return fed * 1000 // PHONE_RATE, kinds(events)


def test_a_long_pause_reaches_the_recogniser_only_if_the_caller_goes_on() -> None:
    """Silence past end_silence_ms is held back: decoded, it only adds words to an utterance
    that then ends; the caller who goes on gets it, so the words stay apart."""
    endpointer = Endpointer(HALF_SAID, complete=lambda: False)
    endpointer.listen()
    _, events = fed_to_recogniser(endpointer, np.concatenate([speechlike(800), silence(600)]))
    assert events == [EndpointKind.SPEECH_STARTED]
    assert fed_to_recogniser(endpointer, silence(400)) == (0, [])
    assert fed_to_recogniser(endpointer, speechlike(400)) == (400 + 400, [])
    assert fed_to_recogniser(endpointer, silence(1500)) == (600, [EndpointKind.UTTERANCE])


def test_off_unless_configured_no_pause_asks_what_was_heard() -> None:
    asked: list[bool] = []
    endpointer = Endpointer(complete=lambda: asked.append(True) or False)
    endpointer.listen()
    events = run(endpointer, speechlike(800), silence(700))
    assert kinds(events) == [EndpointKind.SPEECH_STARTED, EndpointKind.UTTERANCE]
    assert asked == []


def test_a_cough_is_dropped_without_asking_what_was_heard() -> None:
    asked: list[bool] = []
    endpointer = Endpointer(HALF_SAID, complete=lambda: asked.append(True) or False)
    endpointer.listen()
    events = run(endpointer, silence(300), speechlike(160), silence(1500))
    assert kinds(events) == [EndpointKind.SPEECH_STARTED]
    assert asked == []


def test_a_pause_shorter_than_the_end_silence_keeps_one_utterance() -> None:
    endpointer = Endpointer()
    endpointer.listen()
    events = run(endpointer, speechlike(600), silence(400), speechlike(600), silence(900))
    assert kinds(events) == [EndpointKind.SPEECH_STARTED, EndpointKind.UTTERANCE]


def test_silence_gives_no_input_after_the_prompt_has_played() -> None:
    endpointer = Endpointer(EndpointSettings(no_input_ms=5000))
    endpointer.listen(prompt_ms=2000)
    events = run(endpointer, silence(8000))
    assert kinds(events) == [EndpointKind.NO_INPUT]
    assert events[0].at_ms == 7000


def test_ten_minutes_of_silence_is_one_no_input_and_no_growth() -> None:
    endpointer = Endpointer()
    endpointer.listen()
    events = run(endpointer, np.zeros(PHONE_RATE * 600, np.int16))
    assert kinds(events) == [EndpointKind.NO_INPUT]
    assert endpointer._speech == []


def test_a_cough_does_not_start_an_utterance() -> None:
    endpointer = Endpointer(EndpointSettings(no_input_ms=3000))
    endpointer.listen()
    events = run(endpointer, silence(300), noise(100, 8000), silence(3500))
    assert kinds(events) == [EndpointKind.NO_INPUT]


def test_a_short_burst_over_the_speech_start_is_dropped_as_noise() -> None:
    endpointer = Endpointer(EndpointSettings(no_input_ms=3000))
    endpointer.listen()
    events = run(endpointer, silence(300), noise(180, 8000), silence(3500))
    assert EndpointKind.UTTERANCE not in kinds(events)
    assert kinds(events)[-1] is EndpointKind.NO_INPUT


def test_steady_background_noise_raises_the_floor_instead_of_sounding_like_speech() -> None:
    endpointer = Endpointer(EndpointSettings(no_input_ms=4000))
    endpointer.listen()
    hum = noise(5000, 300)
    events = run(endpointer, hum)
    assert kinds(events) == [EndpointKind.NO_INPUT]
    endpointer.listen()
    events = run(endpointer, noise(300, 300), speechlike(1000) + noise(1000, 300),
                 noise(1000, 300))
    assert kinds(events) == [EndpointKind.SPEECH_STARTED, EndpointKind.UTTERANCE]


def test_talking_over_a_prompt_is_a_barge_in() -> None:
    endpointer = Endpointer()
    endpointer.listen(prompt_ms=4000)
    events = run(endpointer, silence(1000), speechlike(1000), silence(800))
    assert kinds(events) == [EndpointKind.BARGE_IN, EndpointKind.SPEECH_STARTED,
                             EndpointKind.UTTERANCE]
    assert 1300 <= events[0].at_ms <= 1400  # barge_in_ms of voice after it began
    assert not endpointer.prompt_playing


def test_a_cough_over_a_prompt_does_not_interrupt_it() -> None:
    endpointer = Endpointer()
    endpointer.listen(prompt_ms=3000)
    events = run(endpointer, silence(500), noise(200, 8000), silence(500))
    assert events == []
    assert endpointer.prompt_playing


def test_an_endless_talker_is_cut_off_at_the_maximum() -> None:
    endpointer = Endpointer(EndpointSettings(max_utterance_ms=5000))
    endpointer.listen()
    events = run(endpointer, speechlike(8000))
    assert kinds(events) == [EndpointKind.SPEECH_STARTED, EndpointKind.UTTERANCE]
    assert len(events[1].audio) <= PHONE_RATE * 5.4


def test_nothing_is_reported_when_not_listening() -> None:
    endpointer = Endpointer()
    assert run(endpointer, speechlike(1000), silence(8000)) == []


def test_loud_steady_noise_from_the_start_is_not_an_utterance() -> None:
    """Babble that starts louder than the floor looks like speech until the floor catches up;
    its level hardly moves, so it is dropped, and the caller still gets the no-input prompt."""
    endpointer = Endpointer(EndpointSettings(no_input_ms=8000))
    endpointer.listen()
    t = np.arange(PHONE_RATE * 5) / PHONE_RATE
    swell = 1 + 0.3 * np.sin(2 * np.pi * t / 3)
    babble = np.convolve(RNG.normal(0, 2700, len(t) + 7), np.ones(8) / 8, "valid") * swell
    events = run(endpointer, babble.astype(np.int16), noise(4000, 350))
    assert EndpointKind.UTTERANCE not in kinds(events)
    assert kinds(events)[-1] is EndpointKind.NO_INPUT


def test_speech_over_steady_noise_is_still_heard() -> None:
    endpointer = Endpointer()
    endpointer.listen()
    events = run(endpointer, noise(1500, 150), speechlike(1200) + noise(1200, 150),
                 noise(1500, 150))
    assert kinds(events) == [EndpointKind.SPEECH_STARTED, EndpointKind.UTTERANCE]
