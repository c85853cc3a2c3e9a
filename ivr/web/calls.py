"""The call's own webhooks: /twilio/voice (a call starts), /twilio/connect (the media stream
ended) and /twilio/status (Twilio's status callbacks close the record).

Every handler is idempotent per CallSid (Twilio retries), answers TwiML even for calls it does
not know, and leaves nothing half-written: each store write is one transaction.
"""

from __future__ import annotations

import logging
import secrets

from flask import Blueprint, Response
from flask.typing import ResponseReturnValue

from ivr.config import Mode
from ivr.dialog.state import TransferReason
from ivr.metrics import CALLS
from ivr.store.calls import FINAL_STATUSES, NextStep
from ivr.store.redact import mask_phone
from ivr.telephony import twiml
from ivr.telephony.annotations import ANNOTATE
from ivr.web import forms
from ivr.web.app_state import current_app_state
from ivr.web.audio import spoken
from ivr.web.gather import start_gather_call
from ivr.web.handoff import to_people, transfer_after_line_problem, xml
from ivr.web.signature import twilio_webhook
from ivr.web.urls import absolute, websocket

log = logging.getLogger(__name__)
calls = Blueprint("calls", __name__, url_prefix="/twilio")

STREAM_TOKEN = "token"
"""The <Parameter> carrying the per-call media token."""


@calls.post("/voice")
@twilio_webhook
def voice() -> ResponseReturnValue:
    """A call was answered: open its record and hand it to the dialog."""
    app_state = current_app_state()
    sid = forms.text("CallSid", 64)
    if not sid:
        return _unknown_call()
    caller = forms.caller()
    mode = app_state.settings.mode
    token = secrets.token_urlsafe(24) if mode is Mode.STREAM else None
    if app_state.store.open_call(sid, caller, str(mode), token):
        log.info("call %s: from %s (%s mode)", sid, mask_phone(caller) or "withheld", mode)
    if token is None:
        return xml(start_gather_call(app_state, sid, caller))
    parameters = {STREAM_TOKEN: token}
    if forms.text("IvrReplay", 4) == "1":  # signed, so only a holder of the auth token asks
        parameters[ANNOTATE] = "1"
    return xml(twiml.connect_stream(absolute("/twilio/connect"), websocket("/twilio/media"),
                                    parameters))


@calls.post("/connect")
@twilio_webhook
def connect() -> ResponseReturnValue:
    """The media stream is over: do what the dialog decided (queue or hang up)."""
    app_state = current_app_state()
    sid = forms.text("CallSid", 64)
    record = app_state.store.call(sid)
    if record is None:
        return _unknown_call()
    if record.next_step is NextStep.HANGUP:
        return xml(twiml.say_then_hangup([]))
    if record.next_step is None:  # the stream never started, or died unrecorded
        log.warning("call %s: no media stream finished this call; transferring", sid)
        transfer_after_line_problem(app_state, sid)
    transfer = app_state.store.transfer(sid)
    line_failed = transfer is not None and transfer.reason == TransferReason.LINE_PROBLEM
    lead_in = [app_state.bot.policy.prompts.render("line_problem")] if line_failed else []
    return xml(to_people(app_state, sid, lead_in))


@calls.post("/status")
@twilio_webhook
def status() -> ResponseReturnValue:
    """Status callbacks (possibly out of order): the final one closes the call record."""
    app_state = current_app_state()
    sid = forms.text("CallSid", 64)
    call_status = forms.text("CallStatus", 32)
    if sid and call_status:
        app_state.store.open_call(sid, forms.caller(), str(app_state.settings.mode))
        sequence = forms.number("SequenceNumber", 0, 10**6)
        applied = app_state.store.update_status(sid, call_status,
                                               sequence if sequence is not None else 0,
                                               forms.number("CallDuration", 0, 10**6))
        if applied and call_status in FINAL_STATUSES:
            app_state.live.discard(sid)  # a Gather-mode caller who hung up mid-dialog
            record = app_state.store.call(sid)
            CALLS.labels(record.outcome if record and record.outcome else "unknown").inc()
    return Response(status=204)


def _unknown_call() -> Response:
    app_state = current_app_state()
    sorry = app_state.bot.policy.prompts.render("unknown_call")
    return xml(twiml.say_then_hangup(spoken(app_state, [sorry])))
