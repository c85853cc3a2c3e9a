"""The agent console over HTTP: logins, roles, CSRF, the queue, a call's page, closing
transfers, callbacks and the audit log. (tests/web/test_console_browser.py drives it in a
real browser.)"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from ivr.call.record import CallRecorder
from ivr.events import Transfer
from ivr.store.accounts import MAX_FAILURES_PER_NAME
from tests.databases import raw_rows
from tests.web.conftest import (
    ANA,
    ConsoleClient,
    TwilioClient,
    app_state,
    end_call,
    gather_call,
)

UNKNOWN = "+15550100777"
HOSTILE = '<script>alert("owned")</script> <img src=x onerror=alert(1)> where is my stuff'


def transfer(twilio: TwilioClient, sid: str = "CA1", caller: str = ANA) -> None:
    """A caller who asks for a person straight away (still waiting in the queue)."""
    assert "<Enqueue" in gather_call(twilio, sid, caller, ["I want to talk to a person"])


def audit_rows(console_app: Flask) -> list[tuple[str, str, str]]:
    return [
        (e.agent, e.action, e.subject)
        for e in reversed(app_state(console_app).accounts.audit_entries())
    ]


def test_every_console_route_is_refused_without_a_login(console_app: Flask) -> None:
    client = console_app.test_client()
    rules = [
        rule
        for rule in console_app.url_map.iter_rules()
        if rule.rule.startswith("/console") and rule.endpoint not in ("auth.login", "auth.static")
    ]
    assert len(rules) >= 9
    for rule in rules:
        path = re.sub(r"<[^>]+>", "CA1", rule.rule)
        if "GET" in (rule.methods or ()):
            response = client.get(path)
            if path.endswith((".json", ".csv")):
                assert response.status_code == 401, path
            else:
                assert response.status_code == 302, path
                assert response.location.startswith("/console/login?next="), path
        else:
            assert client.post(path, data={"disposition": "resolved"}).status_code in (400, 401)
    assert app_state(console_app).accounts.audit_entries() == []


def test_a_post_without_a_login_changes_nothing_even_with_a_token(
    console_app: Flask, phone: TwilioClient
) -> None:
    transfer(phone)
    anonymous = ConsoleClient(console_app.test_client())
    anonymous.csrf()  # a session with a CSRF token, but nobody logged in
    assert (
        anonymous.post("/console/calls/CA1/close", {"disposition": "resolved"}).status_code == 401
    )
    assert app_state(console_app).console.story("CA1", datetime.now(UTC)).closure is None


def test_an_agent_cannot_open_supervisor_pages(bob: ConsoleClient) -> None:
    for path in ("/console/dashboard", "/console/dashboard.csv", "/console/audit"):
        assert bob.get(path).status_code == 403, path
    assert "Dashboard" not in bob.get("/console/").text


def test_a_supervisor_can(alice: ConsoleClient) -> None:
    for path in ("/console/dashboard", "/console/dashboard.csv", "/console/audit"):
        assert alice.get(path).status_code == 200, path


def test_wrong_password_missing_token_and_lockout(console_app: Flask) -> None:
    console = ConsoleClient(console_app.test_client())
    assert console.login("bob", "not the password").status_code == 401
    assert "Wrong name or password." in console.login("nobody").text
    response = console.client.post("/console/login", data={"name": "bob", "password": "x"})
    assert response.status_code == 400  # no CSRF token
    for _ in range(MAX_FAILURES_PER_NAME - 1):
        console.login("bob", "guess again")
    locked = console.login("bob")  # even the right password waits out the lockout
    assert locked.status_code == 429 and "Too many failed logins" in locked.text
    assert console.get("/console/").status_code == 302


def test_login_goes_where_it_was_asked_but_never_off_site(console_app: Flask) -> None:
    console = ConsoleClient(console_app.test_client())
    assert console.login("bob", next="/console/callbacks").location == "/console/callbacks"
    console = ConsoleClient(console_app.test_client())
    assert console.login("bob", next="https://evil.example/console").location == "/console/"
    console = ConsoleClient(console_app.test_client())
    assert console.login("bob", next="//evil.example/console").location == "/console/"


def test_session_cookie_and_security_headers(console_app: Flask) -> None:
    console = ConsoleClient(console_app.test_client())
    response = console.login("bob")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    page = console.get("/console/")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_the_session_key_is_made_once_and_kept_in_the_database(
    make_app: Callable[..., Flask], db_path: Path
) -> None:
    first, second = make_app(IVR_MODE="gather"), make_app(IVR_MODE="gather")
    [(stored,)] = raw_rows(f"sqlite:///{db_path}", "SELECT value FROM server_secrets")
    assert first.secret_key == second.secret_key == stored
    assert isinstance(stored, str) and len(stored) >= 32
    configured = make_app(IVR_MODE="gather", IVR_SECRET_KEY="k" * 40)
    assert configured.secret_key == "k" * 40


def test_logout_ends_the_session(bob: ConsoleClient) -> None:
    assert bob.post("/console/logout").location == "/console/login"
    assert bob.get("/console/").status_code == 302


def test_a_disabled_account_is_cut_off_at_its_next_request(
    console_app: Flask, bob: ConsoleClient
) -> None:
    app_state(console_app).accounts.disable("bob")
    assert bob.get("/console/").status_code == 302
    assert bob.get("/console/queue.json").status_code == 401


def test_the_queue_lists_a_waiting_caller_with_what_the_bot_learnt(
    console_app: Flask, phone: TwilioClient, bob: ConsoleClient
) -> None:
    assert bob.get("/console/queue.json").json == {"entries": [], "waiting": 0}
    gather_call(
        phone,
        "CA1",
        ANA,
        ["where is my order", "#70055", "this is ridiculous", "I want to talk to a person"],
    )
    data = bob.get("/console/queue.json").json
    assert data["waiting"] == 1
    [entry] = data["entries"]
    assert entry | {"waiting_s": 0, "requested_at": ""} == {
        "call_sid": "CA1",
        "state": "waiting",
        "number": "***0001",
        "customer": "Ana Lopez",
        "intent": "order_status",
        "order_number": "70055",
        "reason": entry["reason"],
        "frustrated": True,
        "waiting_s": 0,
        "requested_at": "",
    }
    assert entry["reason"] in ("frustration", "caller_request")
    page = bob.get("/console/").text
    assert "Ana Lopez" in page and "***0001" in page and ANA not in page


def test_queue_states_follow_the_caller(
    console_app: Flask, phone: TwilioClient, bob: ConsoleClient
) -> None:
    transfer(phone, "CAwait", ANA)
    transfer(phone, "CAleft", UNKNOWN)
    phone.post(
        "/twilio/queue-result", phone.call("CAleft", UNKNOWN, QueueResult="hangup", QueueTime="40")
    )
    end_call(phone, "CAleft", UNKNOWN)
    transfer(phone, "CAtalk", "+15550100002")
    phone.post(
        "/twilio/whisper",
        phone.call(
            "CAtalk", "+15550100002", QueueSid="QU1", DequeingCallSid="CAagent", QueueTime="5"
        ),
    )
    states = {e["call_sid"]: e["state"] for e in bob.get("/console/queue.json").json["entries"]}
    assert states == {"CAwait": "waiting", "CAleft": "abandoned", "CAtalk": "with_agent"}
    assert bob.get("/console/queue.json").json["entries"][0]["call_sid"] == "CAwait"


def test_the_call_page_tells_the_whole_story(
    console_app: Flask, phone: TwilioClient, bob: ConsoleClient
) -> None:
    gather_call(
        phone,
        "CA1",
        ANA,
        [
            "I want to return something",
            "#70055",
            "the sneakers",
            "it arrived damaged",
            "#1",
            "#1",
            "I want to talk to a person",
        ],
    )
    page = bob.get("/console/calls/CA1").text
    rma = app_state(console_app).store.rows("call_returns", "CA1")[0]["rma"]
    assert f"Return {rma} created for order 70055" in page
    assert "Ana Lopez" in page and "verified" in page
    assert "I want to return something" in page  # the transcript
    assert "70055 · delivered" in page  # the order summary from the order system
    assert ("bob", "view_call", "CA1") in audit_rows(console_app)


def test_the_call_page_lists_the_tickets_the_caller_was_given(
    console_app: Flask, phone: TwilioClient, bob: ConsoleClient
) -> None:
    gather_call(phone, "CA2", ANA, ["I want to make a complaint", "#1"])
    [ticket] = app_state(console_app).store.rows("tickets", "CA2")
    page = bob.get("/console/calls/CA2").text
    assert f"Ticket {ticket['reference']} (complaint): “I want to make a complaint”" in page


def test_tickets_are_listed_open_first_and_closed_once_with_what_was_done(
    console_app: Flask, phone: TwilioClient, alice: ConsoleClient, bob: ConsoleClient
) -> None:
    gather_call(phone, "CA2", ANA, ["I want to make a complaint", "#1"])
    gather_call(phone, "CA3", ANA, ["I want to make a complaint", "#1"])
    first, second = (app_state(console_app).store.rows("tickets", sid)[0]["reference"]
                     for sid in ("CA2", "CA3"))

    def row(reference: str) -> int:
        return page.index(f'data-reference="{reference}"')

    page = bob.get("/console/tickets").text
    assert row(first) < row(second)  # oldest open ticket first
    assert page.count("Close ticket</button>") == 2
    assert bob.post(f"/console/tickets/{first}/close", {"resolution": " "}).status_code == 303
    assert "say what was done" in bob.get("/console/tickets").text  # nothing closed
    assert bob.post(f"/console/tickets/{first}/close",
                    {"resolution": "Refund of 20 dollars, card 4111 1111 1111 1111"}
                    ).location == "/console/tickets"
    page = bob.get("/console/tickets").text
    assert page.count("Close ticket</button>") == 1
    assert row(second) < row(first)  # the closed one below the open
    assert "by bob: Refund of 20 dollars" in page and "4111 1111" not in page  # redacted
    alice.post(f"/console/tickets/{first}/close", {"resolution": "again"})
    assert f"ticket {first} was closed already" in alice.get("/console/tickets").text
    [ticket] = [t for t in app_state(console_app).console.tickets() if t.reference == first]
    assert ticket.closed_by == "bob"
    assert ("bob", "close_ticket", first) in audit_rows(console_app)
    assert ("alice", "close_ticket", first) not in audit_rows(console_app)
    assert ", closed)" in bob.get("/console/calls/CA2").text


def test_an_unknown_ticket_cannot_be_closed(console_app: Flask, bob: ConsoleClient) -> None:
    bob.post("/console/tickets/NOPE/close", {"resolution": "done"})
    assert "there is no ticket &#39;NOPE&#39;" in bob.get("/console/tickets").text
    assert app_state(console_app).console.tickets() == []


def test_callers_words_are_shown_as_text_never_as_markup(
    console_app: Flask, phone: TwilioClient, alice: ConsoleClient
) -> None:
    gather_call(phone, "CA1", UNKNOWN, [HOSTILE] * 3)
    page = alice.get("/console/calls/CA1").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in page
    dashboard = alice.get("/console/dashboard").text
    assert "<script>alert" not in dashboard and "&lt;img src=x onerror=alert(1)&gt;" in dashboard


def test_unknown_calls_are_404(bob: ConsoleClient) -> None:
    assert bob.get("/console/calls/CAnothing").status_code == 404


def test_closing_a_transfer_records_the_disposition_once(
    console_app: Flask, phone: TwilioClient, bob: ConsoleClient, db_path: Path
) -> None:
    transfer(phone)
    closed = bob.post(
        "/console/calls/CA1/close",
        {"disposition": "resolved", "note": "Refund issued; card 4111 1111 1111 1111 on file"},
    )
    assert closed.status_code == 303 and closed.location == "/console/"
    row = (
        sqlite3.connect(db_path)
        .execute("SELECT agent, disposition, note FROM transfer_closures")
        .fetchone()
    )
    assert row == ("bob", "resolved", "Refund issued; card [card] on file")
    assert bob.get("/console/queue.json").json["entries"][0]["state"] == "closed"
    again = bob.post("/console/calls/CA1/close", {"disposition": "follow_up"})
    assert again.location == "/console/calls/CA1"
    assert "closed already" in bob.get("/console/calls/CA1").text
    assert ("bob", "close_transfer", "CA1") in audit_rows(console_app)


@pytest.mark.parametrize(
    "form", [{"disposition": "sold_them_a_sofa"}, {"disposition": "resolved", "note": "x" * 2001}]
)
def test_a_bad_closing_form_is_refused_with_the_reason(
    phone: TwilioClient, bob: ConsoleClient, form: dict[str, str]
) -> None:
    transfer(phone)
    assert bob.post("/console/calls/CA1/close", form).status_code == 303
    page = bob.get("/console/calls/CA1").text
    assert "unknown disposition" in page or "longer than 2000" in page
    assert "Close transfer</button>" in page  # still open


def test_callbacks_are_listed_and_marked_called_back(
    console_app: Flask, phone: TwilioClient, bob: ConsoleClient
) -> None:
    transfer(phone)
    response = phone.post("/twilio/callback", phone.call("CA1", ANA, Digits="1"))
    assert response.status_code == 200
    page = bob.get("/console/callbacks").text
    assert ANA in page and "Ana Lopez" in page and "not yet" in page
    assert bob.post("/console/callbacks/CA1/done").location == "/console/callbacks"
    assert app_state(console_app).console.callbacks()[0].called_back_at is not None
    assert "not yet" not in bob.get("/console/callbacks").text
    assert [a for _, a, _ in audit_rows(console_app)].count("view_callbacks") == 2
    assert ("bob", "called_back", "CA1") in audit_rows(console_app)


def test_queue_polls_are_audited_when_the_list_changes(
    console_app: Flask, phone: TwilioClient, bob: ConsoleClient
) -> None:
    bob.get("/console/queue.json")
    bob.get("/console/queue.json")
    transfer(phone, "CA1")
    bob.get("/console/queue.json")
    bob.get("/console/queue.json")
    views = [
        (agent, subject)
        for agent, action, subject in audit_rows(console_app)
        if action == "view_queue"
    ]
    assert views == [("bob", ""), ("bob", "CA1")]


def test_the_audit_page_shows_who_saw_what(
    console_app: Flask, phone: TwilioClient, bob: ConsoleClient, alice: ConsoleClient
) -> None:
    transfer(phone)
    bob.get("/console/calls/CA1")
    page = alice.get("/console/audit").text
    assert re.search(r"<td>bob</td><td>view call</td><td class=\"subject\">CA1</td>", page)
    assert ("alice", "login", "") in audit_rows(console_app)


def test_the_call_page_says_when_the_caller_spoke_another_language(
    console_app: Flask, phone: TwilioClient, bob: ConsoleClient
) -> None:
    """Only the media-stream path hears languages, so the transfer is recorded directly."""
    gather_call(phone, "CA1", UNKNOWN, [])
    packet = {"call_sid": "CA1", "reason": "other_language", "language": "fr",
              "transcript": [{"speaker": "caller", "text": "[another language: fr]",
                              "intent": None}]}
    CallRecorder(app_state(console_app).store, "CA1").bot_did(
        [Transfer("support", "other_language", packet)])
    page = bob.get("/console/calls/CA1").text
    assert "other language" in page and 'not English (the bot heard "fr")' in page
