"""The supervisors' dashboard checked against calls replayed with known outcomes (Gather-mode
webhooks, signed as Twilio signs them), and its CSV export."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask

from ivr.web.dashboard import CSV_COLUMNS
from tests.web.conftest import (
    ANA,
    ConsoleClient,
    TwilioClient,
    app_state,
    end_call,
    gather_call,
)

BEN = "+15550100002"
STRANGER = "+15550100777"
NONSENSE = "colourless green ideas sleep furiously"


@pytest.fixture
def known_calls(console_app: Flask) -> date:
    """Six calls whose outcomes are known:
    two contained (surveys 5 and 2), one transferred and bridged to an agent, one transferred
    that hung up in the queue, one that hung up on the bot, and one still talking to the bot.
    Returns the UTC day the first call began, because a run near midnight spreads the calls
    over two days."""
    first_day = datetime.now(UTC).date()
    twilio = TwilioClient(console_app.test_client())
    gather_call(twilio, "CAc1", ANA, ["what is your return policy", "no thanks", "no", "#5"])
    end_call(twilio, "CAc1", ANA)
    gather_call(twilio, "CAc2", BEN, ["how much is shipping", "no that's all", "#2"])
    end_call(twilio, "CAc2", BEN)
    gather_call(twilio, "CAt1", ANA, ["I want to speak to a person"])
    twilio.post(
        "/twilio/whisper",
        twilio.call("CAt1", ANA, QueueSid="QU1", DequeingCallSid="CAagent", QueueTime="30"),
    )
    end_call(twilio, "CAt1", ANA)
    gather_call(twilio, "CAt2", STRANGER, [NONSENSE] * 3)
    twilio.post(
        "/twilio/queue-result", twilio.call("CAt2", STRANGER, QueueResult="hangup", QueueTime="95")
    )
    end_call(twilio, "CAt2", STRANGER)
    gather_call(twilio, "CAh1", STRANGER, [])
    end_call(twilio, "CAh1", STRANGER, duration_s=3)
    gather_call(twilio, "CAp1", BEN, ["where is my order"])
    return first_day


def text_of(page: str, element_id: str) -> str:
    found = re.search(f'id="{element_id}">([^<]*)<', page)
    assert found, element_id
    return found.group(1)


@pytest.mark.usefixtures("known_calls")
def test_figures_match_the_calls(alice: ConsoleClient) -> None:
    page = alice.get("/console/dashboard").text
    assert text_of(page, "calls") == "6"
    assert text_of(page, "containment") == "40%"  # 2 of the 5 finished calls
    assert text_of(page, "transfer-rate") == "40%"
    assert text_of(page, "abandonment") == "1 of 2"
    assert text_of(page, "satisfaction") == "3.5"
    assert "from 2 answers" in page
    assert f'<td class="said">{NONSENSE}</td><td>3</td>' in page


def test_figures_in_detail(console_app: Flask, known_calls: date) -> None:
    today = datetime.now(UTC).date()
    tasks = [i.name for i in app_state(console_app).bot.grammar.intents_in("main")]
    figures = app_state(console_app).dashboard.figures(known_calls, today, tasks)
    assert dict(figures.outcomes) == {
        "contained": 2,
        "transferred": 1,
        "abandoned": 2,
        "in_progress": 1,
    }
    assert dict(figures.reasons) == {"caller_request": 1, "no_match": 1}
    assert figures.satisfaction == (3.5, [0, 1, 0, 0, 1])
    assert figures.not_understood == [(NONSENSE, 3)]
    mix = sum(figures.intent_mix.values(), Counter[str]())
    assert mix["return_policy"] == 1 and mix["shipping_info"] == 1
    assert mix["speak_to_agent"] == 1 and mix["order_status"] == 1
    # every understood spoken turn (six: the nonsense is not), all heard at 0.83
    assert figures.confidence_bins == [0] * 8 + [7, 0]
    mean, median = figures.bot_seconds
    assert mean is not None and 0 <= mean < 60
    assert median is not None and 0 <= median < 60
    reached = {c.sid: c.reached_agent for c in figures.calls}
    assert reached == {
        "CAc1": False,
        "CAc2": False,
        "CAt1": True,
        "CAt2": False,
        "CAh1": False,
        "CAp1": False,
    }


@pytest.mark.usefixtures("known_calls")
def test_the_csv_lists_every_call_of_the_range(alice: ConsoleClient) -> None:
    response = alice.get("/console/dashboard.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    by_sid = {row["call_sid"]: row for row in rows}
    assert {sid: row["outcome"] for sid, row in by_sid.items()} == {
        "CAc1": "contained",
        "CAc2": "contained",
        "CAt1": "transferred",
        "CAt2": "abandoned",
        "CAh1": "abandoned",
        "CAp1": "in_progress",
    }
    assert by_sid["CAt2"]["transfer_reason"] == "no_match"
    assert by_sid["CAt2"]["seconds_in_queue"] == "95"
    assert by_sid["CAt1"]["reached_agent"] == "1" and by_sid["CAc1"]["survey"] == "5"


@pytest.mark.usefixtures("known_calls")
def test_a_range_without_calls_is_empty_and_bad_ranges_fall_back(alice: ConsoleClient) -> None:
    long_ago = datetime.now(UTC).date() - timedelta(days=400)
    page = alice.get(f"/console/dashboard?from={long_ago}&to={long_ago}").text
    assert text_of(page, "calls") == "0" and text_of(page, "containment") == "—"
    assert (
        len(
            list(
                csv.reader(
                    io.StringIO(
                        alice.get(f"/console/dashboard.csv?from={long_ago}&to={long_ago}").text
                    )
                )
            )
        )
        == 1
    )
    for query, problem in [
        ("from=yesterday", "YYYY-MM-DD"),
        ("from=2026-02-01&to=2026-01-01", "ends before it starts"),
        ("from=2020-01-01&to=2026-01-01", "at most 366 days"),
    ]:
        page = alice.get(f"/console/dashboard?{query}").text
        assert problem in page and text_of(page, "calls") == "6"


def test_the_intent_mix_counts_the_newer_requests(console_app: Flask) -> None:
    today = datetime.now(UTC).date()
    twilio = TwilioClient(console_app.test_client())
    gather_call(twilio, "CAn1", ANA, ["do you take PayPal", "yes", "is the desk lamp in stock",
                                      "yes", "I want to make a complaint"])
    tasks = [i.name for i in app_state(console_app).bot.grammar.intents_in("main")]
    figures = app_state(console_app).dashboard.figures(today - timedelta(days=1), today, tasks)
    mix = sum(figures.intent_mix.values(), Counter[str]())
    assert mix["faq"] == 1 and mix["product_availability"] == 1 and mix["complaint"] == 1
