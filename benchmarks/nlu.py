"""Matcher speed and accuracy: p50/p95 time per utterance over the test table with the full
grammar, accuracy per section, and each held-out round (benchmarks/nlu_heldout*.yaml) with its
out-of-domain false accepts and how many of them would change or end something. Each round is
reported on its own: a newer round has been seen by fewer grammar changes than an older one.

Run: .venv/bin/python benchmarks/nlu.py   (figures go into BENCHMARKS.md)
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import yaml
from memory import resident_mb

from ivr.call.bot import grammar_and_matcher
from ivr.config import PROJECT_ROOT
from ivr.nlu.consequential import CHANGES_OR_ENDS
from ivr.nlu.matcher import Match, Matcher

ROUNDS = 20
SECTIONS = ("phrasings", "transcripts", "out_of_domain")
HELD_OUT_ROUNDS = sorted(Path(__file__).parent.glob("nlu_heldout*.yaml"),
                         key=lambda path: int(path.stem.removeprefix("nlu_heldout_")
                                              .removeprefix("nlu_heldout") or 1))
"""Round 1 is nlu_heldout.yaml, round N nlu_heldout_N.yaml, in the order of N (10 after 9)."""


def _expected(row: list[Any]) -> tuple[str | None, dict[str, str]]:
    return (row[2] if len(row) > 2 else None), (row[3] if len(row) > 3 else {})


def _correct(found: Match, row: list[Any]) -> bool:
    intent, slots = _expected(row)
    return found.intent == intent and all(found.slots.get(k) == v for k, v in slots.items())


def _report(matcher: Matcher, name: str, rows: list[list[Any]]) -> None:
    found = [matcher.match(row[0], row[1]) for row in rows]
    wrong = [(row, got) for row, got in zip(rows, found, strict=True) if not _correct(got, row)]
    share = 100.0 * (len(rows) - len(wrong)) / len(rows)
    print(f"{name:32} {len(rows) - len(wrong):4}/{len(rows):<4} correct ({share:.1f}%)")
    for row, got in wrong:
        expected, _ = _expected(row)
        slots = f" {got.slots}" if got.slots else ""
        print(f"    miss: [{row[1]}] {row[0]!r} -> {got.intent}{slots} {got.confidence:.2f}"
              f" (expected {expected})")
    if all(len(row) == 2 for row in rows):
        harmful = sum(got.intent in CHANGES_OR_ENDS for got in found)
        print(f"{'':32} {harmful:4}/{len(rows):<4} accepted as an intent that changes or "
              f"ends something")


def _timings(matcher: Matcher, rows: list[list[Any]]) -> None:
    timings = []
    for _ in range(ROUNDS):
        for row in rows:
            begin = time.perf_counter_ns()
            matcher.match(row[0], row[1])
            timings.append((time.perf_counter_ns() - begin) / 1e6)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95)]
    print(f"match time over {len(timings)} matches: p50 {statistics.median(timings):.3f} ms, "
          f"p95 {p95:.3f} ms, max {timings[-1]:.3f} ms")


def main() -> None:
    started = time.perf_counter()
    grammar, matcher, _ = grammar_and_matcher(PROJECT_ROOT / "grammars" / "en")
    matcher.prepare()
    print(f"grammar: {len(grammar.all_sentences)} expanded sentences, loaded and indexed in "
          f"{time.perf_counter() - started:.1f} s; process RSS {resident_mb():.0f} MB")

    table = yaml.safe_load((PROJECT_ROOT / "tests" / "nlu" / "utterances.yaml").read_text())
    rounds = [yaml.safe_load(path.read_text()) for path in HELD_OUT_ROUNDS]
    _timings(matcher, table["in_grammar"] + table["unseen"] + table["ood"]
             + [row for heldout in rounds for section in SECTIONS for row in heldout[section]])

    _report(matcher, "test table: in grammar", table["in_grammar"])
    _report(matcher, "test table: unseen", table["unseen"])
    _report(matcher, "test table: out of domain", table["ood"])
    for number, heldout in enumerate(rounds, start=1):
        for section in SECTIONS:
            _report(matcher, f"held-out {number}: {section.replace('_', ' ')}", heldout[section])


if __name__ == "__main__":
    main()
