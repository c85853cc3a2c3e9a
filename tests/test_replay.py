"""`ivr replay` as testers run it: WAV files to JSON lines, every scripted call in
audio_fixtures/calls passing in-process, a failing script exiting 1, and the manifest report."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ivr.config import PROJECT_ROOT
from ivr.nlu.normalize import normalize

pytestmark = [pytest.mark.speech, pytest.mark.slow]

IVR = str(Path(sys.executable).parent / "ivr")
CALLS = sorted((PROJECT_ROOT / "audio_fixtures" / "calls").glob("*.yaml"))
WAVS = PROJECT_ROOT / "audio_fixtures" / "wav"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("replay")
    return {**os.environ, "IVR_DATABASE_URL": str(folder / "ivr.db"),
            "IVR_CACHE_DIR": str(folder / "cache")}


def replay(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([IVR, "replay", *args], capture_output=True, text=True, env=env,
                          timeout=900, check=False)


def test_every_dialog_path_script_exists() -> None:
    assert len(CALLS) >= 12


def test_every_scripted_call_passes(env: dict[str, str]) -> None:
    result = replay(env, *map(str, CALLS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": PASS") == len(CALLS)
    assert "[barge-in: prompt stopped]" in result.stdout
    assert "[transfer → support: no_input]" in result.stdout
    # The words heard vary with espeak-ng's run-to-run jitter; what they mean must not.
    assert re.search(r"heard: '[^']+' → shipping_info", result.stdout)


def test_a_failed_expectation_is_reported_and_exits_1(env: dict[str, str],
                                                      tmp_path: Path) -> None:
    script = tmp_path / "wrong.yaml"
    script.write_text('name: expects the wrong thing\nfrom: ""\nsteps:\n'
                      '  - keys: "0"\n    expect: {prompt: goodbye, transfer: no_input}\n'
                      "outcome: completed\n")
    result = replay(env, str(script))
    assert result.returncode == 1
    assert "FAIL (3 problem(s))" in result.stdout
    assert "expected prompt goodbye, bot said ['transfer']" in result.stdout


def test_a_script_with_an_unknown_step_is_a_clear_error(env: dict[str, str],
                                                        tmp_path: Path) -> None:
    script = tmp_path / "typo.yaml"
    script.write_text("steps:\n  - sya: hello\n")
    result = replay(env, str(script))
    assert result.returncode == 2
    assert "step 1: unknown keys ['sya']" in result.stderr


def test_wav_files_give_one_json_line_each(env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnothing here")
    files = [WAVS / "108-i-want-to-find-out-about-my-order.wav", WAVS / "215-silence.wav",
             broken]
    result = replay(env, *map(str, files), "--json")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1  # the broken file
    assert [line["intent"] for line in lines] == ["order_status", None, None]
    assert set(lines[0]) == {"file", "transcript", "intent", "confidence", "slots", "language"}
    assert lines[0]["language"] is None
    said = "i want to find out about my order"
    assert normalize(lines[0]["transcript"]) == said.split()
    assert lines[1]["transcript"] == ""
    assert "no RIFF" in lines[2]["error"] or "no format" in lines[2]["error"]


def test_the_context_option_changes_what_is_listened_for(env: dict[str, str]) -> None:
    wav = WAVS / "flite-021-no.wav"
    line = json.loads(replay(env, str(wav), "--json", "--context", "confirm").stdout)
    assert set(normalize(line["transcript"])) == {"no"} and line["intent"] == "no"
    line = json.loads(replay(env, str(wav), "--json", "--context", "main").stdout)
    assert line["intent"] != "no"  # main has no yes/no: the same audio means something else
    result = replay(env, str(wav), "--context", "nowhere")
    assert result.returncode == 2 and "unknown context" in result.stderr


def test_the_report_names_each_engine_and_sets_them_side_by_side(env: dict[str, str],
                                                                tmp_path: Path) -> None:
    (tmp_path / "wav").mkdir()
    entries = {"flite-005-where-is-my-order": "{context: main, intent: order_status, "
                                              "voice: 'flite:slt'}",
               "332-other-language-tr": "{context: confirm, intent: null, voice: tr, "
                                        "language: tr}"}
    manifest = "utterances:\n"
    for name, entry in entries.items():
        (tmp_path / "wav" / f"{name}.wav").write_bytes((WAVS / f"{name}.wav").read_bytes())
        manifest += f"  - {{id: {name}, {entry[1:]}\n"
    (tmp_path / "manifest.yaml").write_text(manifest)
    result = replay(env, "--report", "--fixtures", str(tmp_path),
                    "--engines", "whisper,pocketsphinx")
    assert result.returncode == 0, result.stderr
    report = result.stdout
    assert "== engine: whisper (tiny.en)" in report and "== engine: pocketsphinx" in report
    whisper_part = report.split("== engine: pocketsphinx")[0]
    assert "other languages: 1/1 heard as another language, 0 understood" in whisper_part
    table = report.split("engines side by side:")[1].splitlines()
    assert [line.split()[:2] for line in table[2:]] == [
        ["whisper", "espeak-ng"], ["whisper", "flite"],
        ["pocketsphinx", "espeak-ng"], ["pocketsphinx", "flite"]]
    assert table[2].split()[2:] == ["0/0", "0/0", "1/1", "0"]


def test_an_unknown_engine_is_named(env: dict[str, str]) -> None:
    result = replay(env, "--report", "--engines", "whisper,sphinx3")
    assert result.returncode == 2 and "'sphinx3' is not a valid SttEngine" in result.stderr
