"""VoiceCall: one call as audio — μ-law frames in, μ-law prompts out — around a CallSession.

This is the path every audio transport shares (Twilio media streams, in-process replay): frames
go through the call's listener (ivr.speech.listener: the endpointer and the call's own
recogniser, which hears an utterance from the moment speech starts, so when the caller stops
only the last bit is left to decode); the transcript goes to the dialog; the dialog's prompts
come back as cached or freshly synthesised audio. The clock is the inbound audio itself (20 ms
a frame), so replay runs faster than real time and still behaves exactly like a live call.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from ivr.call.keys import KeyCollector
from ivr.call.record import CallRecorder
from ivr.call.session import CallSession
from ivr.dialog.state import TransferReason
from ivr.errors import SynthesisError
from ivr.events import (
    Action,
    Ask,
    CallerHungUp,
    Dtmf,
    EndCall,
    Event,
    Heard,
    NoInput,
    Say,
    Transfer,
)
from ivr.speech.codec import ulaw_to_pcm
from ivr.speech.consensus import with_agreement
from ivr.speech.endpoint import EndpointKind, EndpointSettings
from ivr.speech.listener import Heard as Listened
from ivr.speech.listener import Listener, Recognised
from ivr.speech.stt import SpeechEngine, Transcript
from ivr.speech.tts.prompt_audio import PromptAudio, duration_ms
from ivr.store.redact import redact

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Play:
    """Send this prompt audio to the caller."""

    prompt_id: str
    text: str
    ulaw: bytes


@dataclass(frozen=True)
class StopPlaying:
    """The caller barged in: drop whatever prompt audio has not been played yet."""


@dataclass(frozen=True)
class CallerTurn:
    """What the bot heard in one caller turn, for transcripts, reports and the call record."""

    at_ms: int
    """When the utterance ended, on the call's clock."""
    transcript: Transcript
    intent: str | None
    slots: dict[str, str] = field(default_factory=dict)
    latency_ms: float = 0.0
    """Wall-clock time from the endpoint to the bot's answer being ready (audio included)."""


Output = Play | StopPlaying | Action


