"""A confidence for recognisers that give none worth having: how many of the engine's other
readings of the utterance (its n-best list) mean the same as its best one.

PocketSphinx's bundled model forces speech it cannot place into the nearest words its language
model allows, so out-of-domain speech ("I'd like to book a flight") comes out as shop words
("hang like to the good night", goodbye). Its lattice word posteriors tell right from wrong
answers no better than this does (BENCHMARKS.md). But when the best reading is a guess, the
next ones scatter over other intents or none; when the caller really asked for something, they
mostly agree on it. Rejecting answers that fewer than half of ten alternatives agree with cuts
most out-of-domain false accepts and half the wrong intents, at the cost of some right answers
(those callers are asked to repeat); BENCHMARKS.md has the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ivr.nlu.matcher import Match, Matcher
from ivr.speech.stt import Transcript

MIN_AGREEMENT = 0.5
"""Below this share of alternatives reading the same intent, the transcript is rejected: the
caller hears "sorry, I didn't catch that" instead of the bot acting on a guess."""


def with_agreement(transcript: Transcript, matcher: Matcher, contexts: Sequence[str]) -> Transcript:
    """The transcript with its confidence set to the share of its alternatives that mean the
    same intent and slots (so an order number heard in few of them is read back to confirm),
    and rejected when too few mean even the same intent. A transcript without alternatives
    (Vosk, typed text, nothing heard) is returned as it is."""
    if transcript.rejected or not transcript.text or not transcript.alternatives:
        return transcript
    # the n-best repeats word sequences (other pronunciations, other word boundaries): each
    # distinct one is matched once, on the call's own thread right after the endpoint
    meanings = {text: matcher.match_first(text, contexts)
                for text in {transcript.text, *transcript.alternatives}}
    best = meanings[transcript.text]
    if best.intent is None:
        return transcript  # not understood anyway: the dialog says so
    readings = [meanings[text] for text in transcript.alternatives]
    same_intent = sum(r.intent == best.intent for r in readings) / len(readings)
    same_meaning = sum(r.intent == best.intent and r.slots == best.slots
                       for r in readings) / len(readings)
    return replace(transcript, confidence=same_meaning, rejected=same_intent < MIN_AGREEMENT)


def meaning_of(transcript: Transcript, matcher: Matcher, contexts: Sequence[str]) -> Match:
    """What the bot takes the utterance to mean: nothing when the recogniser rejected it."""
    if transcript.rejected:
        return Match(transcript.text, None, 0.0)
    return matcher.match_first(transcript.text, contexts)
