"""Every Twilio webhook is refused (403) unless Twilio signed it, and a refusal changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from flask import Flask
from twilio.request_validator import RequestValidator

from tests.web.conftest import ANA, PUBLIC, TOKEN, TwilioClient, app_state

WEBHOOKS = ["/twilio/voice", "/twilio/connect", "/twilio/status", "/twilio/gather",
            "/twilio/wait", "/twilio/callback", "/twilio/queue-result", "/twilio/agent",
            "/twilio/whisper"]
FORM = {"CallSid": "CA1", "From": ANA, "To": "+15550109999", "CallStatus": "ringing"}


@pytest.mark.parametrize("path", WEBHOOKS)
def test_unsigned_and_wrongly_signed_requests_are_refused(app: Flask, path: str,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="ivr.audit"):
        assert client.post(path, data=FORM).status_code == 403
        forged = TwilioClient(client, token="not-the-token")
        assert forged.post(path, FORM).status_code == 403
    assert [r.getMessage() for r in caplog.records if r.name == "ivr.audit"] == [
        f"refused POST {path} from 127.0.0.1: no X-Twilio-Signature header",
        f"refused POST {path} from 127.0.0.1: X-Twilio-Signature does not match"]
    assert app_state(app).store.call("CA1") is None  # nothing about the call changed


@pytest.mark.parametrize("path", WEBHOOKS)
def test_signed_requests_are_answered(twilio: TwilioClient, path: str) -> None:
    response = twilio.post(path, FORM)
    assert response.status_code in (200, 204)


def test_tampered_parameters_break_the_signature(twilio: TwilioClient) -> None:
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + "/twilio/voice", FORM)
    response = twilio.client.post("/twilio/voice", data={**FORM, "From": "+15550100002"},
                                  headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_signature_covers_the_public_url_and_query_string(twilio: TwilioClient) -> None:
    """Behind a TLS proxy Flask sees http://localhost; Twilio signed https://ivr.example.com."""
    twilio.post("/twilio/voice", twilio.call())
    assert twilio.post("/twilio/callback?offer=closed", twilio.call(Digits="2")).status_code == 200
    data = twilio.call(Digits="2")
    without_query = RequestValidator(TOKEN).compute_signature(PUBLIC + "/twilio/callback", data)
    response = twilio.client.post("/twilio/callback?offer=closed", data=data,
                                  headers={"X-Twilio-Signature": without_query})
    assert response.status_code == 403
    internal = RequestValidator(TOKEN).compute_signature("http://localhost/twilio/voice", data)
    response = twilio.client.post("/twilio/voice", data=data,
                                  headers={"X-Twilio-Signature": internal})
    assert response.status_code == 403


def test_without_a_token_every_webhook_is_refused_and_health_says_why(
        make_app: Callable[..., Flask]) -> None:
    app = make_app(TWILIO_AUTH_TOKEN="")
    client = TwilioClient(app.test_client())
    for path in WEBHOOKS:
        assert client.post(path, FORM).status_code == 403
    health = app.test_client().get("/healthz").get_json()
    assert health["ready_for_calls"] is False
    assert any("TWILIO_AUTH_TOKEN is not set" in p for p in health["problems"])


def test_the_development_flag_is_announced(make_app: Callable[..., Flask],
                                           caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        app = make_app(IVR_DEV_UNSIGNED_WEBHOOKS="1")
    assert any("signatures are NOT checked" in r.getMessage() for r in caplog.records)
    client = app.test_client()
    assert client.post("/twilio/status", data=FORM).status_code == 204
    health = client.get("/healthz").get_json()
    assert health["signatures_checked"] is False and health["ready_for_calls"] is False
    assert any("IVR_DEV_UNSIGNED_WEBHOOKS=1" in p for p in health["problems"])
