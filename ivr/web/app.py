"""create_app(settings): the Flask application factory (no module-level app)."""

from __future__ import annotations

import logging

from flask import Flask

from ivr.config import Settings
from ivr.web.app_state import build_app_state
from ivr.web.audio import audio
from ivr.web.auth import auth, configure_sessions
from ivr.web.calls import calls
from ivr.web.console import console
from ivr.web.dashboard import dashboard
from ivr.web.faults import register_fault_handlers
from ivr.web.formatting import register_filters
from ivr.web.gather import gather
from ivr.web.handoff import handoff
from ivr.web.health import health, readiness_problems
from ivr.web.media import sock
from ivr.web.metrics import metrics, observe_webhooks

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 1024 * 1024
"""Twilio's webhooks are a few KB; anything bigger is refused (413) before it is parsed."""


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app; grammar, prompts and database problems stop it here, not mid-call."""
    settings = settings or Settings.from_env()
    app = Flask("ivr")
    app.config["IVR_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.extensions["ivr"] = build_app_state(settings)
    configure_sessions(app, settings, app.extensions["ivr"].accounts)
    register_filters(app)
    register_fault_handlers(app)
    observe_webhooks(app)
    for blueprint in (health, metrics, calls, gather, handoff, audio, auth, console, dashboard):
        app.register_blueprint(blueprint)
    sock.init_app(app)
    if settings.dev_unsigned_webhooks:
        log.warning("IVR_DEV_UNSIGNED_WEBHOOKS=1: Twilio signatures are NOT checked. Anyone "
                    "who can reach this server can drive calls. Never use this in production.")
    for problem in readiness_problems(settings):
        log.warning("not ready for calls: %s", problem)
    if not app.extensions["ivr"].accounts.all():
        log.warning("nobody can log in to the agent console yet: add an account with "
                    "`ivr agents add NAME --supervisor` (.venv/bin/ivr in a checkout)")
    return app
