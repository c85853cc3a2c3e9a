"""The supervisors' figures over a date range, computed from the call record.

A call's outcome is the one its final status callback set; a call whose callback has not come
(or never will: status callbacks are optional in Twilio) is judged by how the bot finished it.
Dates are UTC days, start and end both included.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ivr.database import Row
from ivr.store.base import Store
from ivr.store.calls import BRIDGED_RESULTS

CONFIDENCE_BINS = 10
TOP_NOT_UNDERSTOOD = 20
KEYS_PREFIX = "[keys]"
"""Caller turns that were key presses, not speech (see CallRecorder.caller_pressed)."""

_CALLS = """
SELECT c.sid, c.started_at, c.ended_at, c.duration_s,
       COALESCE(c.outcome, CASE c.bot_outcome WHEN 'completed' THEN 'contained'
                WHEN 'transferred' THEN 'transferred' WHEN 'caller_hung_up' THEN 'abandoned'
                END) AS outcome,
       t.reason, t.requested_at, t.queue_result, t.bridged_at, t.queue_time_s,
       k.call_sid AS callback, s.score, x.disposition
FROM calls c LEFT JOIN transfers t ON t.call_sid = c.sid
LEFT JOIN callbacks k ON k.call_sid = c.sid LEFT JOIN surveys s ON s.call_sid = c.sid
LEFT JOIN transfer_closures x ON x.call_sid = c.sid
WHERE c.started_at >= ? AND c.started_at < ? ORDER BY c.started_at
"""


@dataclass(frozen=True)
class CallRow:
    """One call of the range, as the CSV export lists it."""

    sid: str
    started_at: str
    outcome: str | None
    transfer_reason: str | None
    bot_seconds: float | None
    """From the start to the transfer, or to the end for calls the bot finished."""
    queue_seconds: int | None
    reached_agent: bool
    survey: int | None
    disposition: str | None


@dataclass(frozen=True)
class Figures:
    """Everything the dashboard shows for one range."""

    start: date
    end: date
    calls: list[CallRow]
    intent_mix: dict[str, Counter[str]]
    """Per day (ISO date), how often callers asked for each task."""
    confidence_bins: list[int]
    """Recognised caller turns by confidence, in tenths (0-0.1 … 0.9-1.0)."""
    not_understood: list[tuple[str, int]]
    """What callers said that the bot did not understand, most frequent first."""

    @property
    def outcomes(self) -> Counter[str]:
        return Counter(c.outcome or "in_progress" for c in self.calls)

    @property
    def reasons(self) -> Counter[str]:
        return Counter(c.transfer_reason for c in self.calls if c.transfer_reason)

    @property
    def finished(self) -> int:
        return sum(n for outcome, n in self.outcomes.items() if outcome != "in_progress")

    @property
    def containment_rate(self) -> float | None:
        """Share of finished calls the bot resolved without a person."""
        return _share(self.outcomes["contained"], self.finished)

    @property
    def transfer_rate(self) -> float | None:
        """Share of finished calls the bot handed to people."""
        handed = sum(1 for c in self.calls if c.transfer_reason and c.outcome)
        return _share(handed, self.finished)

    @property
    def queue_abandonment(self) -> tuple[int, int]:
        """(callers who hung up before reaching anyone, transferred callers who left the queue)."""
        left = [c for c in self.calls if c.transfer_reason and c.outcome]
        return sum(c.outcome == "abandoned" for c in left), len(left)

    @property
    def bot_seconds(self) -> tuple[float | None, float | None]:
        """Mean and median time in the bot."""
        values = [c.bot_seconds for c in self.calls if c.bot_seconds is not None]
        if not values:
            return None, None
        return statistics.fmean(values), statistics.median(values)

    @property
    def satisfaction(self) -> tuple[float | None, list[int]]:
        """Mean survey score and the count of each score 1-5."""
        scores = [c.survey for c in self.calls if c.survey is not None]
        counts = [scores.count(score) for score in range(1, 6)]
        return (statistics.fmean(scores) if scores else None), counts


class DashboardStore(Store):
    """Reads the call record; writes nothing."""

    def figures(self, start: date, end: date, task_intents: Iterable[str]) -> Figures:
        low, high = start.isoformat(), (end + timedelta(days=1)).isoformat()
        calls = [_call_row(row) for row in self._all(_CALLS, low, high)]
        turns = self._all(
            "SELECT substr(t.at, 1, 10) AS day, t.text, t.intent, t.confidence FROM turns t "
            "JOIN calls c ON c.sid = t.call_sid WHERE t.speaker = 'caller' "
            "AND c.started_at >= ? AND c.started_at < ?", low, high)
        tasks = set(task_intents)
        mix: dict[str, Counter[str]] = {}
        bins = [0] * CONFIDENCE_BINS
        missed: Counter[str] = Counter()
        for turn in turns:
            if turn["text"].startswith(KEYS_PREFIX):
                continue
            if turn["intent"] in tasks:
                mix.setdefault(turn["day"], Counter())[turn["intent"]] += 1
            if turn["intent"] is None and turn["text"].strip():
                missed[turn["text"].strip().lower()] += 1
            elif turn["confidence"] is not None:
                bins[min(CONFIDENCE_BINS - 1, int(turn["confidence"] * CONFIDENCE_BINS))] += 1
        return Figures(start, end, calls, dict(sorted(mix.items())), bins,
                       missed.most_common(TOP_NOT_UNDERSTOOD))


def _call_row(row: Row) -> CallRow:
    started = datetime.fromisoformat(row["started_at"])
    bot_end = row["requested_at"] or row["ended_at"]
    reached = bool(row["bridged_at"]) or row["queue_result"] in BRIDGED_RESULTS
    return CallRow(
        sid=row["sid"], started_at=row["started_at"], outcome=row["outcome"],
        transfer_reason=row["reason"],
        bot_seconds=(datetime.fromisoformat(bot_end) - started).total_seconds()
        if bot_end else None,
        queue_seconds=row["queue_time_s"], reached_agent=reached, survey=row["score"],
        disposition=row["disposition"])


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
