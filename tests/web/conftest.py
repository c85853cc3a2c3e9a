"""Web fixtures: an app configured like production (signatures on), a client that signs like
Twilio, and a live server on 127.0.0.1 for WebSocket and whole-call tests."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from ivr.call_script import ScriptRunner, load_script
from ivr.commerce.demo import reset_demo
from ivr.commerce.embedded import EmbeddedOrderService
from ivr.config import Settings
from ivr.database import SqliteDatabase
from ivr.speech.tts import Voice
from ivr.speech.tts.espeak import EspeakSynthesizer
from ivr.speech.tts.prompt_audio import PromptAudio
from ivr.store.accounts import Role
from ivr.telephony.player import RemoteCall, Webhooks
from ivr.web.app import create_app
from ivr.web.app_state import AppState

TOKEN = "test-auth-token"
PASSWORD = "long enough password"
"""Every test account's password."""
PUBLIC = "https://ivr.example.com"
ANA = "+15550100001"
WARM_UP_BOUND_S = 300
"""How long a server may take to warm up before a test calls it hung: about 20 s alone on two
cores, several times that while the other test process decodes (BENCHMARKS.md has the figure)."""


def web_settings(db_path: Path, cache_dir: Path, **env: str) -> Settings:
    """Production-like settings (signatures checked) on a fresh demo shop."""
    reset_demo(EmbeddedOrderService(SqliteDatabase(db_path)))
    return Settings.from_env({
        "IVR_DATABASE_URL": str(db_path), "TWILIO_AUTH_TOKEN": TOKEN, "IVR_PUBLIC_URL": PUBLIC,
        "IVR_CACHE_DIR": str(cache_dir), "IVR_WEBHOOK_SPEECH": "say", **env})


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the session: speech grammars and prompt audio are built once."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def make_app(db_path: Path, shared_cache: Path) -> Iterator[Callable[..., Flask]]:
    apps: list[Flask] = []

    def make(**env: str) -> Flask:
        app = create_app(web_settings(db_path, shared_cache, **env))
        apps.append(app)
        return app

    yield make
    for app in apps:
        state = app_state(app)
        state.audio.prompt_audio.synthesizer.close()
        state.bot.orders.close()  # the app's database: no pool left reconnecting to nothing


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


def app_state(app: Flask) -> AppState:
    found: AppState = app.extensions["ivr"]
    return found


class TwilioClient:
    """Posts form webhooks signed the way Twilio signs them (for the public URL)."""

    def __init__(self, client: FlaskClient, token: str = TOKEN, base: str = PUBLIC) -> None:
        self.client = client
        self.token = token
        self.base = base

    def post(self, path: str, data: dict[str, str], **headers: str) -> TestResponse:
        signature = RequestValidator(self.token).compute_signature(self.base + path, data)
        return self.client.post(path, data=data,
                                headers={"X-Twilio-Signature": signature, **headers})

    def call(self, sid: str = "CA1", caller: str = ANA, **extra: str) -> dict[str, str]:
        """The standard parameters of a voice webhook for a call."""
        return {"CallSid": sid, "AccountSid": "AC" + "0" * 32, "From": caller,
                "To": "+15550109999", "CallStatus": "in-progress", "Direction": "inbound",
                "ApiVersion": "2010-04-01", **extra}


@pytest.fixture
def twilio(app: Flask) -> TwilioClient:
    return TwilioClient(app.test_client())


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """The app on a real threaded HTTP/WebSocket server on 127.0.0.1; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


class CallerVoices:
    """Caller speech for `say:` steps of scripted calls played over the wire."""

    def __init__(self, cache: Path) -> None:
        self.synthesizer = EspeakSynthesizer(workers=1)
        self.cache = cache

    def ulaw(self, text: str, voice: Voice) -> bytes:
        return PromptAudio(self.synthesizer, self.cache, voice).ulaw(text)


def play(base: str, script_path: Path, voices: CallerVoices) -> tuple[list[str], str, RemoteCall]:
    """A scripted call played against a server over the wire, as Twilio would place it: the
    script's failed expectations, its printed transcript, and the call."""
    script = load_script(script_path)
    call = RemoteCall(Webhooks(base, TOKEN), script.caller, fast=True)
    out = io.StringIO()
    problems = ScriptRunner(call, voices.ulaw, out).run(script)
    return problems, out.getvalue(), call


def add_staff(app: Flask) -> None:
    """alice the supervisor and bob the agent."""
    accounts = app_state(app).accounts
    accounts.add("alice", PASSWORD, Role.SUPERVISOR)
    accounts.add("bob", PASSWORD, Role.AGENT)


@pytest.fixture
def console_app(make_app: Callable[..., Flask]) -> Flask:
    """A Gather-mode app (calls are quick to make with webhooks) with alice and bob."""
    app = make_app(IVR_MODE="gather")
    add_staff(app)
    return app


@pytest.fixture
def phone(console_app: Flask) -> TwilioClient:
    """Twilio's side of the console app: signed webhooks."""
    return TwilioClient(console_app.test_client())


@pytest.fixture
def alice(console_app: Flask) -> ConsoleClient:
    """The supervisor, logged in."""
    console = ConsoleClient(console_app.test_client())
    assert console.login("alice").status_code == 302
    return console


@pytest.fixture
def bob(console_app: Flask) -> ConsoleClient:
    """An agent, logged in."""
    console = ConsoleClient(console_app.test_client())
    assert console.login("bob").status_code == 302
    return console


class ConsoleClient:
    """The console as a browser uses it: a session cookie, and the CSRF token on every POST."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf(self) -> str:
        self.client.get("/console/login")
        with self.client.session_transaction() as session:
            return str(session["csrf"])

    def login(self, name: str, password: str = PASSWORD, **extra: str) -> TestResponse:
        return self.client.post("/console/login", data={
            "name": name, "password": password, "csrf_token": self.csrf(), **extra})

    def get(self, path: str) -> TestResponse:
        return self.client.get(path)

    def post(self, path: str, data: dict[str, str] | None = None) -> TestResponse:
        with self.client.session_transaction() as session:
            token = str(session.get("csrf", ""))
        return self.client.post(path, data={"csrf_token": token, **(data or {})})


def gather_call(twilio: TwilioClient, sid: str, caller: str, inputs: list[str],
                confidence: str = "0.83") -> str:
    """A Gather-mode call as Twilio plays it: `#12` keys, "" silence, anything else speech.
    Returns the last TwiML."""
    answer = twilio.post("/twilio/voice", twilio.call(sid, caller, CallStatus="ringing"))
    for said in inputs:
        if said.startswith("#"):
            fields = {"Digits": said[1:]}
        elif said:
            fields = {"SpeechResult": said, "Confidence": confidence}
        else:
            fields = {}
        answer = twilio.post("/twilio/gather", twilio.call(sid, caller, **fields))
        assert answer.status_code == 200, answer.text
    return answer.text


def end_call(twilio: TwilioClient, sid: str, caller: str, duration_s: int = 60) -> None:
    """Twilio's final status callback."""
    response = twilio.post("/twilio/status", twilio.call(
        sid, caller, CallStatus="completed", CallDuration=str(duration_s), SequenceNumber="9"))
    assert response.status_code in (200, 204)
