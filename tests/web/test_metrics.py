"""GET /metrics: Prometheus text that moves with the calls, readable from loopback only unless a
token is set, then only with it."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from tests.web.conftest import ANA, TwilioClient, end_call, gather_call

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(app: Flask) -> Samples:
    response = app.test_client().get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples}


def change(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def test_a_call_moves_the_counters(make_app: Callable[..., Flask]) -> None:
    app = make_app(IVR_MODE="gather")
    twilio = TwilioClient(app.test_client())
    before = samples(app)
    gather_call(twilio, "CAm1", ANA, ["where is my order"])
    during = samples(app)
    twilio.post("/twilio/gather", twilio.call("CAm1", ANA, SpeechResult="I want to speak to a "
                                              "person", Confidence="0.9"))
    end_call(twilio, "CAm1", ANA)
    app.test_client().post("/twilio/voice", data={"CallSid": "CAforged"})  # not signed
    after = samples(app)
    assert change(before, during, "ivr_calls_active") == 1
    assert change(before, after, "ivr_calls_active") == 0
    assert change(before, after, "ivr_turns_total") == 2
    assert change(before, after, "ivr_transfers_total", reason="caller_request") == 1
    assert change(before, after, "ivr_calls_total", outcome="abandoned") == 1  # never bridged
    assert change(before, after, "ivr_webhook_requests_total",
                  endpoint="/twilio/gather", status="200") == 2
    assert change(before, after, "ivr_webhook_requests_total",
                  endpoint="/twilio/voice", status="403") == 1
    assert change(before, after, "ivr_signature_failures_total") == 1
    assert change(before, after, "ivr_database_seconds_count") > 0
    for name in ("ivr_turn_latency_seconds_count", "ivr_decoder_queue_length"):
        assert (name, ()) in after


def test_without_a_token_only_this_machine_may_read(app: Flask) -> None:
    assert app.test_client().get("/metrics").status_code == 200
    remote = app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert remote.status_code == 403 and "IVR_METRICS_TOKEN" in remote.text


def test_with_a_token_it_is_asked_for_even_from_this_machine(
    make_app: Callable[..., Flask]
) -> None:
    client = make_app(IVR_METRICS_TOKEN="scrape-secret").test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "scrape-secret"}).status_code == 401
    allowed = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"},
                         environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert allowed.status_code == 200 and "ivr_calls_active" in allowed.text
