"""`ivr serve`: the app under gunicorn with threaded workers (WebSockets need threads)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from ivr.call.components import build_components
from ivr.config import Settings
from ivr.web.app import create_app

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


def run_gunicorn(load_app: Callable[[], Flask], host: str, port: int) -> None:
    """One worker process (calls share the loaded models), many threads; until interrupted."""
    _Server(load_app, {"bind": f"{host}:{port}", "workers": 1, "threads": THREADS,
                       "worker_class": "gthread", "accesslog": "-", "timeout": 60}).run()


def serve(settings: Settings, host: str, port: int) -> None:
    build_components(settings)  # fail here, before gunicorn forks: grammar, prompts, database
    run_gunicorn(lambda: create_app(settings), host, port)
