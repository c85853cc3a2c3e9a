"""GET /healthz: is the server up, and is it configured to take real calls?"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from ivr.config import Settings
from ivr.web.app_state import current_app_state

health = Blueprint("health", __name__)


def readiness_problems(settings: Settings) -> list[str]:
    """What stops this server from taking Twilio calls, in words an operator can act on."""
    problems = []
    if settings.dev_unsigned_webhooks:
        problems.append("IVR_DEV_UNSIGNED_WEBHOOKS=1: webhook signatures are NOT checked. "
                        "Unset it outside development.")
    if not settings.twilio_auth_token:
        problems.append("TWILIO_AUTH_TOKEN is not set: every Twilio webhook will be refused. "
                        "Set it to your Twilio account's auth token.")
    if not settings.public_url:
        problems.append("IVR_PUBLIC_URL is not set: Twilio signatures cannot be checked. "
                        "Set it to the https:// address Twilio uses to reach this server.")
    return problems


@health.get("/healthz")
def healthz() -> ResponseReturnValue:
    settings: Settings = current_app.config["IVR_SETTINGS"]
    problems = readiness_problems(settings)
    app_state = current_app_state()
    if not app_state.speech_ready.is_set():
        problems.append("Speech recognition is still warming up (seconds after a start); a "
                        "call now is answered, but its first turns may be slower and heard less "
                        "well.")
    return jsonify(status="ok", ready_for_calls=not problems, problems=problems,
                   speech_ready=app_state.speech_ready.is_set(),
                   signatures_checked=not settings.dev_unsigned_webhooks), 200
