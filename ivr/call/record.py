"""CallRecorder: writes one call's turns and the bot's actions into the call store as they
happen, so a crash mid-call loses nothing already said or done.

The store redacts; this class only decides what each event and action means for the record. A
database failure is logged and the call carries on: the caller must not pay for a locked file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from ivr.errors import DatabaseError
from ivr.events import (
    Action,
    Ask,
    EndCall,
    OrderCancelled,
    ReturnCreated,
    Say,
    SurveyAnswered,
    TicketOpened,
    Transfer,
)
from ivr.metrics import TRANSFERS, TURN_LATENCY, TURNS
from ivr.store.calls import CallStore, NextStep

log = logging.getLogger(__name__)


class CallRecorder:
    """The record of one call, by CallSid."""

    def __init__(self, store: CallStore, call_sid: str) -> None:
        self.store = store
        self.call_sid = call_sid

    def caller_said(self, text: str, intent: str | None, confidence: float | None,
                    latency_ms: float | None = None) -> None:
        TURNS.inc()
        if latency_ms is not None:
            TURN_LATENCY.observe(latency_ms / 1000)
        self._guard(lambda: self.store.add_turn(self.call_sid, "caller", text, intent=intent,
                                                confidence=confidence, latency_ms=latency_ms))

    def caller_pressed(self, digits: str) -> None:
        TURNS.inc()
        self._guard(lambda: self.store.add_turn(self.call_sid, "caller", f"[keys] {digits}",
                                                intent=None, confidence=1.0))

    def caller_hung_up(self) -> None:
        self._guard(lambda: self.store.finish_dialog(self.call_sid, "caller_hung_up",
                                                     NextStep.HANGUP))

    def bot_did(self, actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, Transfer):
                TRANSFERS.labels(action.reason).inc()
            self._guard(partial(self._record, action))

    def _record(self, action: Action) -> None:
        sid, store = self.call_sid, self.store
        match action:
            case Say() | Ask():
                store.add_turn(sid, "bot", action.text, prompt_id=action.prompt_id)
            case Transfer():
                store.add_transfer(sid, action.queue, action.reason, action.context)
                store.finish_dialog(sid, "transferred", NextStep.ENQUEUE)
            case EndCall():
                store.finish_dialog(sid, action.outcome, NextStep.HANGUP)
            case ReturnCreated():
                store.add_return(sid, action.order_number, action.rma, action.reason,
                                 action.items)
            case OrderCancelled():
                store.add_cancellation(sid, action.order_number)
            case TicketOpened():
                store.add_ticket(sid, action.kind, action.reference, action.order_number,
                                 action.summary)
            case SurveyAnswered():
                store.add_survey(sid, action.score)

    def _guard(self, write: Callable[[], None]) -> None:
        try:
            write()
        except DatabaseError:
            log.exception("call %s: the call record could not be written", self.call_sid)
