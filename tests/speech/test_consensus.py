"""The n-best agreement that stands in for PocketSphinx's missing confidence."""

from __future__ import annotations

from ivr.nlu.matcher import Matcher
from ivr.speech.consensus import MIN_AGREEMENT, meaning_of, with_agreement
from ivr.speech.stt import Transcript


def heard(text: str, *alternatives: str) -> Transcript:
    return Transcript(text, 0.9, alternatives=alternatives)


def test_alternatives_that_mean_the_same_keep_the_answer_with_full_confidence(
        matcher: Matcher) -> None:
    result = with_agreement(heard("where is my parcel", "where is my parcel", "where's my parcel",
                          "where is the parcel", "where is my parcel please"), matcher, ["main"])
    assert not result.rejected
    assert result.confidence == 1.0
    assert meaning_of(result, matcher, ["main"]).intent == "track_package"


def test_a_guess_the_alternatives_scatter_from_is_rejected(matcher: Matcher) -> None:
    # out-of-domain speech forced into shop words: only one reading in four says goodbye
    result = with_agreement(heard("hang like to the good night", "hang like to the good night",
                          "i'd like a tell the good light", "and like to the book a flight",
                          "hang like to the cook at night"), matcher, ["main"])
    assert matcher.match("hang like to the good night").intent == "goodbye"
    assert result.rejected
    assert meaning_of(result, matcher, ["main"]).intent is None


def test_half_the_alternatives_agreeing_is_enough(matcher: Matcher) -> None:
    agreeing = ["cancel my order", "cancel the order"]
    others = ["how old are you", "play some music"]
    result = with_agreement(heard("cancel my order", *agreeing, *others), matcher, ["main"])
    assert MIN_AGREEMENT == 0.5
    assert not result.rejected


def test_an_order_number_heard_differently_is_understood_with_low_confidence(
        matcher: Matcher) -> None:
    """Same intent, different digits: not rejected, but not sure enough to skip the read-back
    (the dialog confirms numbers below its confirm_below of 0.6)."""
    result = with_agreement(heard("four eight two one three", "four eight two one three",
                          "four eight two one three", "four eight two seven three",
                          "four eight two nine three", "four eight one three"),
                    matcher, ["order_number"])
    assert not result.rejected
    assert result.confidence == 0.4
    assert meaning_of(result, matcher, ["order_number"]).slots == {"order_number": "48213"}


def test_the_first_context_that_understands_decides_as_the_dialog_does(
        matcher: Matcher) -> None:
    """In the confirm phase the caller may also ask something new ("confirm", then "main")."""
    result = with_agreement(heard("where is my parcel", "where is my parcel", "where is my parcel"),
                    matcher, ["confirm", "main"])
    assert not result.rejected
    assert meaning_of(result, matcher, ["confirm", "main"]).intent == "track_package"


def test_transcripts_without_alternatives_pass_unchanged(matcher: Matcher) -> None:
    for transcript in (Transcript("where is my parcel", 0.73),  # Vosk: its own confidence
                       Transcript("", 0.0, rejected=True),  # speech, but no words
                       heard("what a lovely day", "what a lovely day", "cancel my order")):
        assert with_agreement(transcript, matcher, ["main"]) == transcript
