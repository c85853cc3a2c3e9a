"""Data minimisation: what people said, and what identifies them, is deleted from calls older
than IVR_RETENTION_DAYS, while each call keeps what the dashboard counts (its outcome,
durations, intents, transfer reason, survey score).

Deleted: turn texts, context packets, return reasons, ticket summaries, agents' notes and
resolutions, callback numbers; caller numbers are cut to their last four digits, as in the
console. Login attempts older than the window go too. The audit log of who saw what stays.
Running it again deletes nothing more, so every server may run it (each does daily).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ivr.store.base import Store
from ivr.store.redact import mask_phone

_OLD_CALLS = "SELECT sid FROM calls WHERE started_at < ?"
_CLEARED = (("turns", "text", ""), ("transfers", "context", "{}"),
            ("call_returns", "reason", ""), ("tickets", "summary", ""),
            ("callbacks", "number", ""), ("transfer_closures", "note", ""))
"""(table, column, what is left in it) of the per-call texts that are deleted."""


@dataclass(frozen=True)
class Purged:
    """How many rows lost their personal data in one run."""

    calls: int
    turns: int
    transfers: int
    other: int
    """Returns, tickets, closures, callbacks, login attempts and dialogs never finished."""


class RetentionStore(Store):
    """Deletes what is past its time."""

    def purge(self, days: int) -> Purged:
        """Everything older than `days` (by the call's start), in one transaction."""
        cutoff = (datetime.fromisoformat(self._now()) - timedelta(days=days)).isoformat()
        with self._write() as db:
            cleared = {table: db.execute(f"UPDATE {table} SET {column} = ? WHERE {column} <> ? "
                                         f"AND call_sid IN ({_OLD_CALLS})",
                                         (empty, empty, cutoff)).rowcount
                       for table, column, empty in _CLEARED}
            cleared["ticket_closures"] = db.execute(
                "UPDATE ticket_closures SET resolution = '' WHERE resolution <> '' AND reference "
                f"IN (SELECT reference FROM tickets WHERE call_sid IN ({_OLD_CALLS}))",
                (cutoff,)).rowcount
            cleared["login_attempts"] = db.execute(
                "DELETE FROM login_attempts WHERE at < ?", (cutoff,)).rowcount
            cleared["gather_dialogs"] = db.execute(
                f"DELETE FROM gather_dialogs WHERE call_sid IN ({_OLD_CALLS})", (cutoff,)).rowcount
            callers = db.execute("SELECT sid, caller FROM calls WHERE started_at < ? "
                                 "AND caller <> '' AND caller NOT LIKE '***%'",
                                 (cutoff,)).fetchall()
            masked = [(short, row["sid"]) for row in callers
                      if (short := mask_phone(row["caller"])) != row["caller"]]
            db.executemany("UPDATE calls SET caller = ? WHERE sid = ?", masked)
        turns, transfers = cleared.pop("turns"), cleared.pop("transfers")
        return Purged(len(masked), turns, transfers, sum(cleared.values()))
