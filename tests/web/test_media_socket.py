"""The media WebSocket on a real server on 127.0.0.1: Twilio's protocol, its bad input, and
every scripted call played over the wire by `ivr replay --server`'s player."""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from simple_websocket import Client, ConnectionClosed

from ivr.call_script import ScriptRunner, load_script
from ivr.config import PROJECT_ROOT
from ivr.store.calls import CallStore
from ivr.telephony.player import RemoteCall, Webhooks
from tests.twiml_tree import twiml_tree
from tests.web.conftest import ANA, TOKEN, CallerVoices, app_state, live_server, play

pytestmark = pytest.mark.realtime

CALLS = sorted((PROJECT_ROOT / "audio_fixtures" / "calls").glob("*.yaml"))
SILENCE = base64.b64encode(b"\xff" * 160).decode()


@pytest.fixture
def live(make_app: Callable[..., Flask]) -> Iterator[tuple[Flask, str]]:
    """An app (no public URL: it answers with the address it is reached on) on a live server."""
    app = make_app(IVR_PUBLIC_URL="")
    with live_server(app) as base:
        yield app, base


def start_call(base: str, sid: str = "CA1", caller: str = ANA) -> tuple[str, str]:
    """POST /twilio/voice like Twilio; the stream URL and token it answered."""
    webhooks = Webhooks(base, TOKEN)
    status, body = webhooks.post("/twilio/voice", {"CallSid": sid, "From": caller,
                                                    "To": "+15550109999"})
    assert status == 200
    [(_, _, _, [(_, stream, _, [(_, parameter, _, _)])])] = twiml_tree(body)
    return stream["url"], parameter["value"]


def open_stream(url: str, sid: str, token: str, stream_sid: str = "MZ1") -> Client:
    ws = Client.connect(url)
    ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
    ws.send(json.dumps({"event": "start", "sequenceNumber": "1", "streamSid": stream_sid,
                        "start": {"streamSid": stream_sid, "callSid": sid,
                                  "accountSid": "AC1", "tracks": ["inbound"],
                                  "customParameters": {"token": token},
                                  "mediaFormat": {"encoding": "audio/x-mulaw",
                                                  "sampleRate": 8000, "channels": 1}}}))
    return ws


