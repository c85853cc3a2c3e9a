"""The grammar search: Whisper asked which of a context's sentences a turn holds when none of its
free readings is understood, on real audio; and what its sentence may and may not stand for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ivr.nlu.grammar import Grammar, Location, Sentence
from ivr.nlu.matcher import Matcher
from ivr.speech.codec import read_wav
from ivr.speech.consensus import meaning_of
from ivr.speech.listener import recognise_recording
from ivr.speech.stt.whisper import batcher as whisper_batcher
from ivr.speech.stt.whisper.batcher import Decoded, GrammarSearch, Hypothesis
from ivr.speech.stt.whisper.engine import WhisperEngine
from ivr.speech.stt.whisper.grammar_search import (
    PAD,
    GrammarReading,
    intents_heard,
    sentence_table,
    spoken_forms,
)
from ivr.speech.stt.whisper.readings import transcript_of

pytestmark = pytest.mark.speech

WAV = Path(__file__).parents[2] / "audio_fixtures" / "wav"
MISHEARD = "000-where-s-my-parcel"
"""An espeak-ng voice Whisper writes as "Where is my power soul." when decoding freely."""


@pytest.mark.parametrize(("words", "forms"), [
    ("where is my parcel", ("Where is my parcel", "Where's my parcel")),
    ("i would like to return it", ("I would like to return it", "I'd like to return it")),
    ("it does not fit", ("It does not fit", "It doesn't fit")),
    ("track my package", ("Track my package",)),
])
def test_sentences_are_searched_as_whisper_writes_them(words: str,
                                                       forms: tuple[str, ...]) -> None:
    assert spoken_forms(words.split()) == forms


def test_each_intents_table_holds_its_sentences_in_dictionary_order(
        grammar: Grammar, whisper: WhisperEngine) -> None:
    tables = whisper.grammar_search(["confirm"]).tables
    assert [{s.intent for s in table.sentences} for table in tables] == [
        {name} for name in intents_heard(grammar, ["confirm"])]
    decode = whisper.model.tokenizer.decode
    for table in tables:
        rows = [tuple(row) for row in table.tokens.tolist()]
        assert rows == sorted(set(rows))  # a sentence's end (PAD) after the sentences it begins
        for row, index in zip(rows[:20], table.sentence[:20], strict=True):
            written = decode([t for t in row if t != PAD]).strip()
            assert written in spoken_forms(table.sentences[index].words)
    numbers = sentence_table(grammar.sentences("order_number"), whisper.model.tokenizer)
    assert not any("{" in word for s in numbers.sentences for word in s.words)


def test_context_sets_share_the_tables_of_the_intents_they_hear(whisper: WhisperEngine) -> None:
    """`main`'s sentences are most of the grammar: every context set that also listens in
    `main` searches the same tables, not a copy of them."""
    main = whisper.grammar_search(["main"]).tables
    for contexts in (["rating", "main"], ["return_reason", "main"], ["main", "confirm"]):
        tables = whisper.grammar_search(contexts).tables
        assert all(any(table is shared for table in tables) for shared in main)


def test_a_misheard_request_is_found_among_the_grammar_sentences(
        whisper: WhisperEngine, matcher: Matcher) -> None:
    pcm = read_wav(WAV / f"{MISHEARD}.wav")
    free = whisper.decode(pcm, whisper.prompt(["main"])).result(timeout=30)
    assert meaning_of(transcript_of(free, matcher, ["main"]), matcher, ["main"]).intent is None
    transcript = recognise_recording(whisper, pcm, ["main"], matcher=matcher)
    assert meaning_of(transcript, matcher, ["main"]).intent == "track_package", transcript


def test_silence_is_never_searched(whisper: WhisperEngine) -> None:
    asked: list[Decoded] = []

    def wanted(decoded: Decoded) -> bool:
        asked.append(decoded)
        return whisper.grammar_search(["main"]).wanted(decoded)

    search = GrammarSearch(whisper.grammar_search(["main"]).tables, wanted)
    silence = np.zeros(8000 * 2, np.int16)
    decoded = whisper.decode(silence, whisper.prompt(["main"]), search).result(timeout=30)
    assert asked and decoded.grammar is None


def test_a_failing_search_leaves_the_free_readings(whisper: WhisperEngine, matcher: Matcher,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> list[GrammarReading | None]:
        raise RuntimeError("search failed")

    monkeypatch.setattr(whisper_batcher, "grammar_readings", broken)
    pcm = read_wav(WAV / f"{MISHEARD}.wav")
    decoded = whisper.decode(pcm, whisper.prompt(["main"]),
                             whisper.grammar_search(["main"])).result(timeout=30)
    assert decoded.hypotheses and decoded.grammar is None


def _reading(intent: str, logprob: float, text: str = "where is my parcel") -> GrammarReading:
    return GrammarReading(text, Sentence(tuple(text.split()), intent, (), Location("t", 1)),
                          logprob)


NOT_UNDERSTOOD = (Hypothesis("Where is my power soul.", -0.25),)


@pytest.mark.parametrize(("beam", "grammar", "taken"), [
    (NOT_UNDERSTOOD, _reading("track_package", -1.2), True),
    (NOT_UNDERSTOOD, _reading("track_package", -2.0), False),  # Whisper found it unlikely
    ((Hypothesis("Where is my parcel?", -0.3),), _reading("order_status", -0.5), False),
    (NOT_UNDERSTOOD, _reading("goodbye", -0.3, "that is all"), False),
    (NOT_UNDERSTOOD, _reading("cancel_order", -0.3, "cancel it"), False),
    (NOT_UNDERSTOOD, _reading("yes", -0.3, "yes"), False),
])
def test_the_grammar_sentence_stands_in_only_for_what_is_not_understood_and_changes_nothing(
        matcher: Matcher, beam: tuple[Hypothesis, ...], grammar: GrammarReading,
        taken: bool) -> None:
    transcript = transcript_of(Decoded(beam, 0.05, grammar=grammar), matcher, ["main"])
    assert (transcript.text == grammar.text) is taken
