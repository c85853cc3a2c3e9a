"""Matcher speed and accuracy: p50/p95 time per utterance over the test table with the full
grammar, accuracy per section, out-of-domain false accepts, and the held-out set.

Run: .venv/bin/python benchmarks/nlu.py   (figures go into BENCHMARKS.md)
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import yaml

from ivr.call.components import grammar_and_matcher
from ivr.config import PROJECT_ROOT
from ivr.nlu.matcher import Matcher

ROUNDS = 20


def _correct(matcher: Matcher, row: list[Any]) -> bool:
    text, context = row[0], row[1]
    expected = row[2] if len(row) > 2 else None
    slots = row[3] if len(row) > 3 else {}
    result = matcher.match(text, context)
    return result.intent == expected and all(result.slots.get(k) == v for k, v in slots.items())


def _report(matcher: Matcher, name: str, rows: list[list[Any]]) -> None:
    wrong = [row for row in rows if not _correct(matcher, row)]
    share = 100.0 * (len(rows) - len(wrong)) / len(rows)
    print(f"{name:28} {len(rows) - len(wrong):4}/{len(rows):<4} correct ({share:.1f}%)")
    for row in wrong:
        got = matcher.match(row[0], row[1])
        print(f"    miss: [{row[1]}] {row[0]!r} -> {got.intent} {got.confidence:.2f}")


def main() -> None:
    started = time.perf_counter()
    grammar, matcher, _ = grammar_and_matcher(PROJECT_ROOT / "grammars" / "en")
    for context in grammar.contexts():
        matcher.index(context)
    print(f"grammar: {len(grammar.all_sentences)} expanded sentences, loaded and indexed in "
          f"{time.perf_counter() - started:.1f} s")

    table = yaml.safe_load((PROJECT_ROOT / "tests" / "nlu" / "utterances.yaml").read_text())
    rows = table["in_grammar"] + table["unseen"] + table["ood"]
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

    _report(matcher, "test table: in grammar", table["in_grammar"])
    _report(matcher, "test table: unseen", table["unseen"])
    _report(matcher, "test table: out of domain", table["ood"])
    heldout = yaml.safe_load((Path(__file__).parent / "heldout.yaml").read_text())
    _report(matcher, "held-out: understood", heldout["understood"])
    _report(matcher, "held-out: out of domain", heldout["out_of_domain"])


if __name__ == "__main__":
    main()
