"""Twilio webhook authentication: X-Twilio-Signature checked against the URL Twilio called.

Behind a TLS-terminating proxy Flask sees http:// and an internal host, so the signed URL is
rebuilt from IVR_PUBLIC_URL plus the path and the query string exactly as sent. Refusals are
403 with one audit log line; the call record is not touched. The only way to switch the check
off is IVR_DEV_UNSIGNED_WEBHOOKS=1, which the server announces at startup and on /healthz.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from flask import Request, Response, request
from flask.typing import ResponseReturnValue
from twilio.request_validator import RequestValidator

from ivr.config import Settings
from ivr.metrics import SIGNATURE_FAILURES
from ivr.web.app_state import current_app_state
from ivr.web.urls import absolute

audit = logging.getLogger("ivr.audit")


def signed_url(req: Request) -> str:
    """The URL Twilio signed: our public base, the path, and the raw query string."""
    query = req.query_string.decode("latin-1")
    return absolute(req.path) + (f"?{query}" if query else "")


def signature_problem(settings: Settings, req: Request) -> str | None:
    """Why this request is not a genuine Twilio webhook, or None if it is."""
    if settings.dev_unsigned_webhooks:
        return None
    if not settings.twilio_auth_token:
        return "TWILIO_AUTH_TOKEN is not set"
    signature = req.headers.get("X-Twilio-Signature", "")
    if not signature:
        return "no X-Twilio-Signature header"
    validator = RequestValidator(settings.twilio_auth_token)
    if not validator.validate(signed_url(req), req.form, signature):
        return "X-Twilio-Signature does not match"
    return None


def twilio_webhook(view: Callable[[], ResponseReturnValue]) -> Callable[[], ResponseReturnValue]:
    """Refuse (403) any request to `view` that Twilio did not sign."""

    @wraps(view)
    def checked() -> ResponseReturnValue:
        problem = signature_problem(current_app_state().settings, request)
        if problem:
            audit.warning("refused %s %s from %s: %s", request.method, request.path,
                          request.remote_addr, problem)
            SIGNATURE_FAILURES.inc()
            return Response("Forbidden: not a signed Twilio request\n", 403,
                            mimetype="text/plain")
        return view()

    return checked