def events_until(ws: Client, wanted: str, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Messages from the server until one with event `wanted` (or the socket closes)."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            text = ws.receive(timeout=0.5)
        except ConnectionClosed:
            break
        if text is None:
            continue
        message = json.loads(text)
        seen.append(message)
        if message["event"] == wanted:
            break
    return seen


def closed_by_server(ws: Client, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ws.receive(timeout=0.5)
    except ConnectionClosed:
        return True
    return False


@pytest.mark.slow
def test_the_greeting_streams_as_paced_media_with_a_mark(live: tuple[Flask, str]) -> None:
    _, base = live
    url, token = start_call(base)
    assert url.startswith("ws://127.0.0.1:")
    ws = open_stream(url, "CA1", token)
    started = time.monotonic()
    seen = events_until(ws, "mark")
    ws.close()
    media = [m for m in seen if m["event"] == "media"]
    assert media and all(m["streamSid"] == "MZ1" for m in media)
    audio_s = sum(len(base64.b64decode(m["media"]["payload"])) for m in media) / 8000
    assert audio_s > 3  # the greeting
    assert time.monotonic() - started > audio_s - 0.5  # sent in real time, not in one burst
    assert seen[-1]["mark"]["name"] == "prompt-1"


def test_a_bad_or_reused_token_is_refused(live: tuple[Flask, str]) -> None:
    app, base = live
    url, token = start_call(base)
    intruder = open_stream(url, "CA1", "guessed-token")
    assert closed_by_server(intruder)
    first = open_stream(url, "CA1", token)
    assert events_until(first, "media")[-1]["event"] == "media"
    second = open_stream(url, "CA1", token, stream_sid="MZ2")  # Twilio's duplicate stream
    assert closed_by_server(second)
    first.close()
    record = app_state(app).store.call("CA1")
    assert record is not None and record.stream_sid == "MZ1"


JUNK = ("not json", '{"event":"media","media":{"payload":"%%%"}}', '{"event":"surprise"}',
        json.dumps({"event": "media",
                    "media": {"payload": base64.b64encode(bytes(40_000)).decode()}}),
        '{"event":"dtmf","dtmf":{"digit":"Z"}}', "[]")


@pytest.mark.slow
def test_bad_messages_are_skipped_and_the_call_goes_on(live: tuple[Flask, str]) -> None:
    """Every kind of junk in one call (each costs a greeting played out in real time)."""
    _, base = live
    url, token = start_call(base)
    ws = open_stream(url, "CA1", token)
    for junk in JUNK:
        ws.send(junk)
    assert events_until(ws, "mark")[-1]["event"] == "mark"  # the greeting still played out
    ws.close()


def test_media_before_start_and_no_start_at_all(live: tuple[Flask, str]) -> None:
    _, base = live
    url, _ = start_call(base)
    ws = Client.connect(url)
    for _ in range(25):  # more bad messages than a stream is allowed
        ws.send(json.dumps({"event": "media", "media": {"payload": SILENCE}}))
    assert closed_by_server(ws)


def test_a_dropped_socket_mid_call_hands_the_caller_to_people(live: tuple[Flask, str]) -> None:
    app, base = live
    url, token = start_call(base)
    ws = open_stream(url, "CA1", token)
    events_until(ws, "media")
    ws.close()  # no `stop`: the network dropped
    store = app_state(app).store
    deadline = time.monotonic() + 10
    while store.transfer("CA1") is None and time.monotonic() < deadline:
        time.sleep(0.1)
    transfer = store.transfer("CA1")
    assert transfer is not None and transfer.reason == "line_problem"
    assert transfer.context["customer"] == "Ana Lopez"  # the dialog's own context packet
    connect = Webhooks(base, TOKEN).post("/twilio/connect", {"CallSid": "CA1", "From": ANA})
    tree = twiml_tree(connect[1])
    assert [node[0] for node in tree] == ["Say", "Enqueue"]


def test_stop_records_the_hang_up(live: tuple[Flask, str]) -> None:
    app, base = live
    url, token = start_call(base)
    ws = open_stream(url, "CA1", token)
    events_until(ws, "media")
    ws.send(json.dumps({"event": "stop", "streamSid": "MZ1", "stop": {"callSid": "CA1"}}))
    assert closed_by_server(ws)
    record = app_state(app).store.call("CA1")
    assert record is not None and record.bot_outcome == "caller_hung_up"


def test_a_wrongly_signed_upgrade_is_refused(live: tuple[Flask, str]) -> None:
    _, base = live
    url, _ = start_call(base)
    ws = Client.connect(url, headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"})
    assert closed_by_server(ws)


PREPARED_WITHIN_S = 300
"""How long eleven servers in one process may take to build their grammars and warm up."""
SHARING_A_SERVER = ("known_caller_tracks_parcel.yaml", "return_damaged_item.yaml")
"""Two calls played on one server at the same time (Ana's and Ben's), to show they do not mix."""


@pytest.mark.slow
def test_every_scripted_call_over_the_wire(make_app: Callable[..., Flask],
                                           shared_cache: Path, tmp_path: Path) -> None:
    """Each calls/*.yaml at once, twelve concurrent calls: each on a fresh server of its own but
    Ana's and Ben's, which share one."""
    voices = CallerVoices(shared_cache / "caller")
    homes = ["shared" if path.name in SHARING_A_SERVER else path.name for path in CALLS]
    apps = {home: make_app(IVR_PUBLIC_URL="", IVR_DATABASE_URL=str(tmp_path / f"shop{n}.db"))
            for n, home in enumerate(dict.fromkeys(homes))}
    # Twilio is pointed only at a ready server; eleven preparing at once would starve the calls.
    for app in apps.values():
        assert app_state(app).speech_ready.wait(PREPARED_WITHIN_S)
    servers = {home: live_server(app) for home, app in apps.items()}
    bases = {home: server.__enter__() for home, server in servers.items()}
    try:
        with ThreadPoolExecutor(max_workers=len(CALLS)) as pool:
            results = list(pool.map(lambda pair: play(bases[pair[0]], pair[1], voices),
                                    zip(homes, CALLS, strict=True)))
    finally:
        for server in servers.values():
            server.__exit__(None, None, None)
        voices.synthesizer.close()
    failures = {path.name: (problems, transcript)
                for path, (problems, transcript, _) in zip(CALLS, results, strict=True)
                if problems}
    assert not failures, "\n".join(f"{name}: {problems}\n{transcript}"
                                    for name, (problems, transcript) in failures.items())
    for path, (_, _, call) in zip(CALLS, results, strict=True):
        assert call.after_stream or call.outcome == "caller_hung_up", path.name
        assert call.bot_audio, path.name
    by_name = {path.name: call for path, (_, _, call) in zip(CALLS, results, strict=True)}
    ana, ben = (by_name[name].call_sid for name in SHARING_A_SERVER)
    calls_did_not_mix(app_state(apps["shared"]).store, ana, ben)


def calls_did_not_mix(store: CallStore, ana: str, ben: str) -> None:
    """Ana tracked a parcel while Ben returned order 12345 on the same server."""
    assert [r["order_number"] for r in store.rows("call_returns", ben)] == ["12345"]
    assert store.rows("call_returns", ana) == []
    ana_said = " ".join(r["text"] for r in store.turns(ana) if r["speaker"] == "bot")
    ben_said = " ".join(r["text"] for r in store.turns(ben) if r["speaker"] == "bot")
    assert "Hi Ana" in ana_said and "Ben" not in ana_said
    assert "Hi Ben" in ben_said and "Ana" not in ben_said
    for sid in (ana, ben):
        record = store.call(sid)
        assert record is not None and record.outcome is not None  # status callback closed it


@pytest.mark.slow
def test_a_transfer_reaches_the_record_the_briefing_and_the_bridge(
        live: tuple[Flask, str], shared_cache: Path) -> None:
    app, base = live
    voices = CallerVoices(shared_cache / "caller")
    script = load_script(PROJECT_ROOT / "audio_fixtures" / "calls" / "asks_for_agent.yaml")
    call = RemoteCall(Webhooks(base, TOKEN), script.caller, final_status=False)
    try:
        assert ScriptRunner(call, voices.ulaw, io.StringIO()).run(script) == []
    finally:
        voices.synthesizer.close()
    assert [node[0] for node in twiml_tree(call.after_stream)] == ["Enqueue"]
    store = app_state(app).store
    transfer = store.transfer(call.call_sid)
    assert transfer is not None and transfer.reason == "caller_request"
    assert transfer.context["caller"] == "***0001"  # redacted in the record
    assert transfer.context["transcript"][0]["speaker"] == "bot"
    webhooks = Webhooks(base, TOKEN)
    _, briefing = webhooks.post("/twilio/agent", {"CallSid": "CAagent", "From": "+15550100200"})
    [say, dial] = twiml_tree(briefing)
    assert "Ana Lopez" in say[2] and "the caller asked for a person" in say[2]
    assert dial[3][0][:3] == ("Queue", {"url": f"{base}/twilio/whisper", "method": "POST"},
                              "support")
    webhooks.post("/twilio/whisper", {"CallSid": call.call_sid, "DequeingCallSid": "CAagent",
                                      "QueueSid": "QU1", "QueueTime": "12"})
    webhooks.post("/twilio/queue-result", {"CallSid": call.call_sid, "QueueResult": "bridged",
                                           "QueueTime": "12"})
    call.end()
    record = store.call(call.call_sid)
    assert record is not None and record.outcome == "transferred"
    bridged = store.transfer(call.call_sid)
    assert bridged is not None and bridged.bridged_at and bridged.queue_time_s == 12
