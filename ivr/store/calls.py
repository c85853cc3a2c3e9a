"""CallStore: the record of every call, written as it happens so a crash loses nothing said.

Each method is one short statement or transaction (ivr.store.base). Everything people said goes
through `redact` on its way in. Methods keyed by CallSid are idempotent where Twilio may retry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ivr.database import Row, Transaction
from ivr.store.base import Store
from ivr.store.redact import redact, redact_value

FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
"""Twilio CallStatus values after which the call is over."""
BRIDGED_RESULTS = frozenset({"bridged", "bridging-in-process", "redirected-from-bridged"})
"""Enqueue results that mean the caller reached a person."""


class NextStep(StrEnum):
    """Where a call goes once the bot is done with it (TwiML served after the media stream)."""

    ENQUEUE = "enqueue"
    HANGUP = "hangup"


@dataclass(frozen=True)
class CallRecord:
    """One row of `calls`."""

    sid: str
    caller: str
    mode: str
    started_at: str
    ended_at: str | None
    status: str | None
    duration_s: int | None
    bot_outcome: str | None
    outcome: str | None
    next_step: NextStep | None
    stream_sid: str | None


@dataclass(frozen=True)
class TransferRecord:
    """One row of `transfers`: the context packet is already redacted."""

    call_sid: str
    queue: str
    reason: str
    context: dict[str, Any]
    requested_at: str
    queue_result: str | None
    queue_time_s: int | None
    bridged_at: str | None


def token_hash(token: str) -> str:
    """Stream tokens are stored hashed: a database reader cannot replay one."""
    return hashlib.sha256(token.encode()).hexdigest()


class CallStore(Store):
    """Calls, turns, transfers, returns, cancellations, callbacks and surveys."""


    # ------------------------------------------------------------ calls
    def open_call(self, sid: str, caller: str, mode: str,
                  stream_token: str | None = None) -> bool:
        """Record a new call, and in the same transaction the token its next media stream must
        present (replacing an unused one); False if the call was already recorded (a retried
        webhook)."""
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO calls (sid, caller, mode, started_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (sid, caller, mode, self._now()))
            if stream_token is not None:
                db.execute("UPDATE calls SET stream_token_hash = ? "
                           "WHERE sid = ? AND stream_sid IS NULL", (token_hash(stream_token), sid))
        return cursor.rowcount == 1

    def call(self, sid: str) -> CallRecord | None:
        row = self._one("SELECT * FROM calls WHERE sid = ?", sid)
        if row is None:
            return None
        return CallRecord(row["sid"], row["caller"], row["mode"], row["started_at"],
                          row["ended_at"], row["status"], row["duration_s"], row["bot_outcome"],
                          row["outcome"], NextStep(row["next_step"]) if row["next_step"] else None,
                          row["stream_sid"])

    def claim_stream(self, sid: str, token: str, stream_sid: str) -> bool:
        """Accept a media stream once: the token must match and no stream may have claimed it."""
        with self._write() as db:
            cursor = db.execute(
                "UPDATE calls SET stream_sid = ?, stream_token_hash = NULL "
                "WHERE sid = ? AND stream_token_hash = ? AND stream_sid IS NULL",
                (stream_sid, sid, token_hash(token)))
        return cursor.rowcount == 1

    def finish_dialog(self, sid: str, bot_outcome: str, next_step: NextStep) -> None:
        """The bot is done: how it ended, and what Twilio should do with the caller next."""
        self._execute("UPDATE calls SET bot_outcome = ?, next_step = ? WHERE sid = ?",
                      bot_outcome, str(next_step), sid)

    def update_status(self, sid: str, status: str, sequence: int,
                      duration_s: int | None) -> bool:
        """Apply a status callback unless a later one was already applied; a final status
        closes the call with its outcome. False when the callback was stale."""
        with self._write() as db:
            cursor = db.execute(
                "UPDATE calls SET status = ?, status_sequence = ?, "
                "duration_s = COALESCE(?, duration_s) WHERE sid = ? AND status_sequence < ?",
                (status, sequence, duration_s, sid, sequence))
            if cursor.rowcount and status in FINAL_STATUSES:
                db.execute("UPDATE calls SET ended_at = COALESCE(ended_at, ?), outcome = ? "
                           "WHERE sid = ?", (self._now(), self._outcome(db, sid), sid))
        return cursor.rowcount == 1

    @staticmethod
    def _outcome(db: Transaction, sid: str) -> str:
        """contained: the bot finished the call; transferred: it went to people (queue or
        callback); abandoned: the caller hung up on the bot or while waiting in the queue."""
        transfer = db.execute("SELECT queue_result, bridged_at FROM transfers WHERE call_sid = ?",
                              (sid,)).fetchone()
        callback = db.execute("SELECT 1 FROM callbacks WHERE call_sid = ?", (sid,)).fetchone()
        if transfer is not None:
            reached = transfer["bridged_at"] or transfer["queue_result"] in BRIDGED_RESULTS
            return "transferred" if reached or callback else "abandoned"
        if callback is not None:
            return "transferred"
        bot = db.execute("SELECT bot_outcome FROM calls WHERE sid = ?", (sid,)).fetchone()
        return "contained" if bot and bot["bot_outcome"] == "completed" else "abandoned"

    # ------------------------------------------------------------ what was said and done
    def add_turn(self, sid: str, speaker: str, text: str, *, prompt_id: str | None = None,
                 intent: str | None = None, confidence: float | None = None,
                 latency_ms: float | None = None) -> None:
        self._execute("INSERT INTO turns (call_sid, at, speaker, text, prompt_id, intent, "
                      "confidence, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      sid, self._now(), speaker, redact(text), prompt_id, intent, confidence,
                      latency_ms)

    def turns(self, sid: str) -> list[Row]:
        return self._all("SELECT * FROM turns WHERE call_sid = ? ORDER BY id", sid)

    def add_transfer(self, sid: str, queue: str, reason: str, context: dict[str, Any]) -> None:
        packet = json.dumps(redact_value(context), sort_keys=True)
        self._execute("INSERT INTO transfers (call_sid, queue, reason, context, "
                      "requested_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      sid, queue, reason, packet, self._now())

    def transfer(self, sid: str) -> TransferRecord | None:
        row = self._one("SELECT * FROM transfers WHERE call_sid = ?", sid)
        if row is None:
            return None
        return TransferRecord(row["call_sid"], row["queue"], row["reason"],
                              json.loads(row["context"]), row["requested_at"],
                              row["queue_result"], row["queue_time_s"], row["bridged_at"])

    def longest_waiting(self, queue: str) -> TransferRecord | None:
        """The oldest transfer to `queue` still waiting for a person (not bridged, not left)."""
        row = self._one("SELECT t.call_sid FROM transfers t JOIN calls c ON c.sid = t.call_sid "
                        "WHERE t.queue = ? AND t.bridged_at IS NULL AND t.queue_result IS NULL "
                        "AND c.ended_at IS NULL ORDER BY t.requested_at, t.call_sid LIMIT 1", queue)
        return self.transfer(row["call_sid"]) if row else None

    def record_queue_result(self, sid: str, result: str, queue_time_s: int | None) -> None:
        self._execute("UPDATE transfers SET queue_result = ?, "
                      "queue_time_s = COALESCE(?, queue_time_s) WHERE call_sid = ?",
                      result, queue_time_s, sid)

    def record_bridged(self, sid: str, agent_call_sid: str, queue_time_s: int | None) -> None:
        self._execute("UPDATE transfers SET bridged_at = COALESCE(bridged_at, ?), "
                      "agent_call_sid = ?, queue_time_s = COALESCE(?, queue_time_s) "
                      "WHERE call_sid = ?", self._now(), agent_call_sid, queue_time_s, sid)

    def add_return(self, sid: str, order_number: str, rma: str, reason: str,
                   items: tuple[str, ...]) -> None:
        self._execute("INSERT INTO call_returns (rma, call_sid, order_number, reason, "
                      "items, at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      rma, sid, order_number, redact(reason), json.dumps(list(items)), self._now())

    def add_cancellation(self, sid: str, order_number: str) -> None:
        self._execute("INSERT INTO call_cancellations (call_sid, order_number, at) "
                      "VALUES (?, ?, ?) ON CONFLICT DO NOTHING", sid, order_number, self._now())

    def add_ticket(self, sid: str, kind: str, reference: str, order_number: str | None,
                   summary: str) -> None:
        self._execute("INSERT INTO tickets (reference, call_sid, kind, order_number, "
                      "summary, opened_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      reference, sid, kind, order_number, redact(summary), self._now())

    def add_callback(self, sid: str, number: str, reason: str) -> None:
        self._execute("INSERT INTO callbacks (call_sid, number, reason, requested_at) "
                      "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      sid, number, reason, self._now())

    def add_survey(self, sid: str, score: int) -> None:
        self._execute("INSERT INTO surveys (call_sid, score, at) VALUES (?, ?, ?) "
                      "ON CONFLICT (call_sid) DO UPDATE SET score = excluded.score, "
                      "at = excluded.at",
                      sid, score, self._now())

    def rows(self, table: str, sid: str) -> list[Row]:
        """Every row of a per-call table for one call (call_returns, callbacks…)."""
        if table not in {"call_returns", "call_cancellations", "callbacks", "surveys", "tickets"}:
            raise ValueError(f"not a per-call table: {table}")
        return self._all(f"SELECT * FROM {table} WHERE call_sid = ?", sid)
