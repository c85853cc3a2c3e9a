"""The `ivr` command: serve, nlu, simulate, grammar, faq, prompts, fixtures, replay, models, agents,
demo (`ivr --help`)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ivr.agents_command import add_agents_arguments
from ivr.config import PROJECT_ROOT, Settings, SttEngine
from ivr.errors import IvrError

log = logging.getLogger(__name__)
T = TypeVar("T")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 1 a check failed, 2 usage or setup error)."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        status: int = args.run(args)
    except IvrError as exc:
        print(f"ivr: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ivr", description="Self-hosted voice IVR bot.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the server (gunicorn, threaded)")
    serve.add_argument("--host", help="address to listen on (default IVR_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default IVR_PORT or 8080)")
    serve.set_defaults(run=_serve)

    nlu = commands.add_parser("nlu", help="what utterances mean: one JSON object each")
    nlu.add_argument("text", nargs="*", help="utterances; none: read one per line from stdin")
    nlu.add_argument("--context", default="main",
                     help="grammar context: main, order_number, confirm, postcode, "
                          "return_reason, rating, exchange_for, street, product (default main)")
    nlu.add_argument("--json", action="store_true", help="print JSON lines")
    nlu.set_defaults(run=_nlu)

    simulate = commands.add_parser("simulate", help="a call in the terminal")
    simulate.add_argument("--from", dest="caller", default="",
                          help="caller ID, e.g. +15550100001 (default: withheld)")
    simulate.set_defaults(run=_simulate)

    _add_content_commands(commands)

    fixtures = commands.add_parser("fixtures", help="audio fixtures")
    fixtures_commands = fixtures.add_subparsers(required=True, metavar="ACTION")
    build = fixtures_commands.add_parser(
        "build", help="synthesise audio_fixtures/manifest.yaml into telephone-band WAVs")
    build.add_argument("--folder", type=Path, default=PROJECT_ROOT / "audio_fixtures")
    build.set_defaults(run=_fixtures_build)

    replay = commands.add_parser(
        "replay", help="recognise WAV files, or run scripted calls (calls/*.yaml)")
    replay.add_argument("files", nargs="*", type=Path, metavar="FILE")
    replay.add_argument("--context", default="main", help="grammar context for WAV files")
    replay.add_argument("--json", action="store_true", help="JSON lines for WAV files")
    replay.add_argument("--report", action="store_true",
                        help="accuracy report over the fixture manifest")
    replay.add_argument("--fixtures", type=Path, default=PROJECT_ROOT / "audio_fixtures",
                        help="fixture folder for --report (default audio_fixtures)")
    replay.add_argument("--engines", type=_engine_names, metavar="NAME[,NAME…]",
                        help="with --report: the recognisers to report on and compare "
                             f"({', '.join(SttEngine)}; default IVR_STT's)")
    replay.add_argument("--server", metavar="URL",
                        help="play Twilio against a running server (signed with "
                             "TWILIO_AUTH_TOKEN) instead of running calls in-process")
    replay.add_argument("--fast", action="store_true",
                        help="with --server: send the caller's speech faster than real time")
    replay.add_argument("--save", type=Path, metavar="DIR",
                        help="with --server: save each call's bot audio as DIR/<script>.wav")
    replay.set_defaults(run=_replay)

    models = commands.add_parser("models", help="speech models")
    models_commands = models.add_subparsers(required=True, metavar="ACTION")
    download = models_commands.add_parser("download", help="download a Vosk model")
    download.add_argument("language", choices=["en-us"])
    download.set_defaults(run=_models_download)

    agents = commands.add_parser("agents", help="console accounts")
    add_agents_arguments(agents)
    agents.set_defaults(run=_agents)

    db = commands.add_parser("db", help="the database (IVR_DATABASE_URL)")
    db_commands = db.add_subparsers(required=True, metavar="ACTION")
    upgrade = db_commands.add_parser(
        "upgrade", help="apply the schema migrations the database lacks (ivr serve does too)")
    upgrade.set_defaults(run=_db_upgrade)
    purge = db_commands.add_parser(
        "purge", help="delete what callers said from calls older than IVR_RETENTION_DAYS "
                      "(the server does it daily)")
    purge.set_defaults(run=_db_purge)

    demo = commands.add_parser("demo", help="demo shop data")
    demo_commands = demo.add_subparsers(required=True, metavar="ACTION")
    reset = demo_commands.add_parser("reset", help="rewrite the demo orders as of today")
    reset.set_defaults(run=_demo_reset)
    return parser


def _add_content_commands(commands: Any) -> None:
    """The commands that check or render what a shop edits: grammar, FAQ, prompts."""
    grammar = commands.add_parser("grammar", help="grammar tools")
    grammar_commands = grammar.add_subparsers(required=True, metavar="ACTION")
    check = grammar_commands.add_parser("check", help="lint the grammar; exit 1 on problems")
    check.set_defaults(run=_grammar_check)

    faq = commands.add_parser("faq", help="the shop's FAQ (the faq sections of the grammar)")
    faq_commands = faq.add_subparsers(required=True, metavar="ACTION")
    faq_check = faq_commands.add_parser(
        "check", help="check the FAQ: file:line errors, duplicate questions, questions another "
        "request already means; exit 1 on problems")
    faq_check.set_defaults(run=_faq_check)

    prompts = commands.add_parser("prompts", help="prompt audio")
    prompts_commands = prompts.add_subparsers(required=True, metavar="ACTION")
    render = prompts_commands.add_parser(
        "render", help="synthesise every fixed prompt and FAQ answer into the audio cache "
        "(changed ones only)")
    render.set_defaults(run=_prompts_render)


def _engine_names(value: str) -> list[SttEngine]:
    """"whisper,pocketsphinx" → the engines, in that order; argparse reports a bad name."""
    try:
        return [SttEngine(name.strip()) for name in value.split(",") if name.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{exc}; choose from {', '.join(SttEngine)}") from exc


def _serve(args: argparse.Namespace) -> int:
    from ivr.web.workers import prepare_metrics_folder

    settings = Settings.from_env()
    prepare_metrics_folder(settings)  # before the server's modules import prometheus_client
    from ivr.web.serve import serve

    serve(settings, args.host or settings.host, args.port or settings.port)
    return 0


def _nlu(args: argparse.Namespace) -> int:
    from ivr.call.bot import grammar_and_matcher

    _, matcher, _ = grammar_and_matcher(Settings.from_env().grammar_dir)
    if args.context not in matcher.contexts:
        raise IvrError(f"unknown context {args.context!r}; use one of "
                       f"{', '.join(matcher.contexts)}")
    lines = args.text or (line.rstrip("\n") for line in sys.stdin)
    for text in lines:
        result = matcher.match(text, args.context)
        if args.json:
            print(json.dumps(result.as_json()), flush=True)
        else:
            slots = " ".join(f"{k}={v}" for k, v in result.slots.items())
            print(f"{result.intent or '(not understood)'}  {result.confidence:.2f}  {slots}"
                  .rstrip(), flush=True)
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from ivr.simulator import run_simulation

    return run_simulation(Settings.from_env(), args.caller, sys.stdin, sys.stdout)


def _grammar_check(args: argparse.Namespace) -> int:
    return _lint(about=None)


def _faq_check(args: argparse.Namespace) -> int:
    from ivr.nlu.faq import FAQ_INTENT

    return _lint(about=FAQ_INTENT)


def _lint(about: str | None) -> int:
    """Print the grammar's problems (only those of intent `about`, when given) and a summary;
    exit status 1 when there is any."""
    from ivr.nlu.lint import check_grammar
    from ivr.nlu.loader import load_grammar

    folder = Settings.from_env().grammar_dir
    grammar = load_grammar(folder)
    problems = check_grammar(grammar, about=about)
    for problem in problems:
        print(problem)
    checked = (f"{len(grammar.faq_answers)} FAQ entries" if about
               else f"{len(grammar.intents)} intents, {len(grammar.all_sentences)} sentences")
    print(f"{len(problems)} problem(s); {checked} in {folder}", file=sys.stderr)
    return 1 if problems else 0


def _agents(args: argparse.Namespace) -> int:
    from ivr.agents_command import run_agents

    return run_agents(Settings.from_env(), args, sys.stdin, sys.stdout)


def _db_upgrade(args: argparse.Namespace) -> int:
    from ivr.database import database_label, open_database
    from ivr.store.migrate import schema_version, upgrade

    settings = Settings.from_env()
    db = open_database(settings.database_url)
    try:
        applied = upgrade(db)
        version = schema_version(db)
    finally:
        db.close()
    for migration in applied:
        print(f"applied {migration.version:04d}_{migration.name}")
    print(f"{database_label(settings.database_url)} is at schema version {version}")
    return 0


def _db_purge(args: argparse.Namespace) -> int:
    from ivr.store import open_store
    from ivr.store.retention import RetentionStore

    settings = Settings.from_env()
    db = open_store(settings.database_url)
    try:
        purged = RetentionStore(db).purge(settings.retention_days)
    finally:
        db.close()
    print(f"older than {settings.retention_days} days: {purged.turns} turn texts, "
          f"{purged.transfers} context packets, {purged.calls} caller numbers and "
          f"{purged.other} other records deleted")
    return 0


def _demo_reset(args: argparse.Namespace) -> int:
    from ivr.commerce.demo import reset_demo
    from ivr.commerce.embedded import EmbeddedOrderService
    from ivr.database import database_label, open_database

    settings = Settings.from_env()
    db = open_database(settings.database_url)
    try:
        reset_demo(EmbeddedOrderService(db))
    finally:
        db.close()
    print(f"demo shop written to {database_label(settings.database_url)}")
    return 0


def _progress_bar(description: str, unit: str) -> Callable[[Iterable[T]], Iterable[T]]:
    """A tqdm bar on standard error, so standard output stays the command's result."""
    from tqdm import tqdm

    return lambda items: tqdm(items, desc=description, unit=unit, file=sys.stderr)


