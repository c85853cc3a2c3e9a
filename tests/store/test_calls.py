"""The call record, on SQLite and on PostgreSQL: written as it happens, redacted, idempotent
where Twilio retries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ivr.commerce.demo import reset_demo
from ivr.commerce.embedded import EmbeddedOrderService
from ivr.store import open_store
from ivr.store.calls import CallStore, NextStep
from tests.databases import raw_rows


@pytest.fixture
def store(database_url: str) -> Iterator[CallStore]:
    db = open_store(database_url)
    yield CallStore(db)
    db.close()


def test_open_call_is_idempotent(store: CallStore) -> None:
    assert store.open_call("CA1", "+15550100001", "stream") is True
    assert store.open_call("CA1", "+15550199999", "stream") is False
    record = store.call("CA1")
    assert record is not None and record.caller == "+15550100001" and record.outcome is None
    assert store.call("CAnope") is None


def test_turns_are_redacted_and_survive_a_crash(store: CallStore, database_url: str) -> None:
    store.open_call("CA1", "", "stream")
    store.add_turn("CA1", "caller", "my card is 4111 1111 1111 1111", intent=None,
                   confidence=0.8, latency_ms=120.5)
    store.add_turn("CA1", "bot", "Sorry?", prompt_id="didnt_understand")
    # another connection (a restarted process) sees everything already written
    rows = raw_rows(database_url, "SELECT speaker, text, prompt_id, confidence, latency_ms "
                                  "FROM turns ORDER BY id")
    assert rows == [("caller", "my card is [card]", None, 0.8, 120.5),
                    ("bot", "Sorry?", "didnt_understand", None, None)]


def test_transfer_context_is_redacted(store: CallStore) -> None:
    store.open_call("CA1", "+15550100001", "stream")
    store.add_transfer("CA1", "support", "frustration",
                       {"caller": "+15550100001", "order_number": "48213",
                        "transcript": [{"speaker": "caller", "text": "mail a@b.com"}]})
    transfer = store.transfer("CA1")
    assert transfer is not None
    assert transfer.context == {"caller": "***0001", "order_number": "48213",
                                "transcript": [{"speaker": "caller", "text": "mail [email]"}]}


def test_stream_token_is_single_use_and_stored_hashed(store: CallStore,
                                                      database_url: str) -> None:
    store.open_call("CA1", "", "stream", "secret-token")
    stored = str(raw_rows(database_url, "SELECT stream_token_hash FROM calls")[0][0])
    assert stored and "secret-token" not in stored
    assert store.claim_stream("CA1", "wrong", "MZ1") is False
    assert store.claim_stream("CA1", "secret-token", "MZ1") is True
    assert store.claim_stream("CA1", "secret-token", "MZ2") is False
    store.open_call("CA1", "", "stream", "another")  # a claimed call gets no new token
    assert store.claim_stream("CA1", "another", "MZ3") is False


@pytest.mark.parametrize(("setup", "outcome"), [
    ("completed", "contained"),
    ("caller_hung_up", "abandoned"),
    ("transfer_bridged", "transferred"),
    ("transfer_hangup", "abandoned"),
    ("transfer_callback", "transferred"),
])
def test_final_status_closes_the_call_with_its_outcome(store: CallStore, setup: str,
                                                       outcome: str) -> None:
    store.open_call("CA1", "+15550100001", "stream")
    if setup in ("completed", "caller_hung_up"):
        store.finish_dialog("CA1", setup, NextStep.HANGUP)
    else:
        store.add_transfer("CA1", "support", "caller_request", {})
        store.finish_dialog("CA1", "transferred", NextStep.ENQUEUE)
        if setup == "transfer_bridged":
            store.record_bridged("CA1", "CAagent", 42)
            store.record_queue_result("CA1", "bridged", 42)
        elif setup == "transfer_hangup":
            store.record_queue_result("CA1", "hangup", 80)
        else:
            store.add_callback("CA1", "+15550100001", "caller_request")
            store.record_queue_result("CA1", "hangup", 130)
    assert store.update_status("CA1", "completed", 5, 61)
    record = store.call("CA1")
    assert record is not None
    assert (record.outcome, record.duration_s, record.status) == (outcome, 61, "completed")
    assert record.ended_at is not None


def test_status_callbacks_out_of_order_do_not_reopen(store: CallStore) -> None:
    store.open_call("CA1", "", "stream")
    store.finish_dialog("CA1", "completed", NextStep.HANGUP)
    assert store.update_status("CA1", "completed", 4, 30)
    assert store.update_status("CA1", "in-progress", 2, None) is False
    record = store.call("CA1")
    assert record is not None and record.status == "completed" and record.outcome == "contained"


def test_longest_waiting_is_the_oldest_unbridged_transfer(store: CallStore) -> None:
    for sid in ("CA1", "CA2", "CA3"):
        store.open_call(sid, "", "stream")
        store.add_transfer(sid, "support", "no_match", {"call_sid": sid})
    store.record_bridged("CA1", "CAagent", 10)
    waiting = store.longest_waiting("support")
    assert waiting is not None and waiting.call_sid == "CA2"
    store.record_queue_result("CA2", "hangup", 20)
    waiting = store.longest_waiting("support")
    assert waiting is not None and waiting.call_sid == "CA3"
    assert store.longest_waiting("sales") is None


def test_store_and_order_system_share_one_database(database_url: str) -> None:
    db = open_store(database_url)
    orders = EmbeddedOrderService(db)
    reset_demo(orders)
    store = CallStore(db)
    store.open_call("CA1", "", "stream")
    store.add_return("CA1", "48213", "R1", "damaged", ("SKU1",))
    store.add_cancellation("CA1", "55102")
    store.add_survey("CA1", 4)
    assert [r["rma"] for r in store.rows("call_returns", "CA1")] == ["R1"]
    assert [r["order_number"] for r in store.rows("call_cancellations", "CA1")] == ["55102"]
    assert [r["score"] for r in store.rows("surveys", "CA1")] == [4]
    assert orders.find_order("48213") is not None  # the order system's tables are intact
    assert orders.returns_for("48213") == []
    with pytest.raises(ValueError, match="not a per-call table"):
        store.rows("orders", "CA1")
    db.close()
