"""`ivr serve` for real: gunicorn on 127.0.0.1, answering /healthz over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from flask.testing import FlaskClient

from ivr.config import Settings
from ivr.web.app import create_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_healthz_and_says_what_to_configure(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "IVR_DATABASE_URL": str(tmp_path / "serve.db")}
    env.pop("TWILIO_AUTH_TOKEN", None)
    server = subprocess.Popen([str(Path(sys.executable).parent / "ivr"), "serve",
                               "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        body = None
        for _ in range(120):  # at most 60 s for the grammar to load
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
                    break
            except OSError:
                time.sleep(0.5)
        assert body is not None, "server did not answer"
        assert body["status"] == "ok" and body["ready_for_calls"] is False
        assert any("TWILIO_AUTH_TOKEN" in p for p in body["problems"])
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "TWILIO_AUTH_TOKEN is not set" in output


def test_healthz_ready_when_configured(settings: Settings) -> None:
    configured = Settings(**{**settings.__dict__, "twilio_auth_token": "t",
                             "public_url": "https://ivr.example.com"})
    client: FlaskClient = create_app(configured).test_client()
    health = client.get("/healthz").get_json()
    assert health["ready_for_calls"] is True and health["problems"] == []
    assert health["signatures_checked"] is True
