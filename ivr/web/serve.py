"""`ivr serve`: the app under gunicorn with threaded workers (WebSockets need threads).

The database schema is upgraded and the grammar, prompts and database checked once, before
any worker starts. With several workers (IVR_WORKERS) each loads its own models
(ivr.web.workers has what they share).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from ivr.call.bot import build_bot
from ivr.config import LogFormat, Settings
from ivr.logs import configure_logging, gunicorn_logging
from ivr.store import open_store
from ivr.web.app import create_app
from ivr.web.workers import worker_exited

THREADS = 64
"""Each media stream holds a thread for the whole call (plus webhooks meanwhile)."""


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, load_app: Callable[[], Flask], options: dict[str, Any]) -> None:
        self._load_app = load_app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._load_app()


def run_gunicorn(load_app: Callable[[], Flask], host: str, port: int, workers: int = 1,
                 log_format: LogFormat = LogFormat.TEXT) -> None:
    """Threaded workers; until interrupted."""
    _Server(load_app, {
        "bind": f"{host}:{port}", "workers": workers, "threads": THREADS,
        "worker_class": "gthread", "accesslog": "-", "timeout": 60,
        "logconfig_dict": gunicorn_logging(log_format), "child_exit": worker_exited}).run()


def serve(settings: Settings, host: str, port: int) -> None:
    """Until interrupted."""
    configure_logging(settings.log_format)
    db = open_store(settings.database_url)
    try:
        build_bot(settings, db)  # fail here, before gunicorn forks
    finally:
        db.close()
    run_gunicorn(lambda: create_app(settings), host, port, settings.workers,
                 settings.log_format)
