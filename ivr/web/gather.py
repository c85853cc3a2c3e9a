"""Gather mode (IVR_MODE=gather): the same dialog over <Gather> webhooks, with Twilio's speech
recogniser (hinted from our grammar) instead of ours.

/twilio/voice starts the dialog; each <Gather> posts /twilio/gather with SpeechResult, Digits
or nothing (actionOnEmptyResult), which become Heard, Dtmf or NoInput, so silence and
misunderstanding follow the same escalation as in stream mode.
"""

from __future__ import annotations

import logging
import math

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from ivr.call.live import LiveSession
from ivr.events import Action, Ask, Dtmf, EndCall, Event, Heard, NoInput, Say, Transfer
from ivr.telephony import twiml
from ivr.web import forms
from ivr.web.app_state import AppState, current_app_state
from ivr.web.audio import spoken
from ivr.web.handoff import to_people, transfer_after_line_problem, xml
from ivr.web.signature import twilio_webhook
from ivr.web.urls import absolute

log = logging.getLogger(__name__)
gather = Blueprint("gather", __name__, url_prefix="/twilio")

NO_INPUT_TIMEOUT_S = 6
UNKNOWN_CONFIDENCE = 0.5
"""Twilio sometimes omits Confidence: assume it is low enough to read order numbers back."""
START = "start"


def start_gather_call(app_state: AppState, sid: str, caller: str) -> str:
    """The first TwiML of a Gather-mode call (the same answer again for a retried webhook)."""
    live = app_state.live.start(sid, caller)
    if START in live.answers:
        return live.answers[START]
    return _answered(app_state, live, START, live.session.start())


@gather.post("/gather")
@twilio_webhook
def gather_result() -> ResponseReturnValue:
    """One <Gather> result: the caller's words, keys, or silence."""
    app_state = current_app_state()
    sid = forms.text("CallSid", 64)
    live = app_state.live.get(sid)
    if live is None:
        return xml(_lost_call(app_state, sid))
    retry_key = request.headers.get("I-Twilio-Idempotency-Token", "")
    if retry_key and retry_key in live.answers:
        return xml(live.answers[retry_key])
    event = _event(live)
    actions = live.session.handle(event)
    if isinstance(event, Heard):
        heard = live.session.heard
        live.recorder.caller_said(event.text, heard.intent if heard else None,
                                  event.confidence)
    return xml(_answered(app_state, live, retry_key, actions))


def _answered(app_state: AppState, live: LiveSession, key: str, actions: list[Action]) -> str:
    """The TwiML for these actions, the dialog kept for the next request (under `key`, for
    a retry), or the answer another attempt at the same request gave first."""
    answer, finished = _answer(app_state, live, actions)
    if finished:
        app_state.live.discard(live.recorder.call_sid)
        return answer
    if key:
        live.answers[key] = answer
    stored = app_state.live.save(live)
    return stored.get(key, answer) if key else answer


def _event(live: LiveSession) -> Event:
    digits = forms.text("Digits", 32)
    speech = forms.text("SpeechResult")
    if digits:
        live.recorder.caller_pressed(digits)
        return Dtmf(digits)
    if speech:
        confidence = forms.fraction("Confidence")
        confidence = UNKNOWN_CONFIDENCE if confidence is None else confidence
        return Heard(speech, confidence)
    return NoInput()


def _answer(app_state: AppState, live: LiveSession,
            actions: list[Action]) -> tuple[str, bool]:
    """The dialog's actions as TwiML (prompts, then listen, queue or hang up), and whether
    the dialog is over."""
    live.recorder.bot_did(actions)
    sid = live.recorder.call_sid
    texts = [action.text for action in actions if isinstance(action, Say | Ask)]
    if any(isinstance(action, Transfer) for action in actions):
        return to_people(app_state, sid, texts), True
    ask = next((action for action in reversed(actions) if isinstance(action, Ask)), None)
    if ask is None or any(isinstance(action, EndCall) for action in actions):
        return twiml.say_then_hangup(spoken(app_state, texts)), True
    silence_s = max(1, math.ceil(app_state.settings.end_silence_ms / 1000))
    return twiml.gather(spoken(app_state, texts), absolute("/twilio/gather"),
                        hints=app_state.hints(ask.contexts), num_digits=ask.keys,
                        timeout_s=NO_INPUT_TIMEOUT_S, speech_timeout_s=silence_s), False


def _lost_call(app_state: AppState, sid: str) -> str:
    """A result for a call we hold no dialog for (a restart, or a stranger): to people if the
    call is ours, else a polite goodbye."""
    if app_state.store.call(sid) is None:
        sorry = app_state.bot.policy.prompts.render("unknown_call")
        return twiml.say_then_hangup(spoken(app_state, [sorry]))
    log.warning("call %s: gather result for a dialog this server no longer holds", sid)
    transfer_after_line_problem(app_state, sid)
    return to_people(app_state, sid, [app_state.bot.policy.prompts.render("line_problem")])
