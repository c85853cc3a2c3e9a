"""DialogStore: Gather-mode dialogs kept in the database between webhooks, so any server (or
gunicorn worker) can answer a call's next request. The dialog's state arrives as JSON, already
redacted by its owner (ivr.call.live); saves are versioned, so of two servers answering the
same call at once only the first is kept."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ivr.store.base import Store


@dataclass(frozen=True)
class SavedDialog:
    """One row of `gather_dialogs`."""

    state: str
    answers: dict[str, str]
    """TwiML already given, by Twilio's idempotency token (or by request kind)."""
    version: int


class DialogStore(Store):
    """Dialogs in progress, by CallSid."""

    def create(self, sid: str, state: str) -> bool:
        """Keep a new call's dialog; False if it exists already (a retried webhook)."""
        return self._execute(
            "INSERT INTO gather_dialogs (call_sid, state, answers, version, updated_at) "
            "VALUES (?, ?, '{}', 0, ?) ON CONFLICT DO NOTHING", sid, state, self._now()) == 1

    def load(self, sid: str) -> SavedDialog | None:
        row = self._one("SELECT state, answers, version FROM gather_dialogs WHERE call_sid = ?",
                        sid)
        if row is None:
            return None
        return SavedDialog(row["state"], json.loads(row["answers"]), int(row["version"]))

    def save(self, sid: str, dialog: SavedDialog) -> bool:
        """Store the dialog over the version it was loaded at; False if another request saved
        it meanwhile (then nothing is written)."""
        return self._execute(
            "UPDATE gather_dialogs SET state = ?, answers = ?, version = version + 1, "
            "updated_at = ? WHERE call_sid = ? AND version = ?", dialog.state,
            json.dumps(dialog.answers, sort_keys=True), self._now(), sid, dialog.version) == 1

    def remove(self, sid: str) -> bool:
        """The dialog is over; False if it was gone already."""
        return self._execute("DELETE FROM gather_dialogs WHERE call_sid = ?", sid) == 1
