"""`ivr serve`: the app under gunicorn with threaded workers (WebSockets need threads)."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from ivr.config import Settings
from ivr.web.app import create_app


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return create_app(self._settings)


def serve(settings: Settings, host: str, port: int) -> None:
    """Run until interrupted. One worker process (calls share the loaded models), many threads."""
    create_app(settings)  # fail fast, before gunicorn forks, on grammar/prompt/database errors
    _Server(settings, {"bind": f"{host}:{port}", "workers": 1, "threads": 32,
                       "worker_class": "gthread", "accesslog": "-", "timeout": 60}).run()
