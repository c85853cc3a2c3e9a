"""What the agent console reads and writes: the live queue, one call's whole story, closing a
transfer with a disposition, callback requests, and the tickets the bot opened.

Reads join the call record (ivr.store.calls) with the agents' own table of closures. Every
string shown was redacted when it was written; the caller's number is masked here too, except
on the callback list where an agent has to dial it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ivr.database import Row
from ivr.errors import IvrError
from ivr.store.base import Store
from ivr.store.calls import BRIDGED_RESULTS
from ivr.store.redact import mask_phone, redact

RECENT = timedelta(hours=12)
"""How far back the queue page lists transfers that are no longer waiting."""
MAX_NOTE = 2000


class Disposition(StrEnum):
    """How an agent closed a transfer (counted on the dashboard)."""

    RESOLVED = "resolved"
    FOLLOW_UP = "follow_up"
    CALLBACK_NEEDED = "callback_needed"
    NOT_REACHED = "not_reached"
    WRONG_NUMBER = "wrong_number"


class TransferState(StrEnum):
    """Where a transferred caller is now."""

    WAITING = "waiting"
    WITH_AGENT = "with_agent"
    CALLBACK = "callback"
    ABANDONED = "abandoned"
    CLOSED = "closed"


class ConsoleError(IvrError):
    """An agent's request cannot be carried out (unknown call, closed twice, bad form)."""


@dataclass(frozen=True)
class QueueEntry:
    """One transferred call as the queue page lists it."""

    call_sid: str
    state: TransferState
    requested_at: str
    waiting_s: int
    """Seconds since the transfer (until the bridge or the end, once the caller left)."""
    number: str
    """Masked caller ID."""
    customer: str | None
    intent: str | None
    order_number: str | None
    reason: str
    frustrated: bool

    def as_json(self) -> dict[str, Any]:
        return {"call_sid": self.call_sid, "state": str(self.state),
                "requested_at": self.requested_at, "waiting_s": self.waiting_s,
                "number": self.number, "customer": self.customer, "intent": self.intent,
                "order_number": self.order_number, "reason": self.reason,
                "frustrated": self.frustrated}


@dataclass(frozen=True)
class Closure:
    """An agent's disposition of a transfer."""

    agent: str
    disposition: str
    note: str
    closed_at: str


@dataclass(frozen=True)
class CallStory:
    """Everything the call page shows about one call."""

    sid: str
    number: str
    started_at: str
    ended_at: str | None
    outcome: str | None
    context: dict[str, Any]
    """The transfer's context packet ({} when the call was not transferred)."""
    transfer: QueueEntry | None
    turns: list[Row]
    returns: list[Row]
    cancellations: list[Row]
    tickets: list[Row]
    """Missing items and complaints the caller was given a reference for."""
    callback: Row | None
    survey: int | None
    closure: Closure | None


@dataclass(frozen=True)
class CallbackRequest:
    """A caller who asked to be called back."""

    call_sid: str
    number: str
    """The full number: the agent dials it (the page view is audited)."""
    reason: str
    requested_at: str
    called_back_at: str | None
    customer: str | None


@dataclass(frozen=True)
class Ticket:
    """A missing item or complaint the bot gave the caller a reference for, and what an agent
    did about it."""

    reference: str
    call_sid: str
    kind: str
    order_number: str | None
    summary: str
    """The caller's words, redacted."""
    opened_at: str
    closed_by: str | None
    resolution: str | None
    closed_at: str | None


_TRANSFER_ROWS = """
SELECT t.*, c.caller, c.ended_at, c.started_at, k.call_sid AS callback_sid,
       x.disposition, x.agent AS closed_by
FROM transfers t JOIN calls c ON c.sid = t.call_sid
LEFT JOIN callbacks k ON k.call_sid = t.call_sid
LEFT JOIN transfer_closures x ON x.call_sid = t.call_sid
"""


