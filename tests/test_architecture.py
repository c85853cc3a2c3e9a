"""ARCHITECTURE.md's dependency rule: understanding and dialog load no web, telephony or
speech engine code, so they stay testable and fast to import."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from ivr.config import PROJECT_ROOT


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


def test_only_telephony_and_web_speak_twilio_and_only_web_flask() -> None:
    allowed = {"twilio": {"telephony", "web"}, "simple_websocket": {"telephony", "web"},
               "flask": {"web"}, "flask_sock": {"web"}}
    offenders = []
    for path in (PROJECT_ROOT / "ivr").rglob("*.py"):
        for module in re.findall(r"^\s*(?:from|import) ([a-z_]+)", path.read_text(), re.M):
            if module in allowed and path.parent.name not in allowed[module]:
                offenders.append(f"{path.relative_to(PROJECT_ROOT)} imports {module}")
    assert offenders == []


def test_the_call_store_loads_no_web_or_telephony_code() -> None:
    code = ("import sys, json, ivr.store.calls, ivr.call.record, ivr.call.voice; "
            "print(json.dumps(sorted(sys.modules)))")
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                           text=True, check=True).stdout))
    assert not loaded & {"flask", "twilio", "ivr.web", "ivr.telephony"}


def test_the_command_line_loads_no_metrics_library_before_serve_chooses_its_mode() -> None:
    """prometheus_client reads PROMETHEUS_MULTIPROC_DIR once, when it is first imported."""
    code = "import sys, json, ivr.cli, ivr.web.workers; print(json.dumps(sorted(sys.modules)))"
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                           text=True, check=True).stdout))
    assert "prometheus_client" not in loaded


ENGINE_HOMES = {"pocketsphinx": "ivr/speech/stt/pocketsphinx", "vosk": "ivr/speech/stt/vosk",
                "ctranslate2": "ivr/speech/stt/whisper", "faster_whisper": "ivr/speech/stt/whisper",
                "pyttsx3": "ivr/speech/tts"}


def test_each_engine_library_is_imported_in_its_own_package_only() -> None:
    offenders = []
    for path in (PROJECT_ROOT / "ivr").rglob("*.py"):
        where = path.relative_to(PROJECT_ROOT).as_posix()
        for module in re.findall(r"^\s*(?:from|import) ([a-z_0-9]+)", path.read_text(), re.M):
            if module in ENGINE_HOMES and not where.startswith(ENGINE_HOMES[module]):
                offenders.append(f"{where} imports {module}")
    assert offenders == []


def test_the_callers_vocabulary_needs_no_engine() -> None:
    """Vosk's phrase lists (and any engine's vocabulary) come from the grammar alone."""
    code = ("import sys, json; from ivr.call.bot import grammar_and_matcher; "
            "from ivr.config import PROJECT_ROOT; from ivr.speech.vocabulary import "
            "caller_sentences; g = grammar_and_matcher(PROJECT_ROOT / 'grammars' / 'en')[0]; "
            "n = sum(1 for _ in caller_sentences(g, ['main'], lambda w: True)); "
            "print(json.dumps([n, sorted(sys.modules)]))")
    count, loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                              text=True, check=True).stdout)
    assert count > 1000
    assert not {"pocketsphinx", "vosk", "ctranslate2"} & set(loaded)
