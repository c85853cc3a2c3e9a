"""WebSocket /twilio/media: Twilio's bidirectional media stream, one socket per call.

The socket is authenticated by the single-use token our /twilio/voice put in the <Stream>'s
<Parameter>s (checked at `start`), and by X-Twilio-Signature on the upgrade request when Twilio
sends one. Sending happens from two threads (the receiver answers marks and clears, the
outbound pacer sends audio), so sends are serialised with a lock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import request
from flask_sock import Sock
from simple_websocket import ConnectionClosed
from twilio.request_validator import RequestValidator

from ivr.call.record import CallRecorder
from ivr.call.session import CallSession
from ivr.call.voice import VoiceCall
from ivr.metrics import CALLS_ACTIVE, SIGNATURE_FAILURES
from ivr.telephony.media_stream import Start
from ivr.telephony.stream import StreamHandler
from ivr.web.app_state import AppState, current_app_state
from ivr.web.calls import STREAM_TOKEN
from ivr.web.urls import absolute, websocket

log = logging.getLogger(__name__)
audit = logging.getLogger("ivr.audit")
sock = Sock()

RECEIVE_TIMEOUT_S = 1.0


@sock.route("/twilio/media")
def media(ws: Any) -> None:
    app_state = current_app_state()
    if not _upgrade_signature_ok(app_state):
        audit.warning("refused media WebSocket from %s: X-Twilio-Signature does not match",
                      request.remote_addr)
        SIGNATURE_FAILURES.inc()
        ws.close(reason=1008, message="signature")
        return
    handler = StreamHandler(_locked(ws.send), lambda start: _admit(app_state, start))
    try:
        while not handler.closed:
            message = ws.receive(timeout=RECEIVE_TIMEOUT_S)
            if message is None:
                handler.idle()
            else:
                handler.receive(message)
    except ConnectionClosed:
        handler.disconnected()
    except Exception:  # the call boundary: a bug here must not cost the caller their place
        log.exception("call %s: media stream failed", handler.call_sid or "?")
        handler.disconnected()
    finally:
        handler.close()
        if handler.call is not None:
            CALLS_ACTIVE.dec()


def _admit(app_state: AppState, start: Start) -> VoiceCall | None:
    """A VoiceCall for this stream if its token is the one issued for the call, unused."""
    token = start.custom_parameters.get(STREAM_TOKEN, "")
    record = app_state.store.call(start.call_sid)
    if record is None or not token or not app_state.store.claim_stream(
            start.call_sid, token, start.stream_sid):
        audit.warning("refused media stream for call %s: bad, missing or reused token",
                      start.call_sid)
        SIGNATURE_FAILURES.inc()
        return None
    CALLS_ACTIVE.inc()
    session = CallSession(app_state.bot.policy, start.call_sid, record.caller)
    audio = app_state.audio
    return VoiceCall(session, audio.engine, audio.prompt_audio, audio.endpoint,
                     CallRecorder(app_state.store, start.call_sid))


def _upgrade_signature_ok(app_state: AppState) -> bool:
    """Twilio may sign the upgrade request; if it did, the signature must hold."""
    signature = request.headers.get("X-Twilio-Signature", "")
    settings = app_state.settings
    if not signature or settings.dev_unsigned_webhooks or not settings.twilio_auth_token:
        return True
    validator = RequestValidator(settings.twilio_auth_token)
    query = request.query_string.decode("latin-1")
    suffix = f"?{query}" if query else ""
    candidates = (websocket(request.path) + suffix, absolute(request.path) + suffix)
    return any(validator.validate(url, {}, signature) for url in candidates)


def _locked(send: Callable[[str], None]) -> Callable[[str], None]:
    lock = threading.Lock()

    def locked_send(text: str) -> None:
        with lock:
            send(text)

    return locked_send
