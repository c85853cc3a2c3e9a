"""Endpointing: when a caller starts speaking, talks over a prompt, finishes, or says nothing.

Works on 20 ms frames of 8 kHz PCM and keeps its own clock from the frames it is fed, so replay
(faster than real time) and live calls behave the same. A frame is *voiced* when its level stands
well above a running noise floor; short voiced bursts (a cough, a click, a door) never start an
utterance or interrupt a prompt, and steady background noise raises the floor instead of
sounding like speech.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum, auto

import numpy as np

from ivr.speech.codec import FRAME_MS, PHONE_RATE
from ivr.speech.vad import SpeechStream

START_SLACK_MS = 100
"""Speech has short dips between syllables: the voiced time that starts an utterance may be
spread over this much longer a window."""
START_WINDOW_MS = 1000
"""The longest window looked at for the start of speech."""
INITIAL_FLOOR_DB = -50.0
"""The noise floor assumed before any quieter frame is heard (a quiet phone line)."""
STEADY_FRAMES = 25
"""Half a second of frame levels, to tell steady noise from speech."""
STEADY_RANGE_DB = 4.0
"""Levels that stay within this range for STEADY_FRAMES are noise, not speech."""
SILERO_EXTRA_PRE_ROLL_MS = 300
"""See EndpointSettings.pre_roll_ms."""
MIN_SPEECH_SPREAD_DB = 10.0
"""Speech rises and falls by syllable: over the fixture manifest the levels of an utterance
spread (10th to 90th percentile) 16.5 dB or more, even with babble at 15 dB SNR, while five
seconds of babble alone spread 6 dB. An "utterance" flatter than this is noise that started
too loud for the floor to follow at once, and is dropped like a cough."""


@dataclass(frozen=True)
class EndpointSettings:
    """Timings and levels; the defaults suit telephone speech."""

    end_silence_ms: int = 600
    """Trailing silence that ends an utterance whose words already make a whole request."""
    incomplete_silence_ms: int = 0
    """Trailing silence that ends one whose words so far do not: "I'd like to… return
    this", a number read out in groups ("four eight two… one three"). People pause like that
    for longer than end_silence_ms, and cutting them off there makes the bot answer half a
    sentence (what the recogniser has heard is asked once, when end_silence_ms is reached).
    Off (0) unless set: every turn the recogniser gets wrong, and every number, then waits
    this long too (BENCHMARKS.md, "Half-said requests")."""
    speech_start_ms: int = 120
    """Voiced time in a row before an utterance counts as started."""
    min_speech_ms: int = 250
    """Utterances with less loud time than this are dropped as noise (coughs, clicks). Loud,
    not voiced: Silero VAD, where it confirms speech, hears less of a short word ("no") than
    its level shows."""
    barge_in_ms: int = 300
    """Voiced time in a row over a playing prompt before the prompt is cut off."""
    no_input_ms: int = 6000
    """Silence after the prompt ends before the caller is treated as silent."""
    max_utterance_ms: int = 15000
    """An utterance is cut off here (nobody answers a menu for longer)."""
    pre_roll_ms: int = 600
    """Audio kept from before speech was confirmed, so the first word is not clipped (it must
    cover barge_in_ms, which passes between the first voiced frame and the decision). With
    Silero confirming speech, SILERO_EXTRA_PRE_ROLL_MS more: Silero notices speech up to
    660 ms after its onset (benchmarks/vad.py), and with 600 ms Whisper understood 4 fewer
    of the manifest's 191 flite utterances than with the energy endpointer; with 900, 1."""
    margin_db: float = 12.0
    """How far above the noise floor a frame must be to count as voiced."""
    min_level_db: float = -45.0
    """Frames quieter than this (dBFS) are never voiced, whatever the floor."""
    confirm_speech: bool = False
    """Whether Silero VAD must also hear speech in a frame for it to be voiced (ivr.speech.vad;
    the server's IVR_VAD=silero)."""


_NO_AUDIO = np.zeros(0, np.int16)


class EndpointKind(Enum):
    """What the endpointer noticed."""

    SPEECH_STARTED = auto()
    BARGE_IN = auto()
    """The caller is talking over a prompt: stop playing it."""
    UTTERANCE = auto()
    """The caller finished an utterance; `audio` holds it."""
    NO_INPUT = auto()
    """Nobody said anything within the no-input time."""


