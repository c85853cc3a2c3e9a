"""A call that reaches a server as it starts (a restart with calls coming in) is served like any
other, while the server is still warming up: greeted, heard, answered and stored. (That its turns
do not wait for Whisper's sentence tables is tests/speech/test_whisper.py's to show.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from ivr.call_script import load_script
from tests.web.conftest import WARM_UP_BOUND_S, CallerVoices, app_state, live_server, play

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
def test_a_call_placed_as_the_server_starts_is_served(
        make_app: Callable[..., Flask], shared_cache: Path, tmp_path: Path) -> None:
    voices = CallerVoices(shared_cache / "caller")
    script_path = tmp_path / "first_call.yaml"
    script_path.write_text(FIRST_CALL, encoding="utf-8")
    script = load_script(script_path)
    voices.ulaw("what are your delivery options", script.voice)  # the caller is ready at once
    app = make_app(IVR_PUBLIC_URL="")
    try:
        with live_server(app) as base:
            problems, _, call = play(base, script_path, voices)
    finally:
        voices.synthesizer.close()
    assert problems == []
    assert app_state(app).speech_ready.wait(WARM_UP_BOUND_S)  # and the warm-up still finishes
    turns = app_state(app).store.turns(call.call_sid)
    [request] = [row["text"] for row in turns if row["speaker"] == "caller"]
    assert "delivery options" in request.lower()
