"""Scripted calls (audio_fixtures/calls/*.yaml), replayed in-process through VoiceCall.

A script is a caller number and a list of steps. Each step is one thing the caller does — `say`
(text synthesised in the step's voice), `wav` (a recording), `keys`, `silence` (seconds of line
noise), `hangup` — or nothing, to check the bot's opening. Unless a step says `barge_in: true`,
the caller waits for the bot's prompt to finish playing first, as people do. `expect` lists what
must happen in response: the `intent` and `slots` heard, a `prompt` id (or list of ids) said, a
`transfer` reason, `return_created` (a reason), `cancelled` (an order number), `survey` (a score),
`barge_in`. The call's final `outcome` is checked at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

import numpy as np
import yaml

from ivr.call.voice import CallerTurn, Output, Play, StopPlaying
from ivr.errors import AudioError
from ivr.events import (
    Ask,
    EndCall,
    OrderCancelled,
    ReturnCreated,
    SurveyAnswered,
    TicketOpened,
    Transfer,
)
from ivr.speech.codec import PHONE_FRAME_BYTES, frames, pcm_to_ulaw, read_wav
from ivr.speech.stt import Transcript
from ivr.speech.tts import Voice

STEP_KEYS = {"say", "wav", "keys", "silence", "hangup", "expect", "voice", "rate", "barge_in"}
EXPECT_KEYS = {"intent", "slots", "prompt", "transfer", "return_created", "cancelled", "ticket",
               "survey", "barge_in"}
ANSWER_TIMEOUT_MS = 20_000
"""How long the harness waits for the bot's answer after the caller's turn."""


@dataclass
class CallScript:
    """A parsed calls/*.yaml file."""

    name: str
    caller: str
    steps: list[dict[str, Any]]
    outcome: str | None
    voice: Voice
    folder: Path


def load_script(path: Path) -> CallScript:
    """Parse and check a script; raise AudioError naming what is wrong in it."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AudioError(f"{path}: cannot read the call script ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise AudioError(f"{path}: a call script needs a list of steps")
    for number, step in enumerate(data["steps"], 1):
        unknown = set(step) - STEP_KEYS if isinstance(step, dict) else {"(not a mapping)"}
        unknown |= set(step.get("expect", {})) - EXPECT_KEYS if not unknown else set()
        if unknown:
            raise AudioError(f"{path}: step {number}: unknown keys {sorted(unknown)}")
    voice = Voice(str(data.get("voice", "en-us")), int(data.get("rate", 150)))
    return CallScript(str(data.get("name", path.stem)), str(data.get("from", "")),
                      data["steps"], data.get("outcome"), voice, path.parent)


class Line(Protocol):
    """A call the script plays the caller on: in-process (VoiceCall) or against a running
    server (ivr.telephony.player.RemoteCall)."""

    turns: list[CallerTurn]

    @property
    def now_ms(self) -> int: ...
    @property
    def closed(self) -> bool: ...
    @property
    def prompt_playing(self) -> bool: ...
    @property
    def outcome(self) -> str | None: ...
    def start(self) -> list[Output]: ...
    def audio(self, ulaw: bytes) -> list[Output]: ...
    def keys(self, digits: str) -> list[Output]: ...
    def hangup(self) -> list[Output]: ...
    def close(self) -> None: ...


@dataclass
class StepLog:
    """What happened during one step."""

    outputs: list[Output] = field(default_factory=list)
    turns: list[CallerTurn] = field(default_factory=list)


class ScriptRunner:
    """Plays one script against a VoiceCall, printing the transcript as it goes."""

    def __init__(self, call: Line, caller_audio: Callable[[str, Voice], bytes],
                 out: TextIO) -> None:
        self.call = call
        self.caller_audio = caller_audio
        self.out = out
        self._noise = np.random.default_rng(1)
        self._shown_turns = 0

    def run(self, script: CallScript) -> list[str]:
        """Every failed expectation, as readable lines; [] when the call went as scripted."""
        problems: list[str] = []
        opening = StepLog(self.call.start())
        self._show(opening.outputs)
        for number, step in enumerate(script.steps, 1):
            log = opening if number == 1 and not set(step) - {"expect"} else self._perform(
                step, script)
            for problem in check_step(step.get("expect", {}), log):
                problems.append(f"step {number}: {problem}")
                print(f"  !! step {number}: {problem}", file=self.out)
        outcome = self.call.outcome
        if script.outcome is not None and outcome != script.outcome:
            problems.append(f"outcome: expected {script.outcome}, got {outcome}")
        self.call.close()
        return problems

    def _perform(self, step: dict[str, Any], script: CallScript) -> StepLog:
        log = StepLog()
        turns_before = len(self.call.turns)
        voice = Voice(str(step.get("voice", script.voice.name)),
                      int(step.get("rate", script.voice.rate)))
        if not step.get("barge_in"):
            self._wait_for_prompt(log)
        if "say" in step or "wav" in step:
            audio = (self.caller_audio(str(step["say"]), voice) if "say" in step
                     else pcm_to_ulaw(read_wav(script.folder / str(step["wav"]))))
            self._print(f"caller: {step.get('say') or step['wav']}")
            self._feed(audio, log)
            self._wait_for_answer(log)
        elif "keys" in step:
            self._print(f"caller keys: {step['keys']}")
            self._collect(self.call.keys(str(step["keys"])), log)
        elif "silence" in step:
            self._print(f"caller: (silent {step['silence']} s)")
            self._feed(self._line_noise(int(float(step["silence"]) * 1000)), log)
        elif step.get("hangup"):
            self._print("caller hangs up")
            self._collect(self.call.hangup(), log)
        log.turns = self.call.turns[turns_before:]
        return log

    def _wait_for_prompt(self, log: StepLog) -> None:
        while self.call.prompt_playing and not self.call.closed:
            self._feed(self._line_noise(20), log)
        self._feed(self._line_noise(300), log)

    def _wait_for_answer(self, log: StepLog) -> None:
        waited = 0
        while waited < ANSWER_TIMEOUT_MS and not self.call.closed and not any(
                isinstance(o, Ask | Transfer | EndCall) for o in log.outputs):
            self._feed(self._line_noise(20), log)
            waited += 20

    def _feed(self, ulaw: bytes, log: StepLog) -> None:
        for frame in frames(ulaw, PHONE_FRAME_BYTES):
            self._collect(self.call.audio(frame), log)

    def _collect(self, outputs: list[Output], log: StepLog) -> None:
        log.outputs += outputs
        self._show(outputs)

    def _show(self, outputs: list[Output]) -> None:
        for turn in self.call.turns[self._shown_turns:]:
            heard = turn.transcript.text or _unheard(turn.transcript)
            self._print(f"  heard: {heard!r} → {turn.intent} "
                        f"{turn.slots or ''} ({turn.latency_ms:.0f} ms)".rstrip())
        self._shown_turns = len(self.call.turns)
        for output in outputs:
            match output:
                case Play(prompt_id=prompt_id, text=text):
                    self._print(f"bot [{prompt_id}]: {text}")
                case StopPlaying():
                    self._print("  [barge-in: prompt stopped]")
                case Transfer(queue=queue, reason=reason):
                    self._print(f"  [transfer → {queue}: {reason}]")
                case EndCall(outcome=outcome):
                    self._print(f"  [hangup: {outcome}]")
                case ReturnCreated(rma=rma, reason=reason):
                    self._print(f"  [return {rma}: {reason}]")
                case OrderCancelled(order_number=order):
                    self._print(f"  [order {order} cancelled]")
                case TicketOpened(kind=kind, reference=reference):
                    self._print(f"  [{kind} ticket {reference}]")
                case SurveyAnswered(score=score):
                    self._print(f"  [survey: {score}]")

    def _print(self, line: str) -> None:
        print(f"{self.call.now_ms / 1000:7.2f}s {line}", file=self.out, flush=True)

    def _line_noise(self, ms: int) -> bytes:
        return pcm_to_ulaw(self._noise.normal(0, 12, ms * 8).astype(np.int16))


def check_step(expect: dict[str, Any], log: StepLog) -> list[str]:
    """What the step expected and did not get."""
    problems = []
    prompts = [o.prompt_id for o in log.outputs if isinstance(o, Play)]
    turn = log.turns[-1] if log.turns else None
    if "intent" in expect and (turn is None or turn.intent != expect["intent"]):
        heard = f"{turn.transcript.text!r} → {turn.intent}" if turn else "no caller turn"
        problems.append(f"expected intent {expect['intent']}, got {heard}")
    for name, value in expect.get("slots", {}).items():
        if turn is None or turn.slots.get(name) != str(value):
            problems.append(f"expected slot {name}={value}, got {turn.slots if turn else {}}")
    wanted = expect.get("prompt", [])
    for prompt_id in [wanted] if isinstance(wanted, str) else wanted:
        if prompt_id not in prompts:
            problems.append(f"expected prompt {prompt_id}, bot said {prompts}")
    problems += _check_actions(expect, log.outputs)
    return problems


def _check_actions(expect: dict[str, Any], outputs: list[Output]) -> list[str]:
    problems = []
    transfers = [o.reason for o in outputs if isinstance(o, Transfer)]
    if "transfer" in expect and expect["transfer"] not in transfers:
        problems.append(f"expected transfer ({expect['transfer']}), got {transfers}")
    returns = [o.reason for o in outputs if isinstance(o, ReturnCreated)]
    if "return_created" in expect and expect["return_created"] not in returns:
        problems.append(f"expected return ({expect['return_created']}), got {returns}")
    cancelled = [o.order_number for o in outputs if isinstance(o, OrderCancelled)]
    if "cancelled" in expect and str(expect["cancelled"]) not in cancelled:
        problems.append(f"expected order {expect['cancelled']} cancelled, got {cancelled}")
    tickets = [o.kind for o in outputs if isinstance(o, TicketOpened)]
    if "ticket" in expect and expect["ticket"] not in tickets:
        problems.append(f"expected a {expect['ticket']} ticket, got {tickets}")
    scores = [o.score for o in outputs if isinstance(o, SurveyAnswered)]
    if "survey" in expect and expect["survey"] not in scores:
        problems.append(f"expected survey score {expect['survey']}, got {scores}")
    barged = any(isinstance(o, StopPlaying) for o in outputs)
    if "barge_in" in expect and barged != bool(expect["barge_in"]):
        problems.append(f"expected barge-in {expect['barge_in']}, got {barged}")
    return problems


def _unheard(transcript: Transcript) -> str:
    """What to show for a turn without words."""
    if transcript.language:
        return f"(another language: {transcript.language})"
    return "(not in grammar)" if transcript.rejected else "(nothing)"