class VoiceCall:
    """Drives one CallSession from audio and turns its actions into audio."""

    def __init__(self, session: CallSession, engine: SpeechEngine, prompts: PromptAudio,
                 endpoint: EndpointSettings | None = None,
                 recorder: CallRecorder | None = None) -> None:
        self.session = session
        self.recorder = recorder
        self.prompts = prompts
        self.listener = Listener(engine, self._contexts, endpoint, session.policy.matcher)
        self.endpointer = self.listener.endpointer
        self.turns: list[CallerTurn] = []
        self.key_entry = KeyCollector()
        self.closed = False

    @property
    def now_ms(self) -> int:
        return self.endpointer.now_ms

    @property
    def prompt_playing(self) -> bool:
        return self.endpointer.prompt_playing

    @property
    def outcome(self) -> str | None:
        """How the dialog ended (None while it goes on)."""
        return self.session.state.outcome

    def start(self) -> list[Output]:
        return self._perform(self.session.start())

    def audio(self, ulaw: bytes) -> list[Output]:
        """One inbound frame of caller audio."""
        if self.closed:
            return []
        outputs: list[Output] = []
        for heard in self.listener.feed(ulaw_to_pcm(ulaw)):
            outputs += self._on_heard(heard)
        entry = self.key_entry.tick(self.now_ms)
        if entry:
            outputs += self.keys(entry)
        return outputs

    def key(self, key: str) -> list[Output]:
        """One key press (media streams send them singly); acts once the entry is complete."""
        if self.closed:
            return []
        interrupted: list[Output] = [StopPlaying()] if self.endpointer.prompt_playing else []
        self.endpointer.stop()
        entry = self.key_entry.press(key, self.now_ms)
        return interrupted + (self.keys(entry) if entry else [])

    def keys(self, digits: str) -> list[Output]:
        """Keys the caller pressed (DTMF); they also stop a playing prompt."""
        if self.closed:
            return []
        interrupted: list[Output] = [StopPlaying()] if self.endpointer.prompt_playing else []
        self.endpointer.stop()
        if self.recorder:
            self.recorder.caller_pressed(digits)
        return interrupted + self._perform(self.session.handle(Dtmf(digits)))

    def prompt_finished(self) -> None:
        """The transport knows the last prompt has finished playing (a Twilio mark)."""
        self.endpointer.prompt_finished()

    def hangup(self) -> list[Output]:
        """The caller hung up: the dialog records it; the recogniser goes back to the pool."""
        if self.closed:
            return []
        outputs = self._perform(self.session.handle(CallerHungUp()))
        if self.recorder:
            self.recorder.caller_hung_up()
        self.close()
        return outputs

    def line_dropped(self) -> None:
        """The transport lost the caller's audio mid-dialog: record a hand-over to people with
        the full context, since the caller may still be on the line."""
        if self.closed or self.session.ended:
            return
        transfer = self.session.hand_over(TransferReason.LINE_PROBLEM)
        if self.recorder:
            self.recorder.bot_did([transfer])
        self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.listener.close()

    def _contexts(self) -> tuple[str, ...]:
        return self.session.contexts or ("main",)

    def _on_heard(self, heard: Listened) -> list[Output]:
        if isinstance(heard, Recognised):
            return self._on_utterance(heard)
        match heard.kind:
            case EndpointKind.BARGE_IN:
                return [StopPlaying()]
            case EndpointKind.NO_INPUT:
                return self._perform(self.session.handle(NoInput()))
        return []

    def _on_utterance(self, recognised: Recognised) -> list[Output]:
        started = time.perf_counter() - recognised.recognised_ms / 1000
        contexts = self._contexts()
        matcher = self.session.policy.matcher
        transcript = with_agreement(recognised.transcript, matcher, contexts)
        heard: Event = Heard(transcript.text, transcript.confidence, transcript.rejected,
                             transcript.language)
        actions = self.session.handle(heard)
        meaning = self.session.heard
        intent = meaning.intent if meaning else None
        if self.recorder:
            self.recorder.caller_said(transcript.text, intent, transcript.confidence,
                                      (time.perf_counter() - started) * 1000)
        outputs = self._perform(actions)
        latency = (time.perf_counter() - started) * 1000
        self.turns.append(CallerTurn(recognised.endpoint.at_ms, transcript, intent,
                                     dict(meaning.slots) if meaning else {}, latency))
        log.info("call %s: heard %r (%s, %.2f) in %.0f ms", self.session.state.call_sid,
                 redact(transcript.text), intent, transcript.confidence, latency)
        return outputs

    def _perform(self, actions: list[Action]) -> list[Output]:
        if self.recorder:
            self.recorder.bot_did(actions)
        outputs: list[Output] = []
        playing_ms = 0
        listen = False
        for action in actions:
            if isinstance(action, Say | Ask):
                audio = self._speak(action.prompt_id, action.text)
                playing_ms += duration_ms(audio)
                outputs.append(Play(action.prompt_id, action.text, audio))
                listen = listen or isinstance(action, Ask)
            if isinstance(action, Ask):
                self.key_entry.expect(action.keys)
            outputs.append(action)
            if isinstance(action, Transfer | EndCall):
                self.close()
        if listen and not self.closed:
            self.endpointer.listen(prompt_ms=playing_ms)
        return outputs

    def _speak(self, prompt_id: str, text: str) -> bytes:
        """The prompt's audio; if synthesis fails, the pre-rendered apology instead of silence."""
        try:
            return self.prompts.ulaw(text)
        except SynthesisError:
            log.exception("call %s: cannot synthesise prompt %s", self.session.state.call_sid,
                          prompt_id)
            fallback = self.session.policy.prompts.render("system_error")
            try:
                return self.prompts.ulaw(fallback)
            except SynthesisError:
                return b""
