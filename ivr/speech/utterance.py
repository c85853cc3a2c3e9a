"""Recognise a recorded utterance the way a call would: through the endpointer, then the
recogniser, so silence gives nothing, a cough is ignored, and ten minutes of silence costs
only the endpointer's time rather than ten minutes of decoding.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ivr.speech.codec import PHONE_FRAME_BYTES
from ivr.speech.endpoint import Endpointer, EndpointSettings, Kind
from ivr.speech.stt import SpeechEngine, Transcript

_TAIL = np.zeros(PHONE_FRAME_BYTES * 50, np.int16)
"""One second of silence after the recording, so speech at its very end still gets endpointed."""


def recognise_recording(engine: SpeechEngine, pcm: np.ndarray, contexts: Sequence[str],
                        settings: EndpointSettings | None = None) -> Transcript:
    """The first utterance in 8 kHz audio; an empty transcript if nobody spoke."""
    settings = settings or EndpointSettings(no_input_ms=10**9)
    endpointer = Endpointer(settings)
    endpointer.listen()
    recognizer = engine.recognizer()
    audio = np.concatenate([pcm.astype(np.int16), _TAIL])
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
                recognizer.feed(frame)
        return Transcript("", 0.0)
    finally:
        recognizer.close()
