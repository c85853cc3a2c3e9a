"""LiveSessions: the dialogs of calls driven by webhooks (Gather mode), kept between requests.

Each call has its own lock, because Twilio may retry a webhook while the first attempt is
still being answered. The TwiML last answered is kept per idempotency token, so a retry gets
the same answer instead of advancing the dialog twice.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ivr.call.record import CallRecorder
from ivr.call.session import CallSession
from ivr.metrics import CALLS_ACTIVE


@dataclass
class LiveSession:
    """One webhook-driven call."""

    session: CallSession
    recorder: CallRecorder
    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: dict[str, str] = field(default_factory=dict)
    """TwiML already given, by Twilio's idempotency token (or by request kind)."""


class LiveSessions:
    """Calls in progress, by CallSid."""

    def __init__(self) -> None:
        self._calls: dict[str, LiveSession] = {}
        self._lock = threading.Lock()

    def get(self, call_sid: str) -> LiveSession | None:
        with self._lock:
            return self._calls.get(call_sid)

    def add(self, call_sid: str, live: LiveSession) -> LiveSession:
        """Register a call; if a retry registered it first, that one wins."""
        with self._lock:
            if call_sid not in self._calls:
                CALLS_ACTIVE.inc()
            return self._calls.setdefault(call_sid, live)

    def discard(self, call_sid: str) -> None:
        with self._lock:
            if self._calls.pop(call_sid, None) is not None:
                CALLS_ACTIVE.dec()

    def __len__(self) -> int:
        with self._lock:
            return len(self._calls)
