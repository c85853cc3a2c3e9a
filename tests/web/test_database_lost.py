"""The database lost mid-call (a real PostgreSQL server stopped under a running app): callers
are handed to people with TwiML that needs no database, nothing answers 5xx to Twilio, the
console says to try again, and the app carries on once the database is back."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from tests.databases import PostgresServer
from tests.twiml_tree import twiml_tree
from tests.web.conftest import ConsoleClient, TwilioClient, add_staff


def test_callers_reach_people_while_the_database_is_away(
    own_postgres: PostgresServer, make_app: Callable[..., Flask]
) -> None:
    """(The server is asked for first, so the app's database is closed before it stops.)"""
    app = make_app(IVR_MODE="gather", IVR_DATABASE_URL=own_postgres.new_database())
    twilio = TwilioClient(app.test_client())
    add_staff(app)
    bob = ConsoleClient(app.test_client())
    assert bob.login("bob").status_code == 302
    assert twilio.post("/twilio/voice", twilio.call("CA1")).status_code == 200
    own_postgres.stop()
    for path, data in [("/twilio/voice", twilio.call("CA2")),
                       ("/twilio/gather", twilio.call("CA1", SpeechResult="where is my order",
                                                      Confidence="0.9"))]:
        response = twilio.post(path, data)
        assert response.status_code == 200, path
        *sayings, enqueue = twiml_tree(response.text)
        assert sayings and all(node[0] == "Say" for node in sayings)
        assert enqueue[0] == "Enqueue" and enqueue[2] == "support"
    status = twilio.post("/twilio/status", twilio.call("CA1", CallStatus="completed",
                                                       SequenceNumber="3"))
    assert status.status_code < 500
    page = bob.get("/console/")
    assert page.status_code == 503 and "try again" in page.text
    own_postgres.start()
    again = twilio.post("/twilio/voice", twilio.call("CA3"))
    assert again.status_code == 200 and "problem with the line" not in again.text
    assert bob.get("/console/").status_code == 200
