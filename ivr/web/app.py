"""create_app(settings): the Flask application factory (no module-level app)."""

from __future__ import annotations

import logging

from flask import Flask

from ivr.call.components import build_components
from ivr.config import Settings
from ivr.web.health import health, readiness_problems

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app; grammar, prompts and database problems stop it here, not mid-call."""
    settings = settings or Settings.from_env()
    app = Flask("ivr")
    app.config["IVR_SETTINGS"] = settings
    app.extensions["ivr"] = build_components(settings)
    app.register_blueprint(health)
    for problem in readiness_problems(settings):
        log.warning("not ready for calls: %s", problem)
    return app
