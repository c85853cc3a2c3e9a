"""The per-context language model: valid ARPA, every grammar word and digit, intents weighed
alike, and everyday words for speech that is not the shop's business; and the sentences Vosk's
phrase lists are made of."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from ivr.nlu.grammar import Grammar
from ivr.nlu.normalize import normalize
from ivr.speech.stt.pocketsphinx.language_model import (
    GENERAL_SHARE,
    GENERAL_WORDS,
    context_language_model,
    general_words,
)
from ivr.speech.vocabulary import caller_sentences, short_forms


def parse_arpa(text: str) -> dict[tuple[str, ...], tuple[float, float | None]]:
    lines = text.splitlines()
    assert lines[0] == "\\data\\" and lines[-1] == "\\end\\"
    declared = {int(k.split()[1]): int(v) for k, v in
                (line.split("=") for line in lines if line.startswith("ngram "))}
    grams: dict[tuple[str, ...], tuple[float, float | None]] = {}
    counted: dict[int, int] = {}
    order = 0
    for line in lines:
        if line.endswith("-grams:"):
            order = int(line[1])
        elif order and line and not line.startswith("\\"):
            fields = line.split("\t")
            gram = tuple(fields[1].split())
            assert len(gram) == order
            grams[gram] = (float(fields[0]), float(fields[2]) if len(fields) > 2 else None)
            counted[order] = counted.get(order, 0) + 1
    assert counted == declared
    return grams


@pytest.fixture(scope="module")
def known() -> Callable[[str], bool]:
    from pocketsphinx import Decoder  # noqa: PLC0415

    decoder = Decoder(loglevel="FATAL")
    return lambda word: decoder.lookup_word(word) is not None


@pytest.fixture(scope="module")
def order_number_model(grammar: Grammar, known: Callable[[str], bool]) -> dict:
    return parse_arpa(context_language_model(
        grammar, ["order_number"], known, general_words(),
        short_forms(grammar, ["order_number"], known)))


def test_unigrams_are_a_distribution(order_number_model: dict) -> None:
    total = sum(10 ** log for gram, (log, _) in order_number_model.items()
                if len(gram) == 1 and log > -99)
    assert total == pytest.approx(1.0, abs=1e-3)


def test_digits_are_likely_in_the_order_number_context(order_number_model: dict) -> None:
    for digit in ("zero", "oh", "four", "nine", "double", "forty", "thirteen"):
        assert (digit,) in order_number_model
    # a digit run goes on with another digit far more often than with an everyday word
    four_eight = order_number_model[("four", "eight")][0]
    assert ("four", "pizza") not in order_number_model
    assert four_eight > math.log10(0.01)


def test_every_sayable_grammar_word_and_the_everyday_words_are_in_it(
        grammar: Grammar, known: Callable[[str], bool], order_number_model: dict) -> None:
    words = {w for s in grammar.sentences("order_number") for w in s.words
             if not w.startswith("{") and known(w)}
    assert words <= {g[0] for g in order_number_model if len(g) == 1}
    everyday = general_words()
    assert len(everyday) == GENERAL_WORDS
    assert {"music", "weather", "game", "night"} <= set(everyday)
    assert all((w,) in order_number_model for w in everyday)


def test_words_the_shop_never_hears_get_only_part_of_the_general_share(
        order_number_model: dict, grammar: Grammar) -> None:
    domain = {w for s in grammar.sentences("order_number") for w in s.words}
    spoken_numbers = {"oh", "double", "zero", "one", "two", "three", "four", "five", "six",
                      "seven", "eight", "nine", "ten", "twenty", "forty", "thirteen"}
    outside = sum(10 ** order_number_model[(w,)][0] for w in general_words()
                  if w not in domain and w not in spoken_numbers)
    assert 0.01 < outside < GENERAL_SHARE


def test_the_same_grammar_gives_the_same_text(grammar: Grammar,
                                              known: Callable[[str], bool]) -> None:
    short = short_forms(grammar, ["confirm"], known)
    first = context_language_model(grammar, ["confirm"], known, general_words(), short)
    assert first == context_language_model(grammar, ["confirm"], known, general_words(), short)


def test_short_forms_are_the_words_normalize_expands_to_two_that_the_engine_knows(
        grammar: Grammar, known: Callable[[str], bool]) -> None:
    short = short_forms(grammar, grammar.contexts(), known)
    assert "where's" in short[("where", "is")] and "don't" in short[("do", "not")]
    assert {"can't", "cannot"} <= set(short[("can", "not")])
    for pair, words in short.items():
        assert all(normalize(word) == list(pair) and known(word) for word in words), pair
    unknown_to_it = short_forms(grammar, grammar.contexts(), lambda word: "'" not in word)
    assert "where's" not in unknown_to_it.get(("where", "is"), ())


def test_callers_may_be_heard_saying_short_forms(grammar: Grammar,
                                                 known: Callable[[str], bool]) -> None:
    """The grammar spells "I don't know my order number" out; a caller says "don't"."""
    model = parse_arpa(context_language_model(
        grammar, ["order_number"], known, general_words(),
        short_forms(grammar, ["order_number"], known)))
    assert ("i", "don't", "know") in model and ("i", "do", "not") in model
    assert ("it's",) in model and ("<s>", "it's") in model
    without = parse_arpa(context_language_model(grammar, ["order_number"], known,
                                                general_words(), {}))
    assert ("i", "don't", "know") not in without and ("i", "do", "not") in without


def test_caller_sentences_are_what_vosk_hears(grammar: Grammar) -> None:
    """Vosk's phrase list: sentences as callers say them, and none with a word the model
    cannot say (Vosk would drop the word and join its neighbours into a pair no caller says)."""
    def every_word(word: str) -> bool:
        return True

    main = {" ".join(s) for s in caller_sentences(grammar, ["main"], every_word)}
    assert {"where is my order", "where's my order", "i want to return something"} <= main
    numbers = [s for s in caller_sentences(grammar, ["order_number"], every_word)]
    spoken_digits = {"zero", "oh", "one", "two", "three", "four", "five", "six", "seven",
                     "eight", "nine"}
    assert any(sum(w in spoken_digits for w in s) >= 4 for s in numbers)
    assert not any(w.startswith("{") for s in numbers for w in s)

    without_parcel = [s for s in caller_sentences(grammar, ["main"], lambda w: w != "parcel")]
    assert without_parcel and not any("parcel" in s for s in without_parcel)
    assert len(without_parcel) < len(main)
