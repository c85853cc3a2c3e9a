"""From Whisper's beam of readings to one transcript the bot may act on.

Whisper hears an open vocabulary and writes it as subtitles: a caller in a closed domain is
heard best by letting the grammar pick among the beam's readings (the first the matcher
understands), as long as that reading is nearly as likely as the best one, and unless it would
change or end something (ivr.nlu.consequential): those are taken from the best reading only.
What Whisper writes on silence and noise ("Thank you for watching.", "you", "Bye.") is not
speech, and a window it thinks holds no speech is not acted on, so a quiet line never becomes
`goodbye`. A turn the language check took for another language (language.py) is not acted on
either, whatever English words tiny.en made of it: the transcript names the language instead.

When no reading is understood, or only weakly, the grammar's likeliest sentence (the grammar
search, grammar_search.py) stands in for them if Whisper found it likely enough, unless it
would change or end something or confirm a change: those are taken from what Whisper wrote
freely, never from a sentence it was steered to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ivr.nlu.consequential import CHANGES_OR_ENDS, CONFIRMS
from ivr.nlu.matcher import Matcher
from ivr.nlu.normalize import normalize
from ivr.nlu.not_speech import never_said
from ivr.nlu.numbers import UNITS, ZERO_LETTERS
from ivr.speech.stt import Transcript
from ivr.speech.stt.whisper.batcher import Decoded, Hypothesis, reading_confidence
from ivr.speech.stt.whisper.grammar_search import GrammarReading
from ivr.speech.stt.whisper.language import needs_checking

STOCK_PHRASES = frozenset({
    "you", "thank you", "thanks", "thank you very much", "bye", "bye bye", "goodbye", "so",
    "okay",
})
"""What Whisper also writes on silence, breath and line noise, but a caller may say: accepted
only from a window Whisper is sure holds speech."""
SURE_OF_SPEECH = 0.1
"""A stock phrase counts only when Whisper's no-speech probability is below this, and it was
decoded with at least STOCK_LOGPROB per token (out-of-domain speech came out as "Thank you.
Thank you." at -1.3)."""
STOCK_LOGPROB = -0.5
MAX_NO_SPEECH = 0.6
"""Above this no-speech probability, a reading that is not confidently decoded is dropped
(the rule Whisper's own transcribe uses, with MIN_LOGPROB)."""
MIN_LOGPROB = -1.0
MAX_GAP = 0.6
"""A lower-ranked reading the grammar understands is taken over the best one only when its
mean log probability per token is at most this much worse."""
WEAK_MATCH = 0.75
"""A reading the matcher understands with less confidence than this is weak evidence: the
grammar search is asked too, and its sentence is taken over it."""
MIN_GRAMMAR_LOGPROB = -1.5
"""The grammar's sentence is taken only when Whisper gave it at least this mean log
probability per token (chosen on the manifest; BENCHMARKS.md has the curve)."""
STEERED_NEVER = CHANGES_OR_ENDS | CONFIRMS
REPEATS_NEEDED = {1: 4, 2: 3}
"""How often an n-gram must repeat in a row before it is a decoding loop: four for one word
("yet yet yet yet"), three for two, twice for longer ones; "five five" is a number."""


@dataclass(frozen=True)
class Reading:
    """A cleaned hypothesis with its rank in the beam."""

    text: str
    logprob: float
    rank: int


def transcript_of(decoded: Decoded, matcher: Matcher, contexts: Sequence[str]) -> Transcript:
    """The transcript of one utterance: the reading the grammar understands, if any is likely
    enough; otherwise the best reading (which the matcher will not understand); rejected when
    no reading holds speech or the speech was another language."""
    readings = _speech_readings(decoded)
    chosen = _chosen(readings, matcher, contexts) if readings else None
    transcript = (Transcript("", 0.0, rejected=True) if chosen is None
                  else _transcript(chosen, decoded.no_speech))
    guess = decoded.language
    if guess is not None and guess.other_language and needs_checking(transcript.confidence):
        return Transcript("", 0.0, rejected=True, language=guess.likeliest)
    grammar = decoded.grammar
    if (grammar is not None and _steerable(grammar)
            and wants_grammar(transcript, matcher, contexts)):
        confidence = reading_confidence(grammar.logprob, decoded.no_speech)
        return Transcript(grammar.text, round(min(1.0, confidence), 3))
    return transcript


def wants_grammar(transcript: Transcript, matcher: Matcher, contexts: Sequence[str]) -> bool:
    """Whether the grammar search could help: speech the matcher did not understand, or
    understood only weakly."""
    if transcript.rejected or not transcript.text:
        return False
    match = matcher.match_first(transcript.text, contexts)
    return match.intent is None or match.confidence < WEAK_MATCH


def _steerable(grammar: GrammarReading) -> bool:
    return (grammar.logprob >= MIN_GRAMMAR_LOGPROB
            and grammar.sentence.intent not in STEERED_NEVER)


def _chosen(readings: list[Reading], matcher: Matcher, contexts: Sequence[str]) -> Reading:
    best = readings[0]
    for reading in readings:
        if best.logprob - reading.logprob > MAX_GAP:
            break
        intent = matcher.match_first(reading.text, contexts).intent
        if intent is not None and (reading is best or intent not in CHANGES_OR_ENDS):
            return reading
    return best


def _speech_readings(decoded: Decoded) -> list[Reading]:
    readings = []
    for rank, hypothesis in enumerate(decoded.hypotheses):
        text = without_loops(hypothesis.text)
        if not normalize(text) or _not_speech(text, hypothesis, decoded.no_speech):
            continue
        readings.append(Reading(text, hypothesis.logprob, rank))
    return readings


def _not_speech(text: str, hypothesis: Hypothesis, no_speech: float) -> bool:
    if never_said(normalize(text)):
        return True
    words = " ".join(normalize(text))
    if words in STOCK_PHRASES and (no_speech >= SURE_OF_SPEECH
                                   or hypothesis.logprob < STOCK_LOGPROB):
        return True
    return no_speech > MAX_NO_SPEECH and hypothesis.logprob < MIN_LOGPROB


def _transcript(chosen: Reading, no_speech: float) -> Transcript:
    """Confidence: the chosen reading's mean token probability, less for a window Whisper
    doubts holds speech and for a reading below the top of the beam. The alternatives are not
    passed on: ivr.speech.consensus's agreement rule is for PocketSphinx's n-best lists."""
    confidence = reading_confidence(chosen.logprob, no_speech)
    if chosen.rank:
        confidence *= 0.8
    return Transcript(chosen.text, round(min(1.0, confidence), 3))


_WORD = re.compile(r"\S+")


def without_loops(text: str) -> str:
    """The text with a phrase repeated over and over (a short window's decoding loop, "as my
    ownership as my ownership as my ownership") said once."""
    words = _WORD.findall(text)
    plain = [_plain(w) for w in words]
    for size in range(2, len(words) // 2 + 1):
        if (len(words) % size == 0 and plain == plain[:size] * (len(words) // size)
                and not all(_is_number(word) for word in plain[:size])):
            return " ".join(words[:size])  # the whole reading again: "Thank you. Thank you."
    for size in range(1, len(words) // 2 + 1):
        needed = REPEATS_NEEDED.get(size, 2)
        start = 0
        while start + size * needed <= len(words):
            phrase = [_plain(w) for w in words[start:start + size]]
            end = start + size
            while [_plain(w) for w in words[end:end + size]] == phrase:
                end += size
            rest = words[end:]
            cut_short = bool(rest) and _is_prefix(rest, phrase)
            if (end - start) // size + cut_short >= needed:
                kept = words[:start + size] + ([] if cut_short else rest)
                return without_loops(" ".join(kept))
            start += 1
    return text


def _is_prefix(rest: list[str], phrase: list[str]) -> bool:
    """Whether what follows a loop is its phrase again, cut short by the length limit."""
    return [_plain(w) for w in rest] == phrase[:len(rest)]


def _is_number(word: str) -> bool:
    return word.isdigit() or word in UNITS or word in ZERO_LETTERS


def _plain(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())
