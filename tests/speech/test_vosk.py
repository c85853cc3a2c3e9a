"""The Vosk adapter against a real Kaldi model: PyPI's Korean small model (no English Vosk model
can be fetched on CI machines), fed Korean speech from espeak-ng over the telephone band."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from ivr.config import Settings
from ivr.errors import SpeechModelError
from ivr.nlu.grammar import Grammar
from ivr.nlu.matcher import Matcher
from ivr.speech.codec import pcm_to_ulaw, ulaw_to_pcm
from ivr.speech.engines import speech_engine
from ivr.speech.stt import transcribe
from ivr.speech.stt.vosk.engine import VoskEngine
from ivr.speech.tts import Synthesizer, Voice
from ivr.speech.tts.espeak import EspeakSynthesizer

pytestmark = pytest.mark.speech

SENTENCES = {
    "greeting": [["안녕하세요"], ["감사합니다"], ["안녕하세요", "감사합니다"]],
    "numbers": [["하나", "둘", "셋"], ["넷", "다섯"], ["하나"]],
}


SHOP_SENTENCES = [s.split() for s in (
    "주문 상태 확인 해 주세요", "배송 조회 하고 싶어요", "환불 요청 하고 싶어요",
    "상담원 연결 해 주세요", "주문 취소 하고 싶어요", "반품 정책 알려 주세요",
    "제 택배 어디 있어요", "주문 번호 몰라요", "네", "아니요", "감사합니다 안녕히 계세요")]


def sentences(contexts: Sequence[str], known: Callable[[str], bool]) -> list[list[str]]:
    return [s for context in contexts for s in SENTENCES[context]]


@pytest.fixture(scope="module")
def vosk_engine(korean_model: Path) -> VoskEngine:
    return VoskEngine(korean_model, sentences)


@pytest.fixture(scope="module")
def korean_voice() -> Iterator[Synthesizer]:
    """Its own worker: after a Korean sentence espeak-ng keeps some language state, and English
    sentences from the same worker come out at a slightly different length."""
    synth = EspeakSynthesizer(Voice("ko", 140), workers=1)
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
    assert set(in_numbers.text.split()) <= {w for s in SENTENCES["numbers"] for w in s}


def test_the_phrase_list_is_sentences_of_words_the_model_knows(korean_model: Path) -> None:
    """Vosk learns which word follows which from the phrases: they must be whole sentences,
    and a sentence with a word the model cannot say is left out rather than cut short."""
    asked: list[Callable[[str], bool]] = []

    def sentences_of(contexts: Sequence[str], known: Callable[[str], bool]) -> list[list[str]]:
        asked.append(known)
        said = [["하나", "둘", "셋"], ["하나", "둘"], ["셋", "하나"], ["하나", "parcel"]]
        return [s for s in said if all(known(w) for w in s)]

    engine = VoskEngine(korean_model, sentences_of)
    # this model has no "[unk]" word: an English one has, and it would come last
    assert json.loads(engine.grammar(["numbers"])) == ["셋 하나", "하나 둘", "하나 둘 셋"]
    assert asked[0]("하나") and not asked[0]("parcel")
    engine.grammar(["numbers"])
    assert len(asked) == 1  # built once per context set


def test_whole_sentences_teach_vosk_the_word_order(korean_model: Path) -> None:
    """A shop's sentences in Korean (the model's language), spoken by espeak-ng at 150 words a
    minute. From a list of single words Vosk heard "번호 번호 있어요": it had no word order."""
    engine = VoskEngine(korean_model, lambda contexts, known: SHOP_SENTENCES)
    synthesizer = EspeakSynthesizer(Voice("ko", 150), workers=1)
    try:
        audio = phone(synthesizer, "주문 번호 몰라요")
    finally:
        synthesizer.close()
    assert transcribe(engine, audio, ["shop"]).text == "주문 번호 몰라요"


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


def test_heard_so_far_is_the_latest_partial_and_nothing_between_utterances(
        vosk_engine: VoskEngine, korean_voice: Synthesizer) -> None:
    audio = phone(korean_voice, "안녕하세요 감사합니다")
    recognizer = vosk_engine.recognizer()
    recognizer.start(["greeting"])
    last = ""
    for i in range(0, len(audio), 1600):
        last = recognizer.feed(audio[i:i + 1600])
    heard = recognizer.heard_so_far()
    recognizer.finish()
    after = recognizer.heard_so_far()
    recognizer.close()
    assert heard == last and "감사합니다" in heard
    assert after == ""


def test_silence_gives_an_empty_transcript(vosk_engine: VoskEngine) -> None:
    silence = np.random.default_rng(0).normal(0, 10, 8000 * 3).astype(np.int16)
    transcript = transcribe(vosk_engine, silence, ["greeting"])
    assert transcript.text == ""
    assert not transcript.rejected


def test_the_model_rate_comes_from_its_configuration(vosk_engine: VoskEngine) -> None:
    assert vosk_engine.rate == 16000


def test_a_missing_model_folder_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(SpeechModelError, match="ivr models download en-us"):
        VoskEngine(tmp_path / "nowhere", sentences)


def test_a_broken_model_folder_is_a_clear_error(tmp_path: Path, korean_model: Path) -> None:
    broken = tmp_path / "model"
    (broken / "am").mkdir(parents=True)
    (broken / "am" / "final.mdl").write_bytes(b"not a model")
    shutil.copytree(korean_model / "conf", broken / "conf")
    with pytest.raises(SpeechModelError, match="broken"):
        VoskEngine(broken, sentences)


def test_a_model_that_knows_none_of_a_contexts_sentences_is_a_clear_error(
        korean_model: Path, grammar: Grammar, matcher: Matcher, tmp_path: Path) -> None:
    """IVR_VOSK_MODEL pointing at a model of another language: a message at start-up, not a
    crash inside Vosk (an empty phrase list leaves it no decoding graph)."""
    settings = Settings.from_env({"IVR_STT": "vosk", "IVR_VOSK_MODEL": str(korean_model),
                                  "IVR_CACHE_DIR": str(tmp_path)})
    engine = speech_engine(settings, grammar, matcher)
    assert isinstance(engine, VoskEngine)
    with pytest.raises(SpeechModelError, match="knows no sentence of confirm"):
        engine.prepare([["confirm"]])