class ConsoleStore(Store):
    """The agents' view of the call record."""


    def queue(self, now: datetime) -> list[QueueEntry]:
        """Callers waiting (longest first), then transfers of the last hours, newest first."""
        since = (now - RECENT).isoformat()
        rows = self._all(_TRANSFER_ROWS + "WHERE t.requested_at > ? OR (t.bridged_at IS NULL "
                         "AND t.queue_result IS NULL AND c.ended_at IS NULL) "
                         "ORDER BY t.requested_at", since)
        entries = [_entry(row, now) for row in rows]
        waiting = [e for e in entries if e.state is TransferState.WAITING]
        others = [e for e in reversed(entries) if e.state is not TransferState.WAITING]
        return waiting + others

    def story(self, sid: str, now: datetime) -> CallStory:
        call = self._one("SELECT * FROM calls WHERE sid = ?", sid)
        if call is None:
            raise ConsoleError(f"no call {sid!r} in the record")
        transfer = self._one(_TRANSFER_ROWS + "WHERE t.call_sid = ?", sid)
        closure = self._one("SELECT * FROM transfer_closures WHERE call_sid = ?", sid)
        survey = self._one("SELECT score FROM surveys WHERE call_sid = ?", sid)
        return CallStory(
            sid=sid, number=mask_phone(call["caller"]), started_at=call["started_at"],
            ended_at=call["ended_at"], outcome=call["outcome"] or call["bot_outcome"],
            context=json.loads(transfer["context"]) if transfer else {},
            transfer=_entry(transfer, now) if transfer else None,
            turns=self._all("SELECT * FROM turns WHERE call_sid = ? ORDER BY id", sid),
            returns=self._all("SELECT * FROM call_returns WHERE call_sid = ?", sid),
            cancellations=self._all("SELECT * FROM call_cancellations WHERE call_sid = ?", sid),
            tickets=self._all("SELECT t.*, x.closed_at FROM tickets t LEFT JOIN "
                              "ticket_closures x ON x.reference = t.reference "
                              "WHERE t.call_sid = ? ORDER BY t.opened_at", sid),
            callback=self._one("SELECT * FROM callbacks WHERE call_sid = ?", sid),
            survey=survey["score"] if survey else None,
            closure=Closure(closure["agent"], closure["disposition"], closure["note"],
                            closure["closed_at"]) if closure else None)

    def close(self, sid: str, agent: str, disposition: str, note: str) -> None:
        """Close a transfer once, with what the agent did; the note is redacted like speech."""
        if disposition not in set(Disposition):
            raise ConsoleError(f"unknown disposition {disposition!r}")
        if len(note) > MAX_NOTE:
            raise ConsoleError(f"the note is longer than {MAX_NOTE} characters")
        with self._write() as db:
            if db.execute("SELECT 1 FROM transfers WHERE call_sid = ?", (sid,)).fetchone() is None:
                raise ConsoleError(f"call {sid!r} was not transferred")
            inserted = db.execute(
                "INSERT INTO transfer_closures (call_sid, agent, disposition, note, "
                "closed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (sid, agent, disposition, redact(note.strip()), self._now())).rowcount
        if not inserted:
            raise ConsoleError("this transfer was closed already")

    def callbacks(self) -> list[CallbackRequest]:
        """Callback requests, the ones still to call first (oldest first)."""
        rows = self._all("SELECT k.*, t.context FROM callbacks k "
                         "LEFT JOIN transfers t ON t.call_sid = k.call_sid "
                         "ORDER BY k.called_back_at IS NOT NULL, k.requested_at")
        return [CallbackRequest(r["call_sid"], r["number"], r["reason"], r["requested_at"],
                                r["called_back_at"],
                                json.loads(r["context"]).get("customer") if r["context"] else None)
                for r in rows]

    def tickets(self) -> list[Ticket]:
        """Every ticket, the open ones first (oldest first), then the closed (most recently
        closed first)."""
        rows = self._all("SELECT t.*, x.agent, x.resolution, x.closed_at FROM tickets t "
                         "LEFT JOIN ticket_closures x ON x.reference = t.reference "
                         "ORDER BY x.closed_at IS NOT NULL, x.closed_at DESC, t.opened_at, "
                         "t.reference")
        return [Ticket(r["reference"], r["call_sid"], r["kind"], r["order_number"],
                       r["summary"], r["opened_at"], r["agent"], r["resolution"],
                       r["closed_at"]) for r in rows]

    def close_ticket(self, reference: str, agent: str, resolution: str) -> None:
        """Close a ticket once, with what was done about it (redacted like speech)."""
        resolution = resolution.strip()
        if not resolution:
            raise ConsoleError("say what was done about the ticket")
        if len(resolution) > MAX_NOTE:
            raise ConsoleError(f"the resolution is longer than {MAX_NOTE} characters")
        with self._write() as db:
            if db.execute("SELECT 1 FROM tickets WHERE reference = ?",
                          (reference,)).fetchone() is None:
                raise ConsoleError(f"there is no ticket {reference!r}")
            inserted = db.execute(
                "INSERT INTO ticket_closures (reference, agent, resolution, "
                "closed_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (reference, agent, redact(resolution), self._now())).rowcount
        if not inserted:
            raise ConsoleError(f"ticket {reference} was closed already")

    def mark_called_back(self, sid: str) -> None:
        if not self._execute("UPDATE callbacks SET called_back_at = ? WHERE call_sid = ? "
                             "AND called_back_at IS NULL", self._now(), sid):
            raise ConsoleError("no open callback request for this call")


def _entry(row: Row, now: datetime) -> QueueEntry:
    context = json.loads(row["context"])
    state = _state(row)
    until = now
    if state is not TransferState.WAITING:
        until = _parse(row["bridged_at"] or row["ended_at"]) or now
    waited = max(0, int((until - (_parse(row["requested_at"]) or now)).total_seconds()))
    return QueueEntry(
        call_sid=row["call_sid"], state=state, requested_at=row["requested_at"],
        waiting_s=waited, number=mask_phone(row["caller"]), customer=context.get("customer"),
        intent=context.get("intent"), order_number=context.get("order_number"),
        reason=row["reason"], frustrated=bool(context.get("frustrated")))


def _state(row: Row) -> TransferState:
    if row["disposition"]:
        return TransferState.CLOSED
    if row["bridged_at"] or row["queue_result"] in BRIDGED_RESULTS:
        return TransferState.WITH_AGENT
    if row["callback_sid"]:
        return TransferState.CALLBACK
    if row["queue_result"] or row["ended_at"]:
        return TransferState.ABANDONED
    return TransferState.WAITING


def _parse(stamp: str | None) -> datetime | None:
    return datetime.fromisoformat(stamp) if stamp else None
