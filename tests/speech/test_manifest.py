"""The audio fixtures: the manifest covers every intent and context, the WAVs are what
`ivr fixtures build` makes, and PocketSphinx's accuracy over all of them stays above its floor."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ivr.config import PROJECT_ROOT
from ivr.nlu.grammar import Grammar
from ivr.nlu.matcher import Matcher
from ivr.replay import Outcome, evaluate
from ivr.speech.codec import PHONE_RATE, read_wav
from ivr.speech.fixtures import Utterance, load_manifest, render
from ivr.speech.pocketsphinx_stt import PocketSphinxEngine
from ivr.speech.tts import Synthesizer

FOLDER = PROJECT_ROOT / "audio_fixtures"
MANIFEST = load_manifest(FOLDER / "manifest.yaml")

ACCURACY_FLOOR = 0.28
"""Measured 2026-11-25 (31.9 %, false accepts 28.6 %): see BENCHMARKS.md. Far from the targets
(97 %, 5 %): these guard against regressions while the bundled model's weakness on espeak-ng's
synthetic telephone speech is worked on."""
FALSE_ACCEPT_CEILING = 0.30


def test_at_least_150_utterances_over_every_intent_and_context(grammar: Grammar) -> None:
    assert len(MANIFEST) >= 150
    assert {u.intent for u in MANIFEST if u.intent} == set(grammar.intents)
    assert {u.context for u in MANIFEST} == set(grammar.contexts())
    kinds = Counter("silence" if not u.text else "ood" if u.intent is None else "in" for u in
                    MANIFEST)
    assert kinds["ood"] >= 20 and kinds["silence"] >= 3
    assert len({u.voice for u in MANIFEST}) >= 5 and len({u.rate for u in MANIFEST}) >= 4
    assert sum(u.noise_snr_db is not None for u in MANIFEST) >= 40


def test_every_entry_has_its_telephone_band_wav() -> None:
    for utterance in MANIFEST:
        audio = read_wav(utterance.wav(FOLDER))
        assert len(audio) > PHONE_RATE // 2, utterance.id
        assert utterance.wav(FOLDER).read_bytes()[20:22] == (7).to_bytes(2, "little")  # μ-law


@pytest.mark.parametrize("utterance", MANIFEST[::37], ids=lambda u: u.id)
def test_the_committed_wavs_are_what_the_builder_makes(utterance: Utterance,
                                                       synthesizer: Synthesizer) -> None:
    """espeak-ng's output jitters by a few samples from run to run, so lengths are compared."""
    rebuilt = len(render(utterance, synthesizer))
    committed = len(utterance.wav(FOLDER).read_bytes())
    assert abs(rebuilt - committed) <= 0.02 * committed


@pytest.fixture(scope="module")
def outcomes(sphinx: PocketSphinxEngine, matcher: Matcher) -> list[Outcome]:
    return evaluate(FOLDER, sphinx, matcher)


def test_pocketsphinx_accuracy_stays_above_its_floor(outcomes: list[Outcome]) -> None:
    in_domain = [o for o in outcomes if o.utterance.intent is not None]
    accuracy = sum(o.correct for o in in_domain) / len(in_domain)
    assert accuracy >= ACCURACY_FLOOR


def test_out_of_domain_false_accepts_stay_under_the_ceiling(outcomes: list[Outcome]) -> None:
    ood = [o for o in outcomes if o.utterance.intent is None]
    false_accepts = sum(o.intent is not None for o in ood) / len(ood)
    assert false_accepts <= FALSE_ACCEPT_CEILING


def test_silence_is_never_understood(outcomes: list[Outcome]) -> None:
    silent = [o for o in outcomes if not o.utterance.text]
    assert silent and all(o.transcript == "" and o.intent is None for o in silent)


def test_a_manifest_with_a_bad_entry_names_it(tmp_path: Path) -> None:
    from ivr.errors import AudioError  # noqa: PLC0415

    (tmp_path / "manifest.yaml").write_text("utterances:\n  - id: a\n    context: main\n"
                                            "    intent: null\n    colour: red\n")
    with pytest.raises(AudioError, match="utterance 1"):
        load_manifest(tmp_path / "manifest.yaml")
