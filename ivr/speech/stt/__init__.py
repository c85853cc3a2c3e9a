"""The recogniser protocol every speech engine implements, and the results it gives.

One *engine* per process holds the model (loaded once, shared by every call); each call asks it
for its own *recogniser*, feeds it 8 kHz PCM as it arrives, and takes a final transcript when the
endpointer says the caller has finished. The grammar contexts (main, order_number, confirm…) may
change between utterances, never within one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class WordTiming:
    """One recognised word and where it lies in the utterance."""

    word: str
    start_ms: int
    end_ms: int
    confidence: float = 1.0


@dataclass(frozen=True)
class Transcript:
    """What an engine heard in one utterance."""

    text: str
    """The words, lower case; "" when nothing in the grammar was heard."""
    confidence: float
    """0..1: how sure the engine is of `text`."""
    words: tuple[WordTiming, ...] = ()
    """Word timings, where the engine gives them."""
    rejected: bool = False
    """Speech was heard but it is outside the grammar (out-of-domain, noise)."""
    alternatives: tuple[str, ...] = ()
    """Other readings the engine found nearly as likely (PocketSphinx's n-best), best first;
    empty where the engine gives none."""
    language: str | None = None
    """Set when the caller spoke another language than English (its code, "fr"); the text is
    then empty and the transcript rejected. None where the engine cannot tell."""


class Recognizer(Protocol):
    """One call's recogniser: start an utterance, feed audio, finish."""

    def start(self, contexts: Sequence[str]) -> None:
        """Begin an utterance listening for the grammar of these contexts."""

    def feed(self, pcm: np.ndarray) -> str:
        """8 kHz int16 audio in; the partial transcript so far out (it may lag the audio)."""

    def heard_so_far(self) -> str:
        """The partial transcript of all the audio fed so far (may wait for the decoder to
        catch up, which in a call takes milliseconds)."""

    def finish(self) -> Transcript:
        """End the utterance and return what was said."""

    def close(self) -> None:
        """The call is over: give back whatever the recogniser holds."""


class SpeechEngine(Protocol):
    """A loaded model, shared by every call in the process."""

    name: str

    def recognizer(self) -> Recognizer:
        """A new recogniser for one call."""

    def prepare(self, context_sets: Iterable[Sequence[str]]) -> None:
        """Do the per-context work (grammars) up front, so no caller waits for it."""


def transcribe(engine: SpeechEngine, pcm: np.ndarray, contexts: Sequence[str],
               chunk: int = 1600) -> Transcript:
    """A whole utterance through a fresh recogniser, fed in 200 ms chunks as a stream would."""
    recognizer = engine.recognizer()
    try:
        recognizer.start(contexts)
        for start in range(0, len(pcm), chunk):
            recognizer.feed(pcm[start:start + chunk])
        return recognizer.finish()
    finally:
        recognizer.close()
