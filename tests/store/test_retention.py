"""IVR_RETENTION_DAYS on both databases: old calls lose what people said and their numbers,
keep what the dashboard counts; recent calls are untouched; a second run deletes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ivr.database import Database
from ivr.store import open_store
from ivr.store.accounts import AccountStore
from ivr.store.calls import CallStore, NextStep
from ivr.store.console import ConsoleStore
from ivr.store.retention import Purged, RetentionStore
from tests.databases import raw_rows

ANA = "+15550100001"


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="milliseconds")


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_store(database_url)
    yield database
    database.close()


def record_a_call(db: Database, sid: str, age_days: int) -> None:
    """A transferred call with everything a call can leave behind, `age_days` old."""
    clock = lambda: days_ago(age_days)  # noqa: E731 - a clock is a callable
    calls = CallStore(db, clock=clock)
    calls.open_call(sid, ANA, "stream")
    calls.add_turn(sid, "caller", "my card is 4111 1111 1111 1111 and I want a refund",
                   intent="refund_status", confidence=0.9, latency_ms=400)
    calls.add_return(sid, "70055", f"R{sid}", "the seam split", ("SH-LIN-M",))
    calls.add_ticket(sid, "complaint", f"T{sid}", "70055", "rude courier at my door")
    calls.add_callback(sid, ANA, "caller_request")
    calls.add_transfer(sid, "support", "caller_request", {"transcript": ["a refund please"]})
    calls.finish_dialog(sid, "transferred", NextStep.ENQUEUE)
    calls.add_survey(sid, 2)
    calls.update_status(sid, "completed", 9, 180)
    console = ConsoleStore(db, clock=clock)
    console.close(sid, "bob", "resolved", "called her back on her mobile")
    console.close_ticket(f"T{sid}", "bob", "apologised by phone")
    AccountStore(db, clock=clock).authenticate("bob", "guess", "10.0.0.1")


def test_old_calls_keep_their_figures_and_lose_what_was_said(db: Database,
                                                              database_url: str) -> None:
    record_a_call(db, "CAold", age_days=100)
    record_a_call(db, "CAnew", age_days=3)
    purged = RetentionStore(db).purge(90)
    assert purged == Purged(calls=1, turns=1, transfers=1, other=6)
    calls = CallStore(db)
    old, new = calls.call("CAold"), calls.call("CAnew")
    assert old is not None and new is not None
    assert (old.caller, old.outcome, old.duration_s) == ("***0001", new.outcome, 180)
    assert new.caller == ANA
    [turn] = calls.turns("CAold")
    assert (turn["text"], turn["intent"], turn["latency_ms"]) == ("", "refund_status", 400)
    assert "refund" in calls.turns("CAnew")[0]["text"]
    old_transfer = calls.transfer("CAold")
    assert old_transfer is not None and old_transfer.context == {}
    assert old_transfer.reason == "caller_request"
    assert [r["score"] for r in calls.rows("surveys", "CAold")] == [2]
    for table, column in [("call_returns", "reason"), ("tickets", "summary"),
                          ("callbacks", "number"), ("transfer_closures", "note")]:
        assert raw_rows(database_url, f"SELECT {column} FROM {table} "
                                      f"WHERE call_sid = 'CAold'") == [("",)]
        assert raw_rows(database_url, f"SELECT {column} FROM {table} "
                                      f"WHERE call_sid = 'CAnew'") != [("",)]
    assert raw_rows(database_url, "SELECT resolution FROM ticket_closures "
                                  "ORDER BY reference") == [("apologised by phone",), ("",)]
    assert raw_rows(database_url, "SELECT COUNT(*) FROM login_attempts") == [(1,)]
    assert RetentionStore(db).purge(90) == Purged(0, 0, 0, 0)
