"""ARCHITECTURE.md's dependency rule: understanding and dialog load no web, telephony or
speech engine code, so they stay testable and fast to import."""

from __future__ import annotations

import json
import subprocess
import sys


def test_nlu_and_dialog_do_not_load_web_telephony_or_engines() -> None:
    code = ("import sys, json, ivr.nlu.matcher, ivr.nlu.loader, ivr.dialog.policy, "
            "ivr.call.session; print(json.dumps(sorted(sys.modules)))")
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                           text=True, check=True).stdout))
    forbidden = {"flask", "twilio", "vosk", "pocketsphinx", "pyttsx3", "gunicorn", "ivr.web"}
    assert not loaded & forbidden
    assert "ivr.dialog.policy" in loaded


def test_events_module_uses_the_standard_library_only() -> None:
    code = "import sys, json, ivr.events; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                       text=True, check=True).stdout)
    assert not [m for m in loaded if m.split(".")[0] in {"yaml", "numpy", "rapidfuzz", "flask"}]
