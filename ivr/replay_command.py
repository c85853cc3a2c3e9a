"""`ivr replay`: wires settings, the speech engine and the dialog to the replay harness."""

from __future__ import annotations

import argparse
import tempfile
import uuid
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from ivr.call.components import VoiceParts, build_components, build_voice
from ivr.call.session import CallSession
from ivr.call.voice import VoiceCall
from ivr.call_script import ScriptRunner, load_script
from ivr.config import Settings
from ivr.errors import IvrError
from ivr.replay import evaluate, print_report, replay_wavs
from ivr.speech.prompt_audio import PromptAudio
from ivr.speech.tts import Synthesizer, Voice


def run_replay(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    """Exit status 0 when everything passed, 1 when a call failed or a file was unreadable."""
    if not args.files and not args.report:
        raise IvrError("give WAV files, calls/*.yaml scripts, or --report")
    components = build_components(settings)
    voice = build_voice(settings, components)
    try:
        status = 0
        if args.report:
            print_report(evaluate(args.fixtures, voice.engine, components.matcher), out)
        wavs = [f for f in args.files if f.suffix.lower() != ".yaml"]
        if wavs:
            if args.context not in components.matcher.contexts:
                raise IvrError(f"unknown context {args.context!r}")
            status |= replay_wavs(wavs, args.context, voice.engine, components.matcher, out)
        for script in (f for f in args.files if f.suffix.lower() == ".yaml"):
            status |= run_script(script, settings, voice, out)
        return status
    finally:
        voice.prompt_audio.synthesizer.close()


def run_script(path: Path, settings: Settings, voice: VoiceParts, out: TextIO) -> int:
    """One scripted call against a fresh copy of the demo shop; 0 if every expectation held."""
    script = load_script(path)
    print(f"== {path.name}: {script.name}", file=out)
    callers = _CallerVoices(settings.cache_dir / "caller")
    with tempfile.TemporaryDirectory(prefix="ivr-replay-") as folder:
        components = build_components(replace(settings, database_path=Path(folder) / "shop.db"))
        session = CallSession(components.policy, f"CA{uuid.uuid4().hex}", script.caller)
        call = VoiceCall(session, voice.engine, voice.prompt_audio, voice.endpoint)
        try:
            problems = ScriptRunner(call, callers.ulaw, out).run(script)
        finally:
            callers.close()
            components.orders.close()
    verdict = "PASS" if not problems else f"FAIL ({len(problems)} problem(s))"
    print(f"== {path.name}: {verdict}", file=out)
    for problem in problems:
        print(f"   {problem}", file=out)
    return 1 if problems else 0


class _CallerVoices:
    """Caller speech for `say:` steps, synthesised once per voice and cached like prompts."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self.synthesizer = Synthesizer(workers=1)
        self._audio: dict[Voice, PromptAudio] = {}

    def ulaw(self, text: str, voice: Voice) -> bytes:
        if voice not in self._audio:
            self._audio[voice] = PromptAudio(self.synthesizer, self.cache, voice)
        return self._audio[voice].ulaw(text)

    def close(self) -> None:
        self.synthesizer.close()
