"""Handing callers to people: the queue (<Enqueue> with a wait URL), callbacks, the agents'
phone line and the briefing an agent hears before the bridge (Twilio's "whisper" URL).

Outside business hours there is no queue to join: callers with a caller ID are offered a
callback; withheld numbers are told the opening hours.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue

from ivr.call.briefing import briefing_text
from ivr.dialog.state import TransferReason
from ivr.store.calls import BRIDGED_RESULTS, NextStep
from ivr.store.redact import mask_phone
from ivr.telephony import twiml
from ivr.web import forms
from ivr.web.app_state import AppState, current_app_state
from ivr.web.audio import hold_music_url, spoken
from ivr.web.signature import twilio_webhook
from ivr.web.urls import absolute

log = logging.getLogger(__name__)
handoff = Blueprint("handoff", __name__, url_prefix="/twilio")

CALLBACK_KEY = "1"
OFFER_TIMEOUT_S = 8


def xml(document: str) -> Response:
    return Response(document, mimetype="text/xml")


def to_people(app_state: AppState, call_sid: str, lead_in: list[str]) -> str:
    """TwiML that hands this call to people: a direct agent, the queue, or a callback offer."""
    settings = app_state.settings
    if direct := _to_agents_now(app_state, lead_in):
        return direct
    record = app_state.store.call(call_sid)
    prompts = app_state.bot.policy.prompts
    hours = settings.business_hours.spoken()
    if record is None or not record.caller:
        closed = prompts.render("closed_no_callback", hours=hours)
        return twiml.say_then_hangup(spoken(app_state, [*lead_in, closed]))
    offer = prompts.render("callback_closed", hours=hours)
    return twiml.offer_callback(spoken(app_state, [*lead_in, offer]),
                                absolute("/twilio/callback?offer=closed"), OFFER_TIMEOUT_S)


def to_people_without_records(app_state: AppState) -> str:
    """TwiML for a call whose record cannot be read or written (the database is away): the
    line-problem apology, then agents if they answer now (no database needed), else the hours
    (a callback would have to be stored)."""
    prompts = app_state.bot.policy.prompts
    lead_in = [prompts.render("line_problem")]
    if direct := _to_agents_now(app_state, lead_in):
        return direct
    closed = prompts.render("closed_no_callback", hours=app_state.settings.business_hours.spoken())
    return twiml.say_then_hangup(spoken(app_state, [*lead_in, closed]))


def _to_agents_now(app_state: AppState, lead_in: list[str]) -> str | None:
    """The agent's phone, or the queue while agents answer; None outside business hours."""
    settings = app_state.settings
    if settings.agent_number:
        return twiml.dial_number(settings.agent_number, absolute("/twilio/whisper"),
                                 spoken(app_state, lead_in))
    if settings.business_hours.is_open(datetime.now(UTC)):
        return twiml.enqueue(spoken(app_state, lead_in), settings.agent_queue,
                             absolute("/twilio/wait"), absolute("/twilio/queue-result"))
    return None


def transfer_after_line_problem(app_state: AppState, sid: str) -> None:
    """Record a transfer for a call whose dialog state is lost (a failed stream, a restart):
    the agent still gets the stored turns."""
    reason = str(TransferReason.LINE_PROBLEM)
    transcript = [{"speaker": row["speaker"], "text": row["text"], "intent": row["intent"]}
                  for row in app_state.store.turns(sid)]
    app_state.store.add_transfer(sid, app_state.settings.agent_queue, reason,
                                {"call_sid": sid, "reason": reason, "transcript": transcript})
    app_state.store.finish_dialog(sid, "transferred", NextStep.ENQUEUE)


@handoff.post("/wait")
@twilio_webhook
def wait() -> ResponseReturnValue:
    """Twilio requests this while the caller waits in the queue, again each time it ends."""
    app_state = current_app_state()
    prompts = app_state.bot.policy.prompts
    position = forms.number("QueuePosition", 1, 10_000)
    average_s = forms.number("AvgQueueTime", 1, 86_400)
    waited_s = forms.number("QueueTime", 0, 86_400) or 0
    texts = []
    if position:
        texts.append(prompts.render("queue_position", position=position))
    if average_s:
        minutes = max(1, round(average_s / 60))
        texts.append(prompts.render("queue_wait", minutes=minutes,
                                    minute_word="minute" if minutes == 1 else "minutes"))
    texts.append(prompts.render("queue_hold"))
    record = app_state.store.call(forms.text("CallSid", 64))
    offer_callback = waited_s >= app_state.settings.callback_after_s and bool(
        record and record.caller)
    callback = spoken(app_state, [prompts.render("callback_offer")]) if offer_callback else []
    return xml(twiml.hold(spoken(app_state, texts), hold_music_url(), callback,
                          absolute("/twilio/callback?offer=queue")))


