"""The Vosk adapter against a real Kaldi model: PyPI's Korean small model (no English Vosk model
can be fetched on CI machines), fed Korean speech from espeak-ng over the telephone band."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from ivr.errors import SpeechModelError
from ivr.speech.codec import pcm_to_ulaw, ulaw_to_pcm
from ivr.speech.stt import transcribe
from ivr.speech.tts import Synthesizer, Voice
from ivr.speech.vosk_stt import VoskEngine

PHRASES = {"greeting": ["안녕하세요", "감사합니다"], "numbers": ["하나", "둘", "셋", "넷", "다섯"]}


def phrases(contexts: Sequence[str]) -> list[str]:
    return [p for context in contexts for p in PHRASES[context]]


@pytest.fixture(scope="module")
def vosk_engine(korean_model: Path) -> VoskEngine:
    return VoskEngine(korean_model, phrases)


@pytest.fixture(scope="module")
def korean_voice() -> Iterator[Synthesizer]:
    """Its own worker: after a Korean sentence espeak-ng keeps some language state, and English
    sentences from the same worker come out at a slightly different length."""
    synth = Synthesizer(Voice("ko", 140), workers=1)
    yield synth
    synth.close()


def phone(synthesizer: Synthesizer, text: str) -> np.ndarray:
    speech = synthesizer.synthesize(text)
    return ulaw_to_pcm(pcm_to_ulaw(speech))


def test_grammar_restricted_decoding_of_real_speech(
        vosk_engine: VoskEngine, korean_voice: Synthesizer) -> None:
    transcript = transcribe(vosk_engine, phone(korean_voice, "감사합니다"), ["greeting"])
    assert transcript.text == "감사합니다"
    assert 0.3 < transcript.confidence <= 1.0
    assert transcript.words[0].word == "감사합니다"
    assert 0 <= transcript.words[0].start_ms < transcript.words[0].end_ms


def test_the_context_decides_the_vocabulary(
        vosk_engine: VoskEngine, korean_voice: Synthesizer) -> None:
    audio = phone(korean_voice, "감사합니다")
    recognizer = vosk_engine.recognizer()
    recognizer.start(["numbers"])
    recognizer.feed(audio)
    in_numbers = recognizer.finish()
    recognizer.start(["greeting"])
    recognizer.feed(audio)
    in_greeting = recognizer.finish()
    recognizer.close()
    assert in_greeting.text == "감사합니다"
    assert in_numbers.text != "감사합니다"
    assert set(in_numbers.text.split()) <= set(PHRASES["numbers"])


def test_partial_results_stream_while_audio_arrives(
        vosk_engine: VoskEngine, korean_voice: Synthesizer) -> None:
    audio = phone(korean_voice, "안녕하세요 감사합니다")
    recognizer = vosk_engine.recognizer()
    recognizer.start(["greeting"])
    partials = [recognizer.feed(audio[i:i + 1600]) for i in range(0, len(audio), 1600)]
    final = recognizer.finish()
    recognizer.close()
    assert any(partials)
    assert final.text.split()[-1] == "감사합니다"


def test_silence_gives_an_empty_transcript(vosk_engine: VoskEngine) -> None:
    silence = np.random.default_rng(0).normal(0, 10, 8000 * 3).astype(np.int16)
    transcript = transcribe(vosk_engine, silence, ["greeting"])
    assert transcript.text == ""
    assert not transcript.rejected


def test_the_model_rate_comes_from_its_configuration(vosk_engine: VoskEngine) -> None:
    assert vosk_engine.rate == 16000


def test_a_missing_model_folder_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(SpeechModelError, match="ivr models download en-us"):
        VoskEngine(tmp_path / "nowhere", phrases)


def test_a_broken_model_folder_is_a_clear_error(tmp_path: Path, korean_model: Path) -> None:
    broken = tmp_path / "model"
    (broken / "am").mkdir(parents=True)
    (broken / "am" / "final.mdl").write_bytes(b"not a model")
    shutil.copytree(korean_model / "conf", broken / "conf")
    with pytest.raises(SpeechModelError, match="broken"):
        VoskEngine(broken, phrases)
