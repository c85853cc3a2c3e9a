"""GET /metrics: Prometheus text. With IVR_METRICS_TOKEN set it needs `Authorization: Bearer
<token>`; unset, only this machine (loopback) may read it, since the figures say how busy the
shop is. Also counts every Twilio webhook answered, by endpoint and status."""

from __future__ import annotations

import hmac
import os

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from ivr.config import Settings
from ivr.logs import bind_call, unbind_call
from ivr.metrics import WEBHOOKS
from ivr.web.workers import MULTIPROCESS_VARIABLE

metrics = Blueprint("metrics", __name__)

LOOPBACK = frozenset({"127.0.0.1", "::1"})


@metrics.get("/metrics")
def exposition() -> Response:
    settings: Settings = current_app.config["IVR_SETTINGS"]
    if settings.metrics_token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not hmac.compare_digest(given.encode(),
                                                         settings.metrics_token.encode()):
            return Response("Unauthorized: send Authorization: Bearer <IVR_METRICS_TOKEN>\n",
                            401, {"WWW-Authenticate": "Bearer"}, mimetype="text/plain")
    elif request.remote_addr not in LOOPBACK:
        return Response("Forbidden: set IVR_METRICS_TOKEN to read metrics from elsewhere\n",
                        403, mimetype="text/plain")
    return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    """Every worker's values when gunicorn runs several (PROMETHEUS_MULTIPROC_DIR), else this
    process's."""
    if not os.environ.get(MULTIPROCESS_VARIABLE):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def observe_webhooks(app: Flask) -> None:
    """Every /twilio/ request: its log lines carry the CallSid, and it is counted in
    ivr_webhook_requests_total whatever answered it."""

    @app.before_request
    def bind() -> None:
        if request.path.startswith("/twilio/"):
            g.log_binding = bind_call(request.form.get("CallSid") or None)

    @app.teardown_request
    def unbind(_: BaseException | None) -> None:
        if "log_binding" in g:
            unbind_call(g.pop("log_binding"))

    @app.after_request
    def count(response: Response) -> Response:
        if request.path.startswith("/twilio/"):
            endpoint = request.url_rule.rule if request.url_rule else "unknown"
            WEBHOOKS.labels(endpoint, str(response.status_code)).inc()
        return response
