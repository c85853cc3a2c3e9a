"""The tester's harness (`ivr replay`): recorded utterances and scripted calls, run through the
same code a phone call takes.

- WAV files: each is endpointed and recognised in a context, one JSON line per file.
- `--report`: every manifest utterance, with accuracy per intent, a confusion table,
  out-of-domain false accepts, callers speaking other languages and the slowest utterances;
  with several engines, each one's report and a table of them side by side.
- A calls/*.yaml script: a whole call in-process — the caller's audio in 20 ms μ-law frames
  through VoiceCall (endpointer → recogniser → dialog → synthesis), keys as DTMF, silences as
  line noise — printed as a transcript with timings and checked against its expectations.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from ivr.errors import AudioError
from ivr.nlu.matcher import Match, Matcher
from ivr.speech.codec import read_wav
from ivr.speech.consensus import meaning_of, with_agreement
from ivr.speech.fixtures import Utterance, load_manifest
from ivr.speech.listener import recognise_recording
from ivr.speech.stt import SpeechEngine, Transcript


def replay_wavs(files: Sequence[Path], context: str, engine: SpeechEngine, matcher: Matcher,
                out: TextIO) -> int:
    """One JSON line per WAV; an unreadable file gets an `error` field. Returns 1 if any failed."""
    status = 0
    for path in files:
        line: dict[str, object] = {"file": str(path)}
        try:
            transcript, match = _hear(engine, matcher, read_wav(path), context)
        except AudioError as exc:
            line |= {"error": str(exc), "transcript": None, "intent": None, "confidence": 0.0,
                     "slots": {}, "language": None}
            status = 1
        else:
            line |= {"transcript": transcript.text, "intent": match.intent,
                     "confidence": round(min(match.confidence, transcript.confidence or 1.0), 3),
                     "slots": match.slots, "language": transcript.language}
        print(json.dumps(line), file=out, flush=True)
    return status


@dataclass(frozen=True)
class Outcome:
    """One manifest utterance's result."""

    utterance: Utterance
    transcript: str
    intent: str | None
    correct: bool
    seconds: float
    alternatives: tuple[str, ...] = ()
    """The recogniser's other readings of it (its n-best list), for rules that choose among them."""
    language: str | None = None
    """The other language the recogniser said it was, if it did."""

    @property
    def other_language(self) -> bool:
        """Spoken in another language than English (the manifest says so)."""
        return self.utterance.language != "en"


@dataclass(frozen=True)
class Score:
    """Intents right among in-domain utterances; anything understood among the English
    others; and how callers speaking another language were heard."""

    right: int
    in_domain: int
    false_accepts: int
    out_of_domain: int
    other_language: int = 0
    """Utterances in another language."""
    told_english_only: int = 0
    """Of those, how many the recogniser said were another language."""
    other_language_accepts: int = 0
    """Of those, how many were understood as a request anyway."""

    def __str__(self) -> str:
        text = (f"intents right {self.right}/{self.in_domain} = "
                f"{_percent(self.right, self.in_domain)}, out-of-domain false accepts "
                f"{self.false_accepts}/{self.out_of_domain} = "
                f"{_percent(self.false_accepts, self.out_of_domain)}")
        if self.other_language:
            text += (f", other languages: {self.told_english_only}/{self.other_language} "
                     f"heard as such, {self.other_language_accepts} understood as a request")
        return text


def score(outcomes: Sequence[Outcome]) -> Score:
    in_domain = [o for o in outcomes if o.utterance.intent is not None]
    ood = [o for o in outcomes if o.utterance.intent is None and not o.other_language]
    foreign = [o for o in outcomes if o.other_language]
    return Score(sum(o.correct for o in in_domain), len(in_domain),
                 sum(o.intent is not None for o in ood), len(ood), len(foreign),
                 sum(o.language is not None for o in foreign),
                 sum(o.intent is not None for o in foreign))


def by_source(outcomes: Sequence[Outcome]) -> dict[str, Score]:
    """The score of each source of audio (espeak-ng, flite, recorded people): they are heard
    very differently."""
    sources = sorted({o.utterance.source for o in outcomes})
    return {source: score([o for o in outcomes if o.utterance.source == source])
            for source in sources}


def means_what_was_said(match: Match, utterance: Utterance) -> bool:
    """The manifest's intent, with every slot value it names."""
    return match.intent == utterance.intent and all(
        match.slots.get(k) == v for k, v in utterance.slots.items())


