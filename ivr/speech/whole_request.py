"""Whether the words a caller has said so far already make a whole request: the endpointer ends
the utterance after a short pause if they do, and waits longer if they do not
(EndpointSettings.incomplete_silence_ms).
"""

from __future__ import annotations

from collections.abc import Sequence

from ivr.nlu.matcher import Matcher
from ivr.nlu.normalize import normalize
from ivr.nlu.numbers import find_digit_runs
from ivr.speech.stt import Recognizer


def heard_a_whole_request(recognizer: Recognizer, matcher: Matcher,
                          contexts: Sequence[str]) -> bool:
    """Whether what the recogniser has heard of the utterance so far is a whole request in
    the first of its contexts (the one the caller's answer is understood in)."""
    return is_whole_request(recognizer.heard_so_far(), matcher, contexts[:1])


def is_whole_request(words: str, matcher: Matcher, contexts: Sequence[str]) -> bool:
    """The matcher understands them, and they do not end in a number: callers read numbers out
    in groups, and "four eight two" is an order number the caller has not finished."""
    spoken = normalize(words)
    if not spoken:
        return False
    runs = find_digit_runs(spoken)
    if runs and runs[-1].end == len(spoken):
        return False
    return matcher.match_first(words, contexts).intent is not None
