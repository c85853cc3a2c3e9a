"""`ivr serve` for real: gunicorn on 127.0.0.1, answering /healthz, and the first calls after
it says it is ready played against it by `ivr replay --server` (webhooks and the media
WebSocket under gunicorn)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from ivr.config import Settings
from ivr.telephony.player import Webhooks
from ivr.web.app import create_app
from tests.databases import PostgresServer
from tests.web.conftest import WARM_UP_BOUND_S

pytestmark = pytest.mark.realtime


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


@pytest.mark.slow
def test_healthz_ready_when_configured(settings: Settings) -> None:
    configured = Settings(**{**settings.__dict__, "twilio_auth_token": "t",
                             "public_url": "https://ivr.example.com"})
    app = create_app(configured)
    client: FlaskClient = app.test_client()
    warmed = app.extensions["ivr"].speech_ready
    assert warmed.wait(timeout=WARM_UP_BOUND_S)
    health = client.get("/healthz").get_json()
    assert health["ready_for_calls"] is True and health["problems"] == []
    assert health["signatures_checked"] is True
    warmed.clear()  # as it is while the recogniser warms up after a start
    health = client.get("/healthz").get_json()
    assert health["ready_for_calls"] is False and health["speech_ready"] is False
    assert any("warming up" in problem for problem in health["problems"])


@pytest.mark.slow
def test_a_call_played_against_ivr_serve(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "IVR_DATABASE_URL": str(tmp_path / "serve.db"),
           "TWILIO_AUTH_TOKEN": "serve-token", "IVR_PUBLIC_URL": base,
           "IVR_CACHE_DIR": str(tmp_path / "cache")}
    bin_dir = Path(sys.executable).parent
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([str(bin_dir / "ivr"), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=log)
    try:
        ready = False
        deadline = time.monotonic() + WARM_UP_BOUND_S
        while time.monotonic() < deadline:  # the first call is played as soon as it is ready
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    ready = json.loads(response.read())["ready_for_calls"]
            except OSError:
                pass
            if ready:
                break
            time.sleep(0.25)
        calls = Path(__file__).parents[2] / "audio_fixtures" / "calls"
        scripts = [str(calls / "spoken_requests.yaml"), str(calls / "asks_for_agent.yaml")]
        played = subprocess.run([str(bin_dir / "ivr"), "replay", *scripts, "--server", base,
                                 "--save", str(tmp_path / "audio")], check=False, env=env,
                                capture_output=True, text=True, timeout=240)
    finally:
        server.terminate()
        stopping = time.monotonic()
        server.wait(timeout=60)
        stopped_s = time.monotonic() - stopping
        log.close()
    assert ready, "the server never said it was ready for calls"
    # A stop (a deploy, a restart) is prompt and clean: no worker hung or aborted at exit.
    errors = (tmp_path / "serve.log").read_text()
    assert stopped_s < 10 and "terminate called" not in errors and "was sent SIG" not in errors
    assert played.returncode == 0, played.stdout + played.stderr
    assert "== spoken_requests.yaml: PASS" in played.stdout  # speech heard by the first call
    assert "== asks_for_agent.yaml: PASS" in played.stdout
    assert "prompts recognised back from the audio: 1/1" in played.stdout
    assert "<Enqueue" in played.stdout
    saved = tmp_path / "audio" / "asks_for_agent.wav"
    assert saved.read_bytes()[:4] == b"RIFF" and saved.stat().st_size > 8000 * 5


@pytest.mark.slow
def test_two_workers_on_postgresql_log_json_and_add_up_their_metrics(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "IVR_DATABASE_URL": postgres.new_database(), "IVR_MODE": "gather",
           "IVR_WORKERS": "2", "IVR_LOG_FORMAT": "json", "TWILIO_AUTH_TOKEN": "serve-token",
           "IVR_PUBLIC_URL": base, "IVR_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([str(Path(sys.executable).parent / "ivr"), "serve", "--port",
                               str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    webhooks = Webhooks(base, "serve-token")
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        for n in range(12):
            status, _ = webhooks.post("/twilio/status", {
                "CallSid": f"CA{n}", "From": "+15550100001", "CallStatus": "completed",
                "SequenceNumber": "5", "CallDuration": "30"})
            assert status == 204
        with urllib.request.urlopen(f"{base}/metrics", timeout=5) as response:
            text = response.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    counted = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    key = ("ivr_webhook_requests_total", (("endpoint", "/twilio/status"), ("status", "204")))
    assert counted[key] == 12  # whichever worker answered each
    # the workers keep their values in files /metrics adds up (none if prometheus_client had
    # been imported before `ivr serve` chose the mode)
    assert list((tmp_path / "cache" / "metrics").glob("*.db"))
    assert counted[("ivr_calls_total", (("outcome", "abandoned"),))] == 12
    lines = (tmp_path / "serve.log").read_text().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is JSON, gunicorn's too
    assert {"gunicorn.error", "gunicorn.access"} <= {entry["logger"] for entry in entries}
    assert "+15550100001" not in "\n".join(lines)
