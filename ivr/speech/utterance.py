"""Recognise a recorded utterance the way a call would: through the endpointer, then the
recogniser, so silence gives nothing, a cough is ignored, a pause in a half-said request does
not cut it short, and ten minutes of silence costs only the endpointer's time rather than ten
minutes of decoding.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ivr.nlu.matcher import Matcher
from ivr.speech.codec import PHONE_FRAME_BYTES, PHONE_RATE
from ivr.speech.endpoint import Endpointer, EndpointSettings, Kind
from ivr.speech.stt import SpeechEngine, Transcript
from ivr.speech.whole_request import heard_a_whole_request

TAIL_MS = 1000
"""Silence added after the recording beyond the longest pause that ends an utterance, so speech
at its very end still gets endpointed."""


def trailing_silence(settings: EndpointSettings) -> np.ndarray:
    """Digital silence to put after a recording, long enough for its last words to end an
    utterance however the endpointer is set."""
    tail_ms = max(settings.end_silence_ms, settings.incomplete_silence_ms) + TAIL_MS
    return np.zeros(PHONE_RATE * tail_ms // 1000, np.int16)


def recognise_recording(engine: SpeechEngine, pcm: np.ndarray, contexts: Sequence[str],
                        settings: EndpointSettings | None = None,
                        matcher: Matcher | None = None) -> Transcript:
    """The first utterance in 8 kHz audio; an empty transcript if nobody spoke. With the
    matcher, a pause after words that are not yet a whole request waits longer, as in a call."""
    settings = settings or EndpointSettings(no_input_ms=10**9)
    recognizer = engine.recognizer()
    complete = None if matcher is None else (
        lambda: heard_a_whole_request(recognizer, matcher, contexts))
    endpointer = Endpointer(settings, complete)
    endpointer.listen()
    audio = np.concatenate([pcm.astype(np.int16), trailing_silence(settings)])
    try:
        for start in range(0, len(audio) - PHONE_FRAME_BYTES + 1, PHONE_FRAME_BYTES):
            frame = audio[start:start + PHONE_FRAME_BYTES]
            was_in_speech = endpointer.in_speech
            for event in endpointer.feed(frame):
                if event.kind is Kind.SPEECH_STARTED:
                    recognizer.start(contexts)
                    recognizer.feed(event.audio)
                elif event.kind is Kind.UTTERANCE:
                    return recognizer.finish()
            if was_in_speech and endpointer.in_speech:
                recognizer.feed(endpointer.recogniser_audio())
        return Transcript("", 0.0)
    finally:
        recognizer.close()
