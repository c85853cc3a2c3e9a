"""Two servers on one PostgreSQL database behind one public URL, as a load balancer runs them:
one call's webhooks alternate between the servers, its media stream reaches one of them, and
the other server's console and dashboard show the whole call; a Gather-mode dialog carries on
whichever server answers its next webhook."""

from __future__ import annotations

import io
from collections.abc import Callable
from itertools import cycle

import pytest
from flask import Flask

from ivr.call_script import ScriptRunner, load_script
from ivr.config import PROJECT_ROOT
from ivr.telephony.player import RemoteCall, Webhooks
from tests.databases import PostgresServer
from tests.web.conftest import (
    ANA,
    TOKEN,
    WARM_UP_BOUND_S,
    CallerVoices,
    ConsoleClient,
    TwilioClient,
    add_staff,
    app_state,
    live_server,
)


class LoadBalanced(Webhooks):
    """Twilio's requests, all signed for the one public URL, sent to the servers in turn."""

    def __init__(self, public_url: str, servers: list[str]) -> None:
        super().__init__(public_url, TOKEN, public_url)
        self._servers = cycle(servers)
        self.sent: list[tuple[str, str]] = []

    def post(self, path: str, params: dict[str, str],
             headers: dict[str, str] | None = None) -> tuple[int, str]:
        server = next(self._servers)
        self.sent.append((path, server))
        return Webhooks(server, TOKEN, self.public_url).post(path, params, headers)


@pytest.mark.slow
@pytest.mark.speech
@pytest.mark.realtime
def test_a_call_alternating_between_two_servers_is_recorded_whole(
    make_app: Callable[..., Flask], postgres: PostgresServer, shared_cache: pytest.TempPathFactory
) -> None:
    database = postgres.new_database()
    second = make_app(IVR_DATABASE_URL=database, IVR_PUBLIC_URL="")
    with live_server(second) as second_url:
        # the public URL (where media streams go) is the second server's address
        first = make_app(IVR_DATABASE_URL=database, IVR_PUBLIC_URL=second_url)
        add_staff(first)
        with live_server(first) as first_url:
            # a load balancer sends calls only to servers whose health check says ready
            assert all(app_state(app).speech_ready.wait(WARM_UP_BOUND_S) for app in (first, second))
            script = load_script(PROJECT_ROOT / "audio_fixtures" / "calls" /
                                 "spoken_requests.yaml")
            balancer = LoadBalanced(second_url, [first_url, second_url])
            call = RemoteCall(balancer, script.caller)
            voices = CallerVoices(shared_cache / "caller")
            try:
                assert ScriptRunner(call, voices.ulaw, io.StringIO()).run(script) == []
            finally:
                voices.synthesizer.close()
            supervisor = ConsoleClient(first.test_client())
            supervisor.login("alice")
            export = supervisor.get("/console/dashboard.csv").text
            page = supervisor.get(f"/console/calls/{call.call_sid}").text
    assert {server for _, server in balancer.sent} == {first_url, second_url}
    assert [path for path, _ in balancer.sent] == ["/twilio/voice", "/twilio/connect",
                                                   "/twilio/status"]
    record = app_state(first).store.call(call.call_sid)
    assert record is not None and record.stream_sid == call.stream_sid  # claimed on the second
    assert record.outcome == "contained" and record.status == "completed"
    [row] = [line for line in export.splitlines() if call.call_sid in line]
    assert ",contained," in row
    assert "delivery options" in page.lower()  # what the caller said, heard on the second


def test_a_gather_mode_dialog_carries_on_whichever_server_answers(
    make_app: Callable[..., Flask], postgres: PostgresServer
) -> None:
    database = postgres.new_database()
    first, second = (TwilioClient(make_app(IVR_MODE="gather", IVR_DATABASE_URL=database)
                                  .test_client()) for _ in range(2))
    first.post("/twilio/voice", first.call("CAg", ANA))
    asked = second.post("/twilio/gather", second.call("CAg", ANA,
                                                      SpeechResult="track my parcel",
                                                      Confidence="0.9")).text
    assert "Is this about order 4 8 2 1 3, with the Wireless Headphones?" in asked
    retry = {"I-Twilio-Idempotency-Token": "attempt-3"}
    answer = first.post("/twilio/gather", first.call("CAg", ANA, SpeechResult="yes",
                                                     Confidence="0.9"), **retry).text
    assert "Your parcel is with UPS" in answer  # the pending order came from the other server
    again = second.post("/twilio/gather", second.call("CAg", ANA, SpeechResult="yes",
                                                      Confidence="0.9"), **retry).text
    assert again == answer  # Twilio's retry, on the other server: the same answer, once
    caller_turns = [row["text"] for row in app_state(first.client.application).store.turns("CAg")
                    if row["speaker"] == "caller"]
    assert caller_turns == ["track my parcel", "yes"]
