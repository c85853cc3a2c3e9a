"""Whether a caller spoke another language than English.

tiny.en knows only English: it hears French as English words ("Come on, please be clear"),
often ones the matcher takes for a request. A multilingual Whisper (base, from the packages the
setup installs) tells languages apart, but on telephone audio and short turns it also gives
English a low probability now and then, so neither signal is used alone: a turn counts as
another language only when tiny.en was unsure of its words (CHECK_BELOW) *and* the
multilingual model found English unlikely and another language likelier (ENGLISH_BELOW).
The multilingual encoder runs only on those unsure turns, on the features tiny.en was given.
Both thresholds were chosen on the fixture manifest and measured on the held-out set
(BENCHMARKS.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ivr.speech.stt.whisper.model import LoadedModel, load_model

CHECK_BELOW = 0.3
"""Turns whose best reading's confidence (mean token probability × speech probability) is
below this have their language checked."""
ENGLISH_BELOW = 0.2
"""Below this probability of English, and with another language likelier, a checked turn is
taken for another language."""
DETECTOR_MODEL = "base"
"""The multilingual model used when the recogniser's own model is English-only."""


@dataclass(frozen=True)
class LanguageGuess:
    """What the multilingual model made of one utterance's language."""

    likeliest: str
    """Whisper's code for the likeliest language: "en", "fr", "zh"…"""
    english: float
    """The probability it gave English."""

    @property
    def other_language(self) -> bool:
        return self.likeliest != "en" and self.english < ENGLISH_BELOW


class LanguageDetector:
    """Whisper's language identification: one encoder pass and one decoder step."""

    def __init__(self, model: LoadedModel) -> None:
        self.model = model

    def guess(self, features: np.ndarray) -> list[LanguageGuess]:
        """[batch, n_mels, frames] features of windows of one length → a guess for each."""
        import ctranslate2

        results = self.model.whisper.detect_language(
            ctranslate2.StorageView.from_array(np.ascontiguousarray(features)))
        return [_guess(dict(ranked)) for ranked in results]


def language_detector(recogniser_model: LoadedModel, cache_dir: Path) -> LanguageDetector:
    """The recogniser's model when it is multilingual, otherwise Whisper base."""
    if recogniser_model.whisper.is_multilingual:
        return LanguageDetector(recogniser_model)
    return LanguageDetector(load_model(DETECTOR_MODEL, cache_dir))


def needs_checking(confidence: float) -> bool:
    return confidence < CHECK_BELOW


def _guess(probabilities: dict[str, float]) -> LanguageGuess:
    likeliest = max(probabilities, key=lambda token: probabilities[token])
    return LanguageGuess(_code(likeliest), float(probabilities.get("<|en|>", 0.0)))


def _code(token: str) -> str:
    """"<|fr|>" → "fr"."""
    return token.removeprefix("<|").removesuffix("|>")