def evaluate(folder: Path, engine: SpeechEngine, matcher: Matcher,
             utterances: Sequence[Utterance] | None = None) -> list[Outcome]:
    """Every manifest utterance (or the given ones of it) through the recogniser and the
    matcher."""
    outcomes = []
    for utterance in load_manifest(folder / "manifest.yaml") if utterances is None else utterances:
        pcm = read_wav(utterance.wav(folder))
        started = time.perf_counter()
        transcript, match = _hear(engine, matcher, pcm, utterance.context)
        seconds = time.perf_counter() - started
        outcomes.append(Outcome(utterance, transcript.text, match.intent,
                                means_what_was_said(match, utterance), seconds,
                                transcript.alternatives, transcript.language))
    return outcomes


def print_report(outcomes: Sequence[Outcome], out: TextIO) -> None:
    """Accuracy per intent, confusions, out-of-domain false accepts and the slowest utterances."""
    in_domain = [o for o in outcomes if o.utterance.intent is not None]
    by_intent: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in in_domain:
        by_intent[str(outcome.utterance.intent)].append(outcome)
    overall = score(outcomes)
    print(f"intent accuracy: {overall.right}/{overall.in_domain} = "
          f"{_percent(overall.right, overall.in_domain)}", file=out)
    for source, source_score in by_source(outcomes).items():
        print(f"  {source} voices: {source_score}", file=out)
    for intent in sorted(by_intent):
        group = by_intent[intent]
        right = sum(o.correct for o in group)
        print(f"  {intent:16} {right:3}/{len(group):<3} {_percent(right, len(group))}", file=out)
    confusions = Counter((str(o.utterance.intent), str(o.intent)) for o in in_domain
                         if not o.correct)
    print("confusions (expected → got: count):", file=out)
    for (expected, got), count in confusions.most_common():
        print(f"  {expected} → {got}: {count}", file=out)
    print(f"out-of-domain false accepts: {overall.false_accepts}/{overall.out_of_domain} = "
          f"{_percent(overall.false_accepts, overall.out_of_domain)}", file=out)
    for outcome in (o for o in outcomes if o.utterance.intent is None and o.intent is not None
                    and not o.other_language):
        print(f"  {outcome.utterance.id}: heard {outcome.transcript!r} → {outcome.intent}",
              file=out)
    if overall.other_language:
        print(f"other languages: {overall.told_english_only}/{overall.other_language} heard as "
              f"another language, {overall.other_language_accepts} understood as a request",
              file=out)
        for outcome in (o for o in outcomes if o.other_language and o.intent is not None):
            print(f"  {outcome.utterance.id}: heard {outcome.transcript!r} → {outcome.intent}",
                  file=out)
    mistaken = [o for o in outcomes if o.language is not None and not o.other_language]
    if mistaken:
        print(f"English taken for another language: {len(mistaken)}", file=out)
        for outcome in mistaken:
            print(f"  {outcome.utterance.id}: heard as {outcome.language}", file=out)
    print("slowest utterances:", file=out)
    for outcome in sorted(outcomes, key=lambda o: -o.seconds)[:5]:
        print(f"  {outcome.seconds * 1000:7.0f} ms  {outcome.utterance.id}", file=out)


def print_comparison(results: Mapping[str, Sequence[Outcome]], out: TextIO) -> None:
    """The engines side by side, per source of audio."""
    print("engines side by side:", file=out)
    print(f"  {'engine':14} {'voices':10} {'intents right':>13}  {'false accepts':>13}  "
          f"{'other languages named':>21}  {'acted on':>8}", file=out)
    for name, outcomes in results.items():
        for source, measured in by_source(outcomes).items():
            print(f"  {name:14} {source:10} {measured.right:>6}/{measured.in_domain:<6}  "
                  f"{measured.false_accepts:>6}/{measured.out_of_domain:<6}  "
                  f"{measured.told_english_only:>10}/{measured.other_language:<10}  "
                  f"{measured.other_language_accepts:>8}", file=out)


def _hear(engine: SpeechEngine, matcher: Matcher, pcm: np.ndarray,
          context: str) -> tuple[Transcript, Match]:
    """One recording through the recogniser, judged by its alternatives, and what it means."""
    heard = recognise_recording(engine, pcm, [context], matcher=matcher)
    transcript = with_agreement(heard, matcher, [context])
    return transcript, meaning_of(transcript, matcher, [context])


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"
