"""Sentences recognisers write on silence and line noise that no caller says to a shop.

Whisper learnt from subtitled video: on a quiet line it writes the endings of subtitles
("Thank you for watching.", "Please subscribe."), and a bot's own "thanks for calling" echoed
back is no request either, nor is a caller testing the line ("testing, testing, one two
three": its numbers are no order number). Matched as whole utterances, whatever the transport,
so none of them can become an intent — least of all `goodbye`, which would hang up on a quiet
caller.
"""

from __future__ import annotations

from ivr.nlu.normalize import normalize

NEVER_SAID = frozenset(" ".join(normalize(sentence)) for sentence in (
    "thank you for watching", "thanks for watching", "thank you for watching bye",
    "thank you so much for watching", "thanks for watching bye", "please subscribe",
    "subscribe", "like and subscribe", "please like and subscribe",
    "see you next time", "see you in the next video", "see you in the next one",
    "thanks for calling", "thank you for calling", "thank you for listening",
    "thanks for listening",
    "testing testing", "testing testing one two three", "testing one two three",
    "testing testing testing", "one two one two",
))
"""Whole utterances, normalised, that are never a caller's words."""
CAPTION_OPENINGS = (("subtitles", "by"), ("captions", "by"), ("transcribed", "by"),
                    ("translated", "by"))
"""Subtitle credits ("Subtitles by the Amara.org community"): any utterance opening so."""


def never_said(words: list[str]) -> bool:
    """True for normalised words a recogniser wrote on silence rather than heard."""
    return " ".join(words) in NEVER_SAID or tuple(words[:2]) in CAPTION_OPENINGS