def _prompts_render(args: argparse.Namespace) -> int:
    from ivr.dialog.prompts import PromptCatalog
    from ivr.nlu.loader import load_grammar
    from ivr.speech.tts import Voice
    from ivr.speech.tts.espeak import EspeakSynthesizer
    from ivr.speech.tts.prompt_audio import PromptAudio

    settings = Settings.from_env()
    texts = PromptCatalog.load(settings.prompts_file).fixed_texts(shop=settings.shop_name)
    answers = load_grammar(settings.grammar_dir).faq_answers
    synthesizer = EspeakSynthesizer(Voice(settings.tts_voice, settings.tts_rate))
    try:
        audio = PromptAudio(synthesizer, settings.cache_dir)
        rendered, cached = audio.render([*texts.values(), *answers.values()],
                                        _progress_bar("prompts", "prompt"))
    finally:
        synthesizer.close()
    print(f"{rendered} prompt(s) rendered, {cached} already cached, in {audio.folder}")
    return 0


def _fixtures_build(args: argparse.Namespace) -> int:
    from ivr.speech.fixtures import build
    from ivr.speech.tts.espeak import EspeakSynthesizer

    synthesizer = EspeakSynthesizer()
    try:
        written = build(args.folder, synthesizer, _progress_bar("fixtures", "utterance"))
    finally:
        synthesizer.close()
    print(f"{written} fixture file(s) written in {args.folder / 'wav'}")
    return 0


def _replay(args: argparse.Namespace) -> int:
    from ivr.replay_command import run_replay

    return run_replay(Settings.from_env(), args, sys.stdout)


def _models_download(args: argparse.Namespace) -> int:
    from ivr.speech.stt.vosk.download import download_vosk_model

    folder = download_vosk_model(Settings.from_env().cache_dir / "models")
    print(f"Vosk model ready: set IVR_VOSK_MODEL={folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
