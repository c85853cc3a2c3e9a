"""LiveSessions: Gather-mode dialogs between webhooks, kept in the database (ivr.store.dialogs)
so that a call's next request may reach any server or gunicorn worker.

Twilio may retry a webhook while the first attempt is still being answered, on this server or
another: the TwiML answered is kept per idempotency token, so a retry gets the same answer
instead of advancing the dialog twice, and saves are versioned, so of two attempts answering
at once only the first is kept and both give its answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ivr.call.record import CallRecorder
from ivr.call.session import CallSession
from ivr.dialog.policy import Policy
from ivr.dialog.state import DialogState, state_from_json, state_to_json
from ivr.metrics import CALLS_ACTIVE
from ivr.store.calls import CallStore
from ivr.store.dialogs import DialogStore, SavedDialog
from ivr.store.redact import redact


@dataclass
class LiveSession:
    """One webhook-driven call, as loaded for one request."""

    session: CallSession
    recorder: CallRecorder
    answers: dict[str, str]
    """TwiML already given, by Twilio's idempotency token (or by request kind)."""
    version: int
    """The saved version this was loaded at."""


class LiveSessions:
    """Calls in progress, by CallSid."""

    def __init__(self, dialogs: DialogStore, calls: CallStore, policy: Policy) -> None:
        self._dialogs = dialogs
        self._calls = calls
        self._policy = policy

    def start(self, call_sid: str, caller: str) -> LiveSession:
        """A new call's dialog, or the one a retried webhook already started."""
        fresh = CallSession(self._policy, call_sid, caller)
        if self._dialogs.create(call_sid, _stored(fresh.state)):
            CALLS_ACTIVE.inc()
        return self.get(call_sid) or LiveSession(fresh, CallRecorder(self._calls, call_sid),
                                                 {}, 0)

    def get(self, call_sid: str) -> LiveSession | None:
        saved = self._dialogs.load(call_sid)
        if saved is None:
            return None
        session = CallSession.resumed(self._policy, state_from_json(saved.state))
        return LiveSession(session, CallRecorder(self._calls, call_sid), saved.answers,
                           saved.version)

    def save(self, live: LiveSession) -> dict[str, str]:
        """Keep the dialog for the next request; the answers as stored, which are another
        attempt's if it saved first."""
        sid = live.recorder.call_sid
        saved = SavedDialog(_stored(live.session.state), live.answers, live.version)
        if self._dialogs.save(sid, saved):
            return live.answers
        current = self._dialogs.load(sid)
        return current.answers if current else live.answers

    def discard(self, call_sid: str) -> None:
        if self._dialogs.remove(call_sid):
            CALLS_ACTIVE.dec()


def _stored(state: DialogState) -> str:
    """The state as it may be written down: what people said redacted, like the call record."""
    return state_to_json(replace(state, transcript=tuple(
        replace(turn, text=redact(turn.text)) for turn in state.transcript)))
