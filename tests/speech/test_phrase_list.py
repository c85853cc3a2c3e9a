"""Vosk's phrase list keeps every pair of neighbouring words of the sentences, in few phrases."""

from __future__ import annotations

from ivr.speech.stt.vosk.phrase_list import covering_phrases


def pairs(sentences: list[list[str]]) -> set[tuple[str, str]]:
    return {pair for s in sentences for pair in zip(["<s>", *s], [*s, "</s>"], strict=True)}


def test_every_pair_of_neighbouring_words_is_kept() -> None:
    sentences = [["where", "is", "my", "order"], ["where", "is", "my", "parcel"],
                 ["where", "is", "my", "order", "please"], ["my", "order"], ["order"],
                 ["where", "is", "my", "parcel"]]
    phrases = covering_phrases(sentences)
    assert pairs([p.split() for p in phrases]) == pairs(sentences)
    assert phrases == ["my order", "order", "where is my order", "where is my order please",
                       "where is my parcel"]


def test_a_sentence_that_brings_no_new_pair_is_left_out() -> None:
    sentences = [["a", "b"], ["b", "c"], ["a", "b", "c"], ["b", "b", "c"], ["a", "b", "b", "c"]]
    phrases = covering_phrases(sentences)
    assert phrases == ["a b", "a b b c", "b b c"]
    assert pairs([p.split() for p in phrases]) == pairs(sentences)


def test_sentence_ends_stay_sentence_ends() -> None:
    """A word that never ends a sentence never ends a phrase: "my" alone is not a sentence."""
    phrases = covering_phrases([["where", "is", "my", "order"], ["my", "parcel"]])
    assert not any(p.endswith(" my") or p == "my" for p in phrases)


def test_no_sentences_no_phrases() -> None:
    assert covering_phrases([]) == []
    assert covering_phrases([[]]) == []
