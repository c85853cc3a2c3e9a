"""PocketSphinx with the grammars from grammars/ on real (synthesised, telephone-band) speech:
what it hears, what it rejects, silence, odd WAV shapes, context switches and the decoder pool.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np
import pytest

from ivr.config import PROJECT_ROOT
from ivr.errors import AudioError
from ivr.nlu.matcher import Matcher
from ivr.speech.codec import PHONE_RATE, decode_wav, read_wav, resample, wav_bytes
from ivr.speech.consensus import meaning_of, with_agreement
from ivr.speech.endpoint import EndpointSettings
from ivr.speech.listener import recognise_recording
from ivr.speech.stt.pocketsphinx.decoding import (
    ALTERNATIVES,
    Decoded,
    UtteranceDecoder,
    new_decoder,
)
from ivr.speech.stt.pocketsphinx.engine import PocketSphinxEngine

pytestmark = pytest.mark.speech

FIXTURES = PROJECT_ROOT / "audio_fixtures" / "wav"
RECOGNISED = [
    ("012-i-d-like-to-return-an-item", "main", "return_request"),
    ("058-when-is-my-delivery-coming", "main", "track_package"),
    ("022-nope-that-s-wrong", "confirm", "no"),
    ("036-it-arrived-damaged", "return_reason", "return_reason"),
    ("037-you-sent-me-the-wrong-item", "return_reason", "return_reason"),
    ("044-let-me-talk-to-a-human", "confirm", "speak_to_agent"),
    ("104-four-out-of-five", "rating", "rating"),
    ("flite-006-what-s-the-status-of-my-order", "main", "order_status"),
    ("152-how-long-will-delivery-take", "main", "shipping_info"),
    ("154-talk-to-an-agent", "main", "speak_to_agent"),
    ("162-okay-thank-you-bye", "main", "goodbye"),
    ("180-wrong-item", "return_reason", "return_reason"),
]
"""Manifest utterances the bundled model hears, and its n-best alternatives agree on, today
(about a third of the espeak-ng manifest is understood: see BENCHMARKS.md); they pin down the
path from audio to intent."""
RECOGNISED_NAME = "154-talk-to-an-agent"
FORCED_INTO_SHOP_WORDS = ["192-i-d-like-a-pizza", "212-i-need-a-taxi-to-the-airport"]
"""Out-of-domain utterances whose best reading the matcher understands, and which the n-best
agreement (ivr.speech.consensus) rejects."""


def fixture(name: str) -> np.ndarray:
    return read_wav(next(FIXTURES.glob(f"{name}*.wav")))


@pytest.mark.parametrize(("name", "context", "intent"), RECOGNISED)
def test_in_grammar_speech_is_recognised(sphinx: PocketSphinxEngine, matcher: Matcher,
                                         name: str, context: str, intent: str) -> None:
    transcript = with_agreement(recognise_recording(sphinx, fixture(name), [context]), matcher,
                        [context])
    assert meaning_of(transcript, matcher, [context]).intent == intent
    assert not transcript.rejected and transcript.confidence > 0
    assert 1 < len(transcript.alternatives) <= ALTERNATIVES
    assert transcript.words and transcript.words[0].start_ms < transcript.words[-1].end_ms


@pytest.mark.parametrize(("name", "context", "intent", "heard"), [
    ("flite-048-i-don-t-know-my-order-number", "order_number", "dont_know",
     "i don't know my order number"),
    ("flite-056-my-parcel-still-hasn-t-come", "main", "track_package",
     "my parcel still hasn't come"),
    ("flite-184-it-doesn-t-work", "return_reason", "return_reason", "it doesn't work"),
])
def test_short_forms_are_heard_as_said(sphinx: PocketSphinxEngine, matcher: Matcher, *,
                                       name: str, context: str, intent: str,
                                       heard: str) -> None:
    """The grammar spells these out ("do not", "has not"); callers do not."""
    transcript = with_agreement(recognise_recording(sphinx, fixture(name), [context]), matcher,
                        [context])
    assert transcript.text == heard
    assert meaning_of(transcript, matcher, [context]).intent == intent


@pytest.mark.parametrize("name", FORCED_INTO_SHOP_WORDS)
def test_out_of_domain_speech_forced_into_shop_words_is_rejected_by_its_alternatives(
        sphinx: PocketSphinxEngine, matcher: Matcher, name: str) -> None:
    transcript = recognise_recording(sphinx, fixture(name), ["main"])
    assert matcher.match(transcript.text, "main").intent is not None  # the best guess fits
    assert with_agreement(transcript, matcher, ["main"]).rejected


@pytest.mark.parametrize("name", ["194-what-s-the-weather-like-tomorrow",
                                  "flite-201-play-some-music",
                                  "flite-212-i-need-a-taxi-to-the-airport"])
def test_out_of_domain_speech_is_heard_but_not_understood(
        sphinx: PocketSphinxEngine, matcher: Matcher, name: str) -> None:
    transcript = recognise_recording(sphinx, fixture(name), ["main"])
    assert transcript.text  # heard as everyday words, not forced into a shop phrase
    assert matcher.match(transcript.text, "main").intent is None


def test_silence_is_no_transcript(sphinx: PocketSphinxEngine) -> None:
    transcript = recognise_recording(sphinx, fixture("215-silence"), ["main"])
    assert transcript.text == "" and not transcript.rejected


def test_ten_minutes_of_silence_is_nothing_not_a_hang(sphinx: PocketSphinxEngine) -> None:
    silence = np.random.default_rng(0).normal(0, 10, PHONE_RATE * 600).astype(np.int16)
    assert recognise_recording(sphinx, silence, ["main"]).text == ""


def test_a_48khz_stereo_recording_is_heard_like_the_phone_one(
        sphinx: PocketSphinxEngine) -> None:
    phone = fixture(RECOGNISED_NAME)
    wide = resample(phone, PHONE_RATE, 48000)
    stereo = np.column_stack([wide, wide]).ravel()
    raw = bytearray(wav_bytes(stereo, 48000))
    raw[22:24] = (2).to_bytes(2, "little")  # two channels
    raw[28:32] = (48000 * 4).to_bytes(4, "little")
    raw[32:34] = (4).to_bytes(2, "little")
    again = decode_wav(bytes(raw))
    expected = recognise_recording(sphinx, phone, ["main"]).text
    assert expected and recognise_recording(sphinx, again, ["main"]).text == expected


def test_a_truncated_recording_still_gives_an_answer(sphinx: PocketSphinxEngine) -> None:
    raw = next(FIXTURES.glob(f"{RECOGNISED_NAME}*.wav")).read_bytes()
    transcript = recognise_recording(sphinx, decode_wav(raw[: len(raw) // 3]), ["main"])
    assert isinstance(transcript.text, str)
    with pytest.raises(AudioError):
        decode_wav(raw[:30])


@pytest.mark.parametrize("voice", ["flite:rms", "flite:awb"])
def test_a_pause_in_a_half_said_request_does_not_cut_it_short(
        sphinx: PocketSphinxEngine, matcher: Matcher, voice: str,
        paused_speech: Callable[[str, str, str], np.ndarray]) -> None:
    """"I would like to… return an item": with the longer pause off (the default), it ended
    the utterance at "i would like to", which means nothing."""
    audio = paused_speech("I would like to", "return an item", voice)
    half_said = EndpointSettings(no_input_ms=10**9, incomplete_silence_ms=1200)
    cut_short = recognise_recording(sphinx, audio, ["main"], matcher=matcher)
    whole = recognise_recording(sphinx, audio, ["main"], half_said, matcher)
    assert matcher.match_first(cut_short.text, ["main"]).intent is None
    assert matcher.match_first(whole.text, ["main"]).intent == "return_request"
    assert whole.text.endswith("return an item")


def test_heard_so_far_counts_all_the_audio_fed(sphinx: PocketSphinxEngine) -> None:
    """Fed faster than it decodes, the recogniser still answers for every frame fed (the
    endpointer asks this when the caller pauses)."""
    recognizer = sphinx.recognizer()
    try:
        recognizer.start(["main"])
        recognizer.feed(fixture(RECOGNISED_NAME))
        heard = recognizer.heard_so_far()
        final = recognizer.finish()
    finally:
        recognizer.close()
    assert heard.split()[-2:] == final.text.split()[-2:] == ["an", "agent"]


def test_one_recogniser_follows_the_dialog_from_context_to_context(
        sphinx: PocketSphinxEngine) -> None:
    recognizer = sphinx.recognizer()
    try:
        for context in ("main", "confirm", "order_number", "main"):
            recognizer.start([context])
            recognizer.feed(fixture(RECOGNISED_NAME))
            result = recognizer.finish()
            assert isinstance(result.text, str)
    finally:
        recognizer.close()


def test_partial_results_follow_the_caller_word_by_word(sphinx: PocketSphinxEngine) -> None:
    """Fed in 20 ms frames at the pace of a call, the recogniser answers with the words heard
    so far; the next utterance starts from nothing, not from the last one's words."""
    audio = fixture("051-can-you-tell-me-if-my-order-went-out-yet")
    recognizer = sphinx.recognizer()
    try:
        recognizer.start(["main"])
        partials = []
        for i in range(0, len(audio), PHONE_RATE // 50):
            partials.append(recognizer.feed(audio[i:i + PHONE_RATE // 50]))
            time.sleep(0.01)  # half a call's pace: the worker keeps up with a call
        final = recognizer.finish()
        recognizer.start(["main"])
        next_partial = recognizer.feed(np.zeros(160, np.int16))
        recognizer.finish()
    finally:
        recognizer.close()
    changes = [p for p, before in zip(partials, ["", *partials], strict=False) if p != before]
    assert len(changes) >= 3
    assert len(changes[-1].split()) > len(changes[0].split())
    assert changes[-1].split()[-3:] == final.text.split()[-3:]  # "… went out yet"
    assert next_partial == ""


def test_utterances_at_once_borrow_separate_decoder_processes(
        sphinx: PocketSphinxEngine) -> None:
    first, second = sphinx.recognizer(), sphinx.recognizer()
    first.start(["main"])
    second.start(["main"])
    assert first._worker is not None and second._worker is not None
    assert first._worker.process.pid != second._worker.process.pid
    size = sphinx.decoders.size
    first.feed(fixture(RECOGNISED_NAME))
    second.feed(fixture(RECOGNISED_NAME))
    assert first.finish() == second.finish()  # the same audio, the same words, in parallel
    third = sphinx.recognizer()
    third.start(["confirm"])
    assert sphinx.decoders.size == size  # a returned process was reused, none started
    third.close()
    first.close()
    second.close()


def test_each_call_gets_a_decoder_started_before_its_caller_speaks(
        sphinx: PocketSphinxEngine) -> None:
    pool = sphinx.decoders
    calls = [sphinx.recognizer() for _ in range(pool.size + 2)]
    assert pool.size >= len(calls)  # counted at once, started in the background
    deadline = time.monotonic() + 60
    while len(pool._idle) < len(calls) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(pool._idle) >= len(calls)  # ready before anyone spoke
    size = pool.size
    for call in calls:
        call.start(["confirm"])
    assert pool.size == size  # nobody waited for a process to start
    for call in calls:
        call.close()
    again = sphinx.recognizer()
    assert pool.size == size  # ended calls leave their processes for the next ones
    again.close()


def test_a_dead_decoder_process_rejects_the_utterance_and_is_replaced(
        sphinx: PocketSphinxEngine) -> None:
    recognizer = sphinx.recognizer()
    recognizer.start(["main"])
    assert recognizer._worker is not None
    recognizer._worker.process.kill()
    recognizer._worker.process.join()
    recognizer.feed(fixture(RECOGNISED_NAME))
    assert recognizer.finish().rejected
    recognizer.start(["main"])
    recognizer.feed(fixture(RECOGNISED_NAME))
    assert recognizer.finish().text  # a fresh process hears it again
    recognizer.close()


HEARD_DIFFERENTLY_AFTER_OTHERS = ["062-who-is-delivering-my-parcel",
                                  "066-the-jacket-i-bought-is-too-big",
                                  "118-my-parcel-was-supposed-to-come-yesterday",
                                  "150-do-you-deliver-to-canada"]
"""Utterances whose best reading changed with what the decoder had decoded before, while its
noise estimate carried over from one utterance to the next."""


def test_a_decoder_hears_an_utterance_the_same_whatever_it_decoded_before(
        sphinx: PocketSphinxEngine) -> None:
    """Decoders are pooled: a caller's words must not depend on the calls a decoder served."""
    _, language_model = sphinx.language_model(["main"])

    def decoded(utterance: UtteranceDecoder, name: str) -> Decoded:
        utterance.start("main", str(language_model))
        utterance.feed(fixture(name))
        return utterance.finish()

    alone = [decoded(UtteranceDecoder(new_decoder()), name)
             for name in HEARD_DIFFERENTLY_AFTER_OTHERS]
    pooled = UtteranceDecoder(new_decoder())
    decoded(pooled, "003-get-me-a-person")  # babble noise
    after_others = [decoded(pooled, name) for name in reversed(HEARD_DIFFERENTLY_AFTER_OTHERS)]
    assert after_others[::-1] == alone


def test_a_spare_decoder_cut_short_by_the_program_ending_is_not_an_error() -> None:
    """`ivr replay` of a short call used to end with "ERROR … could not start a spare speech
    decoder": the spare, still loading, was stopped with the program."""
    program = ("import logging, time; logging.basicConfig()\n"
               "from ivr.speech.stt.pocketsphinx.decoding import DecoderPool\n"
               "DecoderPool().call_started(); time.sleep(0.3)\n")
    ended = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                           timeout=60, check=False)
    assert ended.returncode == 0
    assert ended.stderr == ""


def test_context_grammars_are_cached_on_disk(sphinx: PocketSphinxEngine) -> None:
    recognizer = sphinx.recognizer()
    recognizer.start(["rating"])
    recognizer.finish()
    recognizer.close()
    assert list((sphinx.cache_dir).glob("rating-*.arpa"))
