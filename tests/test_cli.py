"""The `ivr` command, run as a user runs it: the installed entry point in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ivr.config import PROJECT_ROOT
from tests.databases import PostgresServer, raw_rows

IVR = str(Path(sys.executable).parent / "ivr")


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([IVR, *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, check=False)


@pytest.fixture
def db_env(tmp_path: Path) -> dict[str, str]:
    return {"IVR_DATABASE_URL": str(tmp_path / "cli.db")}


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("serve", "nlu", "simulate", "grammar", "demo", "replay", "prompts",
                    "fixtures", "models", "agents", "db"):
        assert command in result.stdout


def test_nlu_arguments_give_one_json_object_each() -> None:
    result = run("nlu", "where's my parcel", "tell me a joke", "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["intent"] for line in lines] == ["track_package", None]
    assert set(lines[0]) == {"text", "intent", "confidence", "slots"}


def test_nlu_reads_stdin_per_line_in_a_context() -> None:
    result = run("nlu", "--context", "order_number", "--json",
                 stdin="four eight two one three\nseven oh oh five five\n\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["slots"].get("order_number") for line in lines] == ["48213", "70055", None]
    assert lines[2]["intent"] is None


def test_nlu_unknown_context_is_a_clear_error() -> None:
    result = run("nlu", "hello", "--context", "nowhere")
    assert result.returncode == 2
    assert "unknown context 'nowhere'" in result.stderr and "Traceback" not in result.stderr


def test_simulate_a_whole_piped_call(db_env: dict[str, str]) -> None:
    script = "\n".join(["I want to return order seven oh oh five five", "94107", "all of them",
                        "it arrived damaged", "yes", "no thanks", "#5", ""])
    result = run("simulate", stdin=script, env=db_env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("bot: Thanks for calling Demo Shop.")
    assert "[return created RMA " in out and "for order 70055: damaged]" in out
    assert "[survey answer 5]" in out and out.rstrip().endswith("[hangup: completed]")


def test_simulate_known_caller_and_transfer(db_env: dict[str, str]) -> None:
    result = run("simulate", "--from", "+15550100001",
                 stdin="get me a person\n", env=db_env)
    assert "bot: Hi Ana" in result.stdout
    assert "[transfer → queue support: reason caller_request]" in result.stdout


def test_simulate_end_of_input_hangs_up(db_env: dict[str, str]) -> None:
    result = run("simulate", stdin="where is my order\n", env=db_env)
    assert result.stdout.rstrip().endswith("[caller hung up]")


def test_grammar_check_passes_on_the_shipped_grammar() -> None:
    result = run("grammar", "check")
    assert result.returncode == 0, result.stdout
    assert "0 problem(s)" in result.stderr


def test_grammar_check_fails_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("intents:\n  a:\n    sentences: ['stop']\n"
                                       "  b:\n    sentences: ['stop']\n")
    result = run("grammar", "check", env={"IVR_GRAMMAR_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "bad.yaml:5: 'stop' (b) matches both 'stop' (a" in result.stdout


def test_broken_grammar_stops_startup_with_file_line_and_fix(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("intents:\n  a:\n    sentences: ['track {nothing}']\n")
    result = run("simulate", stdin="", env={"IVR_GRAMMAR_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "bad.yaml:3: unknown list {nothing}; define it under 'lists'" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_configuration_lists_every_problem() -> None:
    result = run("simulate", stdin="", env={"IVR_MAX_FAILURES": "zero", "IVR_MODE": "fax",
                                            "IVR_PUBLIC_URL": "ftp://x"})
    assert result.returncode == 2
    for name in ("IVR_MAX_FAILURES", "IVR_MODE", "IVR_PUBLIC_URL"):
        assert name in result.stderr


def test_unopenable_database_gives_one_clear_message(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("demo", "reset", env={"IVR_DATABASE_URL": str(blocker / "x.db")})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cannot open the database" in result.stderr


def test_demo_reset_writes_the_demo_shop(db_env: dict[str, str]) -> None:
    result = run("demo", "reset", env=db_env)
    assert result.returncode == 0 and "demo shop written" in result.stdout
    assert Path(db_env["IVR_DATABASE_URL"]).exists()


def test_broken_prompt_file_stops_startup_with_file_line_and_fix(tmp_path: Path,
                                                                 db_env: dict[str, str]) -> None:
    prompts = tmp_path / "en.yaml"
    original = (Path(__file__).parent.parent / "prompts" / "en.yaml").read_text()
    prompts.write_text(original.replace("Is that right?", "Is that right, {nme}?"))
    result = run("simulate", stdin="", env={**db_env, "IVR_PROMPTS": str(prompts)})
    assert result.returncode == 2
    assert "en.yaml:" in result.stderr and "unknown variables ['nme']" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_prompts_render_synthesises_fixed_prompts_and_faq_answers_once(tmp_path: Path) -> None:
    env = {"IVR_CACHE_DIR": str(tmp_path / "cache")}
    first = run("prompts", "render", env=env, timeout=600)
    assert first.returncode == 0, first.stderr
    rendered = int(first.stdout.split()[0])
    assert rendered > 20 and "prompts" in first.stderr  # the progress bar
    second = run("prompts", "render", env=env, timeout=600)
    assert second.stdout.startswith(f"0 prompt(s) rendered, {rendered} already cached")
    changed = run("prompts", "render", env={**env, "IVR_SHOP_NAME": "Other Shop"}, timeout=600)
    assert changed.stdout.startswith("2 prompt(s) rendered")  # the greeting and the goodbye
    grammar = tmp_path / "grammar"
    shutil.copytree(PROJECT_ROOT / "grammars" / "en", grammar)
    faq = grammar / "faq.yaml"
    faq.write_text(faq.read_text().replace("Google Pay.", "Google Pay and Venmo."))
    edited = run("prompts", "render", env={**env, "IVR_GRAMMAR_DIR": str(grammar)}, timeout=600)
    assert edited.stdout.startswith("1 prompt(s) rendered")  # the edited FAQ answer


def test_fixtures_build_writes_telephone_wavs(tmp_path: Path) -> None:
    (tmp_path / "manifest.yaml").write_text(
        "utterances:\n"
        "  - {id: hello, text: where is my order, voice: en-gb, rate: 150, context: main,"
        " intent: order_status, noise_snr_db: 15}\n"
        "  - {id: quiet, silence_s: 2, context: main, intent: null}\n")
    result = run("fixtures", "build", "--folder", str(tmp_path), timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2 fixture file(s) written")
    assert sorted(p.name for p in (tmp_path / "wav").iterdir()) == ["hello.wav", "quiet.wav"]
    again = run("fixtures", "build", "--folder", str(tmp_path), timeout=300)
    assert again.stdout.startswith("0 fixture file(s) written")


def test_model_download_failure_says_what_to_do(tmp_path: Path) -> None:
    from ivr.errors import SpeechModelError  # noqa: PLC0415
    from ivr.speech.stt.vosk.download import download_vosk_model  # noqa: PLC0415

    with pytest.raises(SpeechModelError, match="set IVR_VOSK_MODEL"):
        download_vosk_model(tmp_path, url="http://127.0.0.1:9/vosk-model.zip")
    assert list(tmp_path.iterdir()) == []  # no half-downloaded archive left behind


def test_agents_are_added_listed_and_disabled(db_env: dict[str, str], tmp_path: Path) -> None:
    added = run("agents", "add", "alice", "--supervisor", stdin="a long password\n", env=db_env)
    assert added.returncode == 0, added.stderr
    assert "supervisor 'alice' added" in added.stdout
    assert run("agents", "add", "bob", stdin="another password\n", env=db_env).returncode == 0
    listing = run("agents", "list", env=db_env).stdout.splitlines()
    assert [line.split("\t")[:3] for line in listing] == [["alice", "supervisor", "active"],
                                                          ["bob", "agent", "active"]]
    assert run("agents", "disable", "bob", env=db_env).returncode == 0
    assert "bob\tagent\tdisabled" in run("agents", "list", env=db_env).stdout
    stored = (tmp_path / "cli.db").read_bytes()
    assert b"a long password" not in stored and b"another password" not in stored


def test_db_upgrade_demo_and_agents_work_on_postgresql(postgres: PostgresServer) -> None:
    env = {"IVR_DATABASE_URL": postgres.new_database()}
    first = run("db", "upgrade", env=env)
    assert first.returncode == 0, first.stderr
    assert "applied 0001_calls_accounts_console" in first.stdout
    assert "test-password" not in first.stdout and "ivr:***@127.0.0.1" in first.stdout
    again = run("db", "upgrade", env=env)
    assert "applied" not in again.stdout and "schema version" in again.stdout
    assert run("demo", "reset", env=env).returncode == 0
    assert run("agents", "add", "alice", "--supervisor", stdin="a long password\n",
               env=env).returncode == 0
    assert run("agents", "list", env=env).stdout.startswith("alice\tsupervisor\tactive")
    orders = raw_rows(env["IVR_DATABASE_URL"], "SELECT COUNT(*) FROM orders")
    assert orders[0][0] > 0
    purged = run("db", "purge", env={**env, "IVR_RETENTION_DAYS": "30"})
    assert purged.returncode == 0 and "older than 30 days: 0 turn texts" in purged.stdout


@pytest.mark.parametrize("command", [("db", "upgrade"), ("serve",)])
def test_an_unreachable_database_stops_the_command_with_its_name(
    postgres: PostgresServer, command: tuple[str, ...]
) -> None:
    url = postgres.url().replace(f":{postgres.port}/", ":1/")
    result = run(*command, env={"IVR_DATABASE_URL": url})
    assert result.returncode == 2 and "IVR_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr and "test-password" not in result.stderr


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (("add", "carol"), "", "no password on standard input"),
    (("add", "carol"), "short\n", "at least 10 characters"),
    (("add", "bad name!"), "a long password\n", "not a usable name"),
    (("disable", "nobody"), "", "no active account named 'nobody'"),
])
def test_agents_errors_are_clear(db_env: dict[str, str], args: tuple[str, ...], stdin: str,
                                 message: str) -> None:
    result = run("agents", *args, stdin=stdin, env=db_env)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_faq_check_passes_on_the_shipped_faq() -> None:
    result = run("faq", "check")
    assert result.returncode == 0, result.stdout
    assert "0 problem(s); 8 FAQ entries" in result.stderr


def test_faq_check_names_a_question_another_request_means(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("intents:\n  cancel_order:\n    sentences: ['cancel it']\n")
    (tmp_path / "faq.yaml").write_text("faq:\n  cancels:\n    questions: ['cancel it']\n"
                                       "    answer: 'Say cancel.'\n")
    result = run("faq", "check", env={"IVR_GRAMMAR_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "faq.yaml:3: 'cancel it' (faq) matches both 'cancel it' (cancel_order" in result.stdout


def test_faq_without_an_answer_stops_startup_with_file_line_and_fix(tmp_path: Path) -> None:
    (tmp_path / "faq.yaml").write_text("faq:\n  hours:\n    questions: ['when do you open']\n")
    result = run("simulate", stdin="", env={"IVR_GRAMMAR_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "faq.yaml:2: faq hours has no answer; add 'answer: <what the bot says>'" \
        in result.stderr
    assert "Traceback" not in result.stderr
