"""A call that reaches a server while it is still warming up (a restart with calls coming in)
is answered then, not after the minute the warm-up takes: the caller's request is decoded
without Whisper's grammar search, which is still being built."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from ivr.call_script import ScriptRunner, load_script
from ivr.telephony.player import RemoteCall, Webhooks
from tests.web.conftest import TOKEN, WARM_UP_BOUND_S, CallerVoices, app_state, live_server

FIRST_CALL = """
name: A known caller rings while the server is starting
from: "+15550100001"
voice: en-us
rate: 130
steps:
  - expect: {prompt: greeting_known_order}
  - say: what are your delivery options
    expect: {intent: shipping_info, prompt: [shipping_info, anything_else]}
"""


@pytest.mark.slow
@pytest.mark.speech
def test_a_call_during_warm_up_is_answered_before_it_ends(
        make_app: Callable[..., Flask], shared_cache: Path, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ivr.speech")
    voices = CallerVoices(shared_cache / "caller")
    script_path = tmp_path / "first_call.yaml"
    script_path.write_text(FIRST_CALL, encoding="utf-8")
    script = load_script(script_path)
    voices.ulaw("what are your delivery options", script.voice)  # the caller is ready at once
    app = make_app(IVR_PUBLIC_URL="")
    warmed = app_state(app).speech_ready
    try:
        with live_server(app) as base:
            call = RemoteCall(Webhooks(base, TOKEN), script.caller, fast=True)
            problems = ScriptRunner(call, voices.ulaw, io.StringIO()).run(script)
            answered_while_warming = not warmed.is_set()
    finally:
        voices.synthesizer.close()
    assert problems == []
    assert answered_while_warming
    assert any("decoding without the grammar search" in record.getMessage()
               for record in caplog.records)  # not waiting for the sentence tables
    assert warmed.wait(WARM_UP_BOUND_S)  # and the warm-up still finishes
    turns = app_state(app).store.turns(call.call_sid)
    [request] = [row["text"] for row in turns if row["speaker"] == "caller"]
    assert "delivery options" in request.lower()