@handoff.post("/callback")
@twilio_webhook
def callback() -> ResponseReturnValue:
    """The caller's key after a callback offer (in the queue, or when we are closed)."""
    app_state = current_app_state()
    prompts = app_state.bot.policy.prompts
    sid = forms.text("CallSid", 64)
    record = app_state.store.call(sid)
    if forms.text("Digits", 8) == CALLBACK_KEY and record and record.caller:
        transfer = app_state.store.transfer(sid)
        app_state.store.add_callback(sid, record.caller,
                                    transfer.reason if transfer else "closed")
        booked = prompts.render("callback_booked", last_four=mask_phone(record.caller)[-4:])
        return xml(twiml.say_then_hangup(spoken(app_state, [booked])))
    if request.args.get("offer") == "queue":
        return xml(twiml.hold(spoken(app_state, [prompts.render("queue_hold")]),
                              hold_music_url()))
    return xml(twiml.say_then_hangup(spoken(app_state, [prompts.render("callback_not_booked")])))


@handoff.post("/queue-result")
@twilio_webhook
def queue_result() -> ResponseReturnValue:
    """<Enqueue action>: how the caller left the queue (bridged and done, hung up, full…)."""
    app_state = current_app_state()
    sid = forms.text("CallSid", 64)
    result = forms.text("QueueResult", 40) or "unknown"
    app_state.store.record_queue_result(sid, result, forms.number("QueueTime", 0, 86_400))
    log.info("call %s: left the queue: %s", sid, result)
    if result in BRIDGED_RESULTS or result in ("hangup", "leave"):
        return xml(twiml.empty())
    prompts = app_state.bot.policy.prompts
    record = app_state.store.call(sid)
    if record and record.caller:  # queue full or broken: a callback rather than nothing
        offer = prompts.render("callback_closed", hours=app_state.settings.business_hours.spoken())
        return xml(twiml.offer_callback(spoken(app_state, [offer]),
                                        absolute("/twilio/callback?offer=closed"),
                                        OFFER_TIMEOUT_S))
    return xml(twiml.say_then_hangup(spoken(app_state, [prompts.render("unknown_call")])))


@handoff.post("/agent")
@twilio_webhook
def agent() -> ResponseReturnValue:
    """The agents' phone line: brief the agent on the caller at the head of the queue, then
    connect to them.

    Twilio runs <Queue url> on the *caller's* side (its TwiML docs), so the agent's briefing is
    spoken here, before the <Dial>, about the longest-waiting transfer we know of — the caller a
    FIFO queue hands over next.
    """
    app_state = current_app_state()
    queue = app_state.settings.agent_queue
    head = app_state.store.longest_waiting(queue)
    briefing = briefing_text(app_state.bot.policy.prompts, head.context if head else None)
    return xml(twiml.dial_queue(spoken(app_state, [briefing]), queue,
                                absolute("/twilio/whisper")))


@handoff.post("/whisper")
@twilio_webhook
def briefing() -> ResponseReturnValue:
    """Runs as a person picks the call up, and records the bridge.

    From <Dial><Queue url> it plays to the dequeued caller (CallSid is theirs, DequeingCallSid
    the agent's): they hear that someone is coming. From <Dial><Number url> (IVR_AGENT_NUMBER)
    it plays to the agent (ParentCallSid is the caller's): they hear the briefing.
    """
    app_state = current_app_state()
    prompts = app_state.bot.policy.prompts
    queue_time = forms.number("QueueTime", 0, 86_400)
    if forms.text("DequeingCallSid", 64):
        caller_sid = forms.text("CallSid", 64)
        app_state.store.record_bridged(caller_sid, forms.text("DequeingCallSid", 64), queue_time)
        return xml(twiml.say(spoken(app_state, [prompts.render("connecting_agent")])))
    caller_sid = forms.text("ParentCallSid", 64)
    transfer = app_state.store.transfer(caller_sid)
    app_state.store.record_bridged(caller_sid, forms.text("CallSid", 64), queue_time)
    text = briefing_text(prompts, transfer.context if transfer else None)
    return xml(twiml.say(spoken(app_state, [text])))
