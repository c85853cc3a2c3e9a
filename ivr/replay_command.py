"""`ivr replay`: wires settings, the speech engine and the dialog to the replay harness."""

from __future__ import annotations

import argparse
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from ivr.call.bot import Bot, CallAudio, build_bot, build_call_audio
from ivr.call.session import CallSession
from ivr.call.voice import VoiceCall
from ivr.call_script import ScriptRunner, load_script
from ivr.config import Settings, SttEngine
from ivr.errors import IvrError
from ivr.replay import evaluate, print_comparison, print_report, replay_wavs
from ivr.speech.codec import ulaw_wav_bytes
from ivr.speech.engines import engine_label, speech_engine
from ivr.speech.prompt_check import PromptListener
from ivr.speech.tts import Voice
from ivr.speech.tts.espeak import EspeakSynthesizer
from ivr.speech.tts.prompt_audio import PromptAudio
from ivr.telephony.player import RemoteCall, Webhooks


def run_replay(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    """Exit status 0 when everything passed, 1 when a call failed or a file was unreadable."""
    if not args.files and not args.report:
        raise IvrError("give WAV files, calls/*.yaml scripts, or --report")
    if args.server:
        return run_remote(settings, args, out)
    bot = build_bot(settings)
    audio = build_call_audio(settings, bot)
    try:
        status = 0
        if args.report:
            report_engines(settings, args.engines or [settings.stt], bot, args.fixtures, out)
        wavs = [f for f in args.files if f.suffix.lower() != ".yaml"]
        if wavs:
            if args.context not in bot.matcher.contexts:
                raise IvrError(f"unknown context {args.context!r}")
            status |= replay_wavs(wavs, args.context, audio.engine, bot.matcher, out)
        for script in (f for f in args.files if f.suffix.lower() == ".yaml"):
            status |= run_script(script, settings, audio, out)
        return status
    finally:
        audio.prompt_audio.synthesizer.close()


def report_engines(settings: Settings, engines: Sequence[SttEngine], bot: Bot,
                   fixtures: Path, out: TextIO) -> None:
    """Each engine's report over the same manifest, then the engines side by side."""
    results = {}
    for kind in engines:
        engine_settings = replace(settings, stt=kind)
        engine = speech_engine(engine_settings, bot.grammar, bot.matcher)
        print(f"== engine: {engine_label(engine_settings)}", file=out)
        results[kind.value] = evaluate(fixtures, engine, bot.matcher)
        print_report(results[kind.value], out)
    if len(results) > 1:
        print_comparison(results, out)


def run_script(path: Path, settings: Settings, audio: CallAudio, out: TextIO) -> int:
    """One scripted call against a fresh copy of the demo shop; 0 if every expectation held."""
    script = load_script(path)
    print(f"== {path.name}: {script.name}", file=out)
    callers = _CallerVoices(settings.cache_dir / "caller")
    with tempfile.TemporaryDirectory(prefix="ivr-replay-") as folder:
        bot = build_bot(replace(settings, database_url=f"sqlite:///{folder}/shop.db"))
        session = CallSession(bot.policy, f"CA{uuid.uuid4().hex}", script.caller)
        call = VoiceCall(session, audio.engine, audio.prompt_audio, audio.endpoint)
        try:
            problems = ScriptRunner(call, callers.ulaw, out).run(script)
        finally:
            callers.close()
            bot.orders.close()
    return _verdict(path, problems, out)


def run_remote(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    """Scripted calls played as Twilio against the server at args.server."""
    scripts = [f for f in args.files if f.suffix.lower() == ".yaml"]
    if len(scripts) != len(args.files) or args.report:
        raise IvrError("--server plays calls/*.yaml scripts only (no WAV files or --report)")
    if not settings.twilio_auth_token:
        raise IvrError("--server signs its requests like Twilio: set TWILIO_AUTH_TOKEN to the "
                       "server's token")
    webhooks = Webhooks(args.server, settings.twilio_auth_token)
    callers = _CallerVoices(settings.cache_dir / "caller")
    listener = PromptListener()
    try:
        status = 0
        for path in scripts:
            status |= _run_remote_script(path, webhooks, callers, args, out,
                                         listener=listener)
        return status
    finally:
        callers.close()
        listener.close()


def _run_remote_script(path: Path, webhooks: Webhooks, callers: _CallerVoices,
                       args: argparse.Namespace, out: TextIO, *, listener: PromptListener) -> int:
    script = load_script(path)
    print(f"== {path.name}: {script.name} (against {webhooks.base_url})", file=out)
    call = RemoteCall(webhooks, script.caller, fast=args.fast)
    problems = ScriptRunner(call, callers.ulaw, out).run(script)
    problems += _heard_back(listener, call, out)
    if call.after_stream:
        print(f"   after the stream: {call.after_stream}", file=out)
    if call.latencies_ms:
        print(f"   turn latency (last speech frame → first bot audio): "
              f"max {max(call.latencies_ms):.0f} ms over {len(call.latencies_ms)} turns", file=out)
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        (args.save / f"{path.stem}.wav").write_bytes(ulaw_wav_bytes(bytes(call.bot_audio)))
    return _verdict(path, problems, out)


def _heard_back(listener: PromptListener, call: RemoteCall, out: TextIO) -> list[str]:
    """Recognise each prompt's audio back: the caller must have heard what was announced."""
    heard = listener.check(call.prompts, call.prompt_audio)
    played = [h for h in heard if not h.cut]
    confirmed = sum(h.confirmed for h in played)
    print(f"   prompts recognised back from the audio: {confirmed}/{len(played)}", file=out)
    for unclear in (h for h in played if h.heard_as is None and not h.problem):
        print(f"   (prompt {unclear.prompt_id}: audio present, words not made out)", file=out)
    return [h.problem for h in heard if h.problem]


def _verdict(path: Path, problems: list[str], out: TextIO) -> int:
    verdict = "PASS" if not problems else f"FAIL ({len(problems)} problem(s))"
    print(f"== {path.name}: {verdict}", file=out)
    for problem in problems:
        print(f"   {problem}", file=out)
    return 1 if problems else 0


class _CallerVoices:
    """Caller speech for `say:` steps, synthesised once per voice and cached like prompts."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self.synthesizer = EspeakSynthesizer(workers=1)
        self._audio: dict[Voice, PromptAudio] = {}

    def ulaw(self, text: str, voice: Voice) -> bytes:
        if voice not in self._audio:
            self._audio[voice] = PromptAudio(self.synthesizer, self.cache, voice)
        return self._audio[voice].ulaw(text)

    def close(self) -> None:
        self.synthesizer.close()