@dataclass(frozen=True)
class Endpoint:
    """One thing the endpointer noticed, at `at_ms` on the stream's clock."""

    kind: EndpointKind
    at_ms: int
    audio: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))
    """8 kHz int16: the whole utterance (with pre-roll) for UTTERANCE; the pre-roll and the
    speech so far for SPEECH_STARTED, so a streaming recogniser can start from there."""


def level_db(frame: np.ndarray) -> float:
    """A frame's RMS level in dB relative to full scale (-100 for digital silence)."""
    if frame.size == 0:
        return -100.0
    rms = float(np.sqrt(np.mean(frame.astype(np.float64) ** 2))) / 32768.0
    return 20.0 * float(np.log10(rms)) if rms > 1e-5 else -100.0


class Endpointer:
    """One call's endpointing state; feed it every inbound frame in order.

    `complete` says whether the words heard so far in the utterance make a whole request (see
    EndpointSettings.incomplete_silence_ms); without it every pause of end_silence_ms ends one.
    """

    def __init__(self, settings: EndpointSettings | None = None,
                 complete: Callable[[], bool] | None = None) -> None:
        self.settings = settings or EndpointSettings()
        self._complete = complete
        self._silero = SpeechStream() if self.settings.confirm_speech else None
        self._pre_roll_ms = self.settings.pre_roll_ms + (
            SILERO_EXTRA_PRE_ROLL_MS if self._silero else 0)
        self.now_ms = 0
        self.floor_db = INITIAL_FLOOR_DB
        self._levels: deque[float] = deque(maxlen=STEADY_FRAMES)
        self._listening = False
        self._prompt_until_ms = 0
        self._listen_from_ms = 0
        self._voiced_recent: deque[bool] = deque(maxlen=START_WINDOW_MS // FRAME_MS)
        self._loud_recent: deque[bool] = deque(maxlen=START_WINDOW_MS // FRAME_MS)
        """Frames above the noise floor, whether or not Silero heard speech in them."""
        self._in_speech = False
        self._speech: list[np.ndarray] = []
        self._speech_levels: list[float] = []
        self._loud_ms = 0
        self._silence_ms = 0
        self._pause_ends_it: bool | None = None
        """Whether this pause ends the utterance once end_silence_ms is reached (asked then)."""
        self._held: list[np.ndarray] = []
        """Silence past end_silence_ms in a pause, kept from the recogniser unless the caller
        speaks again (see recogniser_audio)."""
        self._for_recogniser: list[np.ndarray] = []
        self._recent: list[np.ndarray] = []

    def listen(self, prompt_ms: int = 0) -> None:
        """Start a turn: a prompt of `prompt_ms` is playing from now; no-input counts after it."""
        self._listening = True
        self._prompt_until_ms = self.now_ms + prompt_ms
        self._listen_from_ms = self._prompt_until_ms
        self._reset_utterance()

    def prompt_finished(self) -> None:
        """The transport says the prompt has finished playing (e.g. Twilio's mark came back)."""
        self._prompt_until_ms = min(self._prompt_until_ms, self.now_ms)
        self._listen_from_ms = self.now_ms

    def stop(self) -> None:
        """Stop listening (the bot is thinking or the call is ending)."""
        self._listening = False
        self._reset_utterance()

    def recogniser_audio(self) -> np.ndarray:
        """What the recogniser should be fed of the frame just fed (while in_speech): the frame,
        or nothing while a pause runs past end_silence_ms, or everything held back when the
        caller speaks again. Decoding the longer silence before an utterance ends would only
        add words (see BENCHMARKS.md)."""
        audio = np.concatenate(self._for_recogniser) if self._for_recogniser else _NO_AUDIO
        self._for_recogniser = []
        return audio

    @property
    def in_speech(self) -> bool:
        """An utterance has started and not yet ended: its frames belong to the recogniser."""
        return self._in_speech

    @property
    def prompt_playing(self) -> bool:
        return self.now_ms < self._prompt_until_ms

    def feed(self, frame: np.ndarray) -> list[Endpoint]:
        """One 20 ms frame of 8 kHz PCM in; what it completed out."""
        self.now_ms += len(frame) * 1000 // PHONE_RATE or FRAME_MS
        level = level_db(frame)
        loud = self._loud(level)
        voiced = self._voiced(frame, loud)
        self._loud_recent.append(loud)
        self._voiced_recent.append(voiced)
        if not self._listening:
            return []
        if self._in_speech:
            self._speech_levels.append(level)
            return self._continue_speech(frame, voiced, loud)
        return self._wait_for_speech(frame)

    def _loud(self, level: float) -> bool:
        """Whether the frame's level stands well above the noise floor."""
        floor = self._track_floor(level)
        return level > max(floor + self.settings.margin_db, self.settings.min_level_db)

    def _voiced(self, frame: np.ndarray, loud: bool) -> bool:
        """Whether the frame holds speech: it is loud, and Silero VAD agrees where it is asked
        (Silero hears every frame, to follow the speech). benchmarks/vad.py swaps this out."""
        if self._silero is None:
            return loud
        return self._silero.is_speech(frame) and loud

    def _track_floor(self, level: float) -> float:
        """Follow quiet frames down at once; rise only toward a *steady* level.

        Speech rises and falls several times a second; a fan, a car or line hum does not. So the
        floor climbs only while the last half second of levels stays within a few dB.
        """
        self._levels.append(level)
        if level < self.floor_db:
            self.floor_db = level
        elif (len(self._levels) == STEADY_FRAMES
              and max(self._levels) - min(self._levels) < STEADY_RANGE_DB):
            self.floor_db += (sum(self._levels) / STEADY_FRAMES - self.floor_db) * 0.1
        return self.floor_db

    def _wait_for_speech(self, frame: np.ndarray) -> list[Endpoint]:
        s = self.settings
        self._recent = [*self._recent, frame][-(self._pre_roll_ms // FRAME_MS):]
        needed = s.barge_in_ms if self.prompt_playing else s.speech_start_ms
        window = (needed + START_SLACK_MS) // FRAME_MS
        voiced_ms = sum(list(self._voiced_recent)[-window:]) * FRAME_MS
        if voiced_ms >= needed and self._voiced_recent[-1]:
            self._in_speech = True
            self._speech = list(self._recent)
            events = [Endpoint(EndpointKind.SPEECH_STARTED, self.now_ms,
                               np.concatenate(self._speech))]
            if self.prompt_playing:
                events.insert(0, Endpoint(EndpointKind.BARGE_IN, self.now_ms))
                self._prompt_until_ms = self.now_ms
            self._loud_ms = sum(list(self._loud_recent)[-window:]) * FRAME_MS
            self._silence_ms = 0
            return events
        if not self.prompt_playing and self.now_ms - self._listen_from_ms >= s.no_input_ms:
            self.stop()
            return [Endpoint(EndpointKind.NO_INPUT, self.now_ms)]
        return []

    def _continue_speech(self, frame: np.ndarray, voiced: bool, loud: bool) -> list[Endpoint]:
        s = self.settings
        self._speech.append(frame)
        if self._silence_ms >= s.end_silence_ms and not voiced:
            self._held.append(frame)
        else:
            self._for_recogniser = [*self._held, frame]
            self._held = []
        if loud:
            self._loud_ms += FRAME_MS
        if voiced:
            self._silence_ms = 0
            self._pause_ends_it = None
        else:
            self._silence_ms += FRAME_MS
        length_ms = len(self._speech) * FRAME_MS
        if not self._pause_is_over() and length_ms < s.max_utterance_ms:
            return []
        if self._loud_ms < s.min_speech_ms or self._steady():
            self._reset_utterance()  # a cough, a click or noise: keep waiting for speech
            return []
        audio = np.concatenate(self._speech)
        self.stop()
        return [Endpoint(EndpointKind.UTTERANCE, self.now_ms, audio)]

    def _pause_is_over(self) -> bool:
        """end_silence_ms of silence after a whole request (or after too little speech to be
        one: a cough is dropped as soon as before), incomplete_silence_ms after anything else."""
        s = self.settings
        if self._silence_ms < s.end_silence_ms:
            return False
        if self._silence_ms >= s.incomplete_silence_ms:
            return True
        if self._pause_ends_it is None:
            self._pause_ends_it = (self._complete is None or self._loud_ms < s.min_speech_ms
                                   or self._complete())
        return self._pause_ends_it

    def _steady(self) -> bool:
        low, high = np.percentile(self._speech_levels, [10, 90])
        return bool(high - low < MIN_SPEECH_SPREAD_DB)

    def _reset_utterance(self) -> None:
        self._in_speech = False
        self._speech = []
        self._speech_levels = []
        self._recent = []
        self._loud_ms = 0
        self._silence_ms = 0
        self._pause_ends_it = None
        self._held = []
        self._for_recogniser = []
