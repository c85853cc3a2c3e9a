"""VoiceCall, the audio path every transport shares: prompts become audio and start the
listening clock, talking over a prompt stops it, keys and silence reach the dialog, and a
broken synthesiser does not break the call."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ivr.call.session import CallSession
from ivr.call.voice import Play, StopPlaying, VoiceCall
from ivr.dialog.policy import Policy
from ivr.events import Ask, Transfer
from ivr.replay import Outcome, print_report
from ivr.speech.codec import frames, pcm_to_ulaw, read_wav
from ivr.speech.endpoint import EndpointSettings
from ivr.speech.fixtures import Utterance
from ivr.speech.stt.pocketsphinx.engine import PocketSphinxEngine
from ivr.speech.tts import Synthesizer
from ivr.speech.tts.espeak import EspeakSynthesizer
from ivr.speech.tts.prompt_audio import PromptAudio

pytestmark = pytest.mark.speech

SPEECH = (Path(__file__).parents[2] / "audio_fixtures" / "wav"
          / "flite-081-how-long-does-delivery-usually-take.wav")
"""A request PocketSphinx hears right whatever line noise comes before it (some it hears
right or wrong depending on a few milliseconds of noise)."""


def voice_call(policy: Policy, sphinx: PocketSphinxEngine, synthesizer: Synthesizer,
               cache: Path) -> VoiceCall:
    session = CallSession(policy, "CAtest", "")
    return VoiceCall(session, sphinx, PromptAudio(synthesizer, cache))


def feed(call: VoiceCall, ulaw: bytes) -> list[object]:
    outputs: list[object] = []
    for frame in frames(ulaw):
        outputs += call.audio(frame)
    return outputs


LINE_NOISE = np.random.default_rng(0).normal(0, 12, 8 * 30_000).astype(np.int16)


def hiss(ms: int) -> bytes:
    """Quiet line noise, whole 20 ms frames of it, always ending in the same samples: the
    greeting's length jitters by a few milliseconds from one synthesis to the next, and the
    noise just before the caller speaks must not change with it (the recogniser hears it)."""
    return pcm_to_ulaw(LINE_NOISE[len(LINE_NOISE) - ms // 20 * 160:])


def test_the_greeting_is_audio_and_listening_waits_for_it_to_finish(
        policy: Policy, sphinx: PocketSphinxEngine, synthesizer: Synthesizer,
        tmp_path: Path) -> None:
    call = voice_call(policy, sphinx, synthesizer, tmp_path)
    outputs = call.start()
    plays = [o for o in outputs if isinstance(o, Play)]
    assert plays[0].prompt_id == "greeting" and len(plays[0].ulaw) > 8000 * 3
    assert any(isinstance(o, Ask) for o in outputs)
    assert call.endpointer.prompt_playing
    feed(call, hiss(len(plays[0].ulaw) // 8 + 200))
    assert not call.endpointer.prompt_playing


def test_speech_after_the_prompt_is_heard_and_answered(
        policy: Policy, sphinx: PocketSphinxEngine, synthesizer: Synthesizer,
        tmp_path: Path) -> None:
    call = voice_call(policy, sphinx, synthesizer, tmp_path)
    greeting = call.start()[0]
    assert isinstance(greeting, Play)
    feed(call, hiss(len(greeting.ulaw) // 8 + 300))
    outputs = feed(call, pcm_to_ulaw(read_wav(SPEECH)) + hiss(1000))
    assert [o.prompt_id for o in outputs if isinstance(o, Play)] == ["shipping_info",
                                                                      "anything_else"]
    assert call.turns[-1].intent == "shipping_info"
    assert "delivery" in call.turns[-1].transcript.text.split()


def test_a_caller_who_pauses_half_way_is_heard_in_one_turn(
        policy: Policy, sphinx: PocketSphinxEngine, synthesizer: Synthesizer, tmp_path: Path,
        paused_speech: Callable[[str, str, str], np.ndarray]) -> None:
    call = VoiceCall(CallSession(policy, "CAtest", ""), sphinx, PromptAudio(synthesizer, tmp_path),
                     EndpointSettings(incomplete_silence_ms=1200))
    greeting = call.start()[0]
    assert isinstance(greeting, Play)
    feed(call, hiss(len(greeting.ulaw) // 8 + 300))
    feed(call, pcm_to_ulaw(paused_speech("can I speak", "to an agent", "flite:rms")) + hiss(1500))
    assert [turn.intent for turn in call.turns] == ["speak_to_agent"]
    heard = call.turns[0].transcript.text  # "... to an agent" or "... to the agent"
    assert heard.startswith("can i speak") and heard.endswith("agent")


def test_a_guess_its_alternatives_disagree_on_is_asked_again_not_acted_on(
        policy: Policy, sphinx: PocketSphinxEngine, synthesizer: Synthesizer,
        tmp_path: Path) -> None:
    """"I need a taxi to the airport" comes out in shop words ("i need to update where the
    order"): an order's status, were the best reading taken at its word. Its n-best
    alternatives do not agree on it."""
    call = voice_call(policy, sphinx, synthesizer, tmp_path)
    greeting = call.start()[0]
    assert isinstance(greeting, Play)
    feed(call, hiss(len(greeting.ulaw) // 8 + 300))
    taxi = SPEECH.with_name("212-i-need-a-taxi-to-the-airport.wav")
    outputs = feed(call, pcm_to_ulaw(read_wav(taxi)) + hiss(1000))
    assert next(o.prompt_id for o in outputs if isinstance(o, Play)) == "didnt_understand"
    assert not call.closed
    turn = call.turns[-1]
    assert turn.transcript.rejected and turn.intent is None
    assert policy.matcher.match(turn.transcript.text).intent is not None


def test_talking_over_the_greeting_stops_it(
        policy: Policy, sphinx: PocketSphinxEngine, synthesizer: Synthesizer,
        tmp_path: Path) -> None:
    call = voice_call(policy, sphinx, synthesizer, tmp_path)
    call.start()
    outputs = feed(call, hiss(500) + pcm_to_ulaw(read_wav(SPEECH)) + hiss(1000))
    kinds = [type(o) for o in outputs]
    assert StopPlaying in kinds
    assert kinds.index(StopPlaying) < kinds.index(Play)  # stopped, then answered
    assert call.turns[-1].intent == "shipping_info"


def test_keys_reach_the_dialog_and_a_transfer_closes_the_call(
        policy: Policy, sphinx: PocketSphinxEngine, synthesizer: Synthesizer,
        tmp_path: Path) -> None:
    call = voice_call(policy, sphinx, synthesizer, tmp_path)
    call.start()
    outputs = call.keys("0")
    assert any(isinstance(o, Transfer) for o in outputs)
    assert call.closed
    assert call.audio(hiss(20)) == [] and call.keys("1") == []


def test_a_broken_synthesiser_does_not_break_the_call(
        policy: Policy, sphinx: PocketSphinxEngine, tmp_path: Path) -> None:
    broken = EspeakSynthesizer(workers=1, deadline=0.001)
    try:
        call = voice_call(policy, sphinx, broken, tmp_path)
        outputs = call.start()
        assert any(isinstance(o, Ask) for o in outputs)  # the dialog still listens
        assert any(isinstance(o, Play) for o in outputs)
        assert call.keys("1")  # and goes on
    finally:
        broken.close()


def test_the_report_lists_accuracy_confusions_false_accepts_and_slowest(tmp_path: Path) -> None:
    def outcome(intent: str | None, got: str | None, seconds: float,
                voice: str = "en-us") -> Outcome:
        utterance = Utterance(id=f"{intent}-{got}", context="main", intent=intent, text="x",
                              voice=voice)
        return Outcome(utterance, "words", got, intent == got, seconds)

    report = tmp_path / "report.txt"
    with report.open("w") as out:
        print_report([outcome("goodbye", "goodbye", 0.1, "flite:slt"),
                      outcome("goodbye", None, 0.3),
                      outcome(None, "repeat", 0.2), outcome(None, None, 0.1)], out)
    text = report.read_text()
    assert "intent accuracy: 1/2 = 50.0%" in text
    assert ("espeak-ng voices: intents right 0/1 = 0.0%, out-of-domain false accepts 1/2 = 50.0%"
            in text)
    assert "flite voices: intents right 1/1 = 100.0%, out-of-domain false accepts 0/0 = n/a" in text
    assert "goodbye → None: 1" in text
    assert "out-of-domain false accepts: 1/2 = 50.0%" in text
    assert text.index("goodbye-None") > text.index("slowest")
