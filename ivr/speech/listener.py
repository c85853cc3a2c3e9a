"""A call's ears: the endpointer, the call's recogniser and the "is this a whole request?"
check, glued together once so that calls (ivr.call.voice), replay and the benchmarks hear
alike.

Audio goes in 20 ms frames. The recogniser is started when the endpointer hears speech (with
the pre-roll it kept), fed while the caller speaks, and asked for its transcript when the
endpointer says the utterance is over. When the caller pauses, the words so far decide how long
to wait: a whole request ends after a short pause, a half-said one ("my order number is four
eight…") gets longer (EndpointSettings.incomplete_silence_ms).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ivr.metrics import RECOGNITION
from ivr.nlu.matcher import Matcher
from ivr.speech.codec import PHONE_FRAME_BYTES, PHONE_RATE
from ivr.speech.endpoint import Endpoint, Endpointer, EndpointKind, EndpointSettings
from ivr.speech.stt import SpeechEngine, Transcript
from ivr.speech.whole_request import heard_a_whole_request

TAIL_MS = 1000
"""Silence added after a recording beyond the longest pause that ends an utterance, so speech
at its very end still gets endpointed."""


@dataclass(frozen=True)
class Recognised:
    """An utterance the endpointer ended, with what the recogniser made of it."""

    endpoint: Endpoint
    """The endpointer's UTTERANCE event."""
    transcript: Transcript
    recognised_ms: float
    """Wall-clock time from the endpoint to the transcript."""


Heard = Endpoint | Recognised


class Listener:
    """Feeds a call's audio through the endpointer into its own recogniser."""

    def __init__(self, engine: SpeechEngine, contexts: Callable[[], Sequence[str]],
                 settings: EndpointSettings | None = None,
                 matcher: Matcher | None = None) -> None:
        """`contexts` says what the caller's answer is listened for at the moment (it changes
        between utterances); without a matcher every pause of end_silence_ms ends one."""
        self.contexts = contexts
        self.matcher = matcher
        self.recognizer = engine.recognizer()
        self.engine_name = engine.name
        self.endpointer = Endpointer(settings,
                                     complete=None if matcher is None else self.whole_request)
        self.fed_samples = 0
        """Audio given to the recogniser so far: the speech, its pre-roll and pauses."""

    def feed(self, pcm: np.ndarray) -> list[Heard]:
        """One frame of 8 kHz audio; the endpointer's events, an UTTERANCE one replaced by
        what was recognised."""
        was_in_speech = self.endpointer.in_speech
        events = self.endpointer.feed(pcm)
        if was_in_speech and self.endpointer.in_speech:
            self._recognise(self.endpointer.recogniser_audio())
        return [self._handled(event) for event in events]

    def whole_request(self) -> bool:
        """Asked by the endpointer when the caller pauses (with a matcher only)."""
        return self.matcher is None or heard_a_whole_request(self.recognizer, self.matcher,
                                                             self.contexts())

    def close(self) -> None:
        self.endpointer.stop()
        self.recognizer.close()

    def _handled(self, event: Endpoint) -> Heard:
        match event.kind:
            case EndpointKind.SPEECH_STARTED:
                self.recognizer.start(self.contexts())
                self._recognise(event.audio)
            case EndpointKind.UTTERANCE:
                started = time.perf_counter()
                transcript = self.recognizer.finish()
                elapsed = time.perf_counter() - started
                RECOGNITION.labels(self.engine_name).observe(elapsed)
                return Recognised(event, transcript, elapsed * 1000)
        return event

    def _recognise(self, audio: np.ndarray) -> None:
        self.recognizer.feed(audio)
        self.fed_samples += len(audio)


def trailing_silence(settings: EndpointSettings) -> np.ndarray:
    """Digital silence to put after a recording, long enough for its last words to end an
    utterance however the endpointer is set."""
    tail_ms = max(settings.end_silence_ms, settings.incomplete_silence_ms) + TAIL_MS
    return np.zeros(PHONE_RATE * tail_ms // 1000, np.int16)


def recognise_recording(engine: SpeechEngine, pcm: np.ndarray, contexts: Sequence[str],
                        settings: EndpointSettings | None = None,
                        matcher: Matcher | None = None) -> Transcript:
    """The first utterance in 8 kHz audio, heard as a call hears it; an empty transcript if
    nobody spoke. So silence gives nothing, a cough is ignored, and ten minutes of silence
    costs only the endpointer's time rather than ten minutes of decoding. By default the
    endpointer is set as the server's is (Silero VAD confirming speech), but waits for ever."""
    settings = settings or EndpointSettings(no_input_ms=10**9, confirm_speech=True)
    listener = Listener(engine, lambda: contexts, settings, matcher)
    listener.endpointer.listen()
    audio = np.concatenate([pcm.astype(np.int16), trailing_silence(settings)])
    try:
        for start in range(0, len(audio) - PHONE_FRAME_BYTES + 1, PHONE_FRAME_BYTES):
            for heard in listener.feed(audio[start:start + PHONE_FRAME_BYTES]):
                if isinstance(heard, Recognised):
                    return heard.transcript
        return Transcript("", 0.0)
    finally:
        listener.close()
