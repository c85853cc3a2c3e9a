"""Utterance -> intent, confidence and slots, by weighted word overlap with the grammar.

Each expanded sentence is reduced to its content words (a "signature"); an utterance is scored
against every signature of the context at once (numpy) with an F-score that weighs recall (how
much of the sentence the caller said) above precision (how much of what the caller said the
sentence explains). Words are weighted by how few intents use them, so "cancel" decides more
than "order". rapidfuzz matches words a recogniser or a typist got slightly wrong ("parcle").

Out-of-domain speech ("I'd like a pizza") shares few weighted words with any sentence and falls
below THRESHOLD: `intent` is None. Intents that change or end something need more: a higher
score (CONSEQUENTIAL_THRESHOLD), and none of their decisive words negated ("I don't want to
cancel"); when the best sentence fails that, the best harmless one may still be taken. The
thresholds and BETA were chosen on tests/nlu/utterances.yaml, never on the held-out set; see
BENCHMARKS.md.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import dropwhile, takewhile, zip_longest
from typing import Any, Literal

import numpy as np
from rapidfuzz import fuzz, process

from ivr.built_once import BuiltOnce
from ivr.nlu.consequential import (
    CHANGES_OR_ENDS,
    CONFIRMS,
    DESTRUCTIVE,
    NAMED_BY,
    SAID_ALONE,
)
from ivr.nlu.grammar import Grammar, SlotList
from ivr.nlu.normalize import (
    MAX_UTTERANCE_CHARS,
    PEOPLE,
    THEIR_BUSINESS,
    normalize,
    normalize_heard,
)
from ivr.nlu.not_speech import never_said
from ivr.nlu.numbers import find_digit_runs, with_digit_homophones

THRESHOLD = 0.68
"""Below this F-score an utterance is "not understood" (intent None)."""
CONSEQUENTIAL_THRESHOLD = 0.7
"""The F-score an intent that changes or ends something (ivr.nlu.consequential) needs."""
NEGATORS = frozenset({"not", "never", "no", "nothing", "without"})
ASSENT = frozenset({"yes", "yeah", "yep", "yup", "yea", "aye", "sure", "okay", "alright", "right"})
"""Words that only agree: a sentence whose content words are these and NEGATORS says what it means
with its stopwords ("aye, that's me" is a goodbye; "aye, it's a grand day" is not)."""
NEGATION_REACH = 4
"""How far after a negator, not counting verbs of saying or thinking, the word it negates may be
("do not want to cancel", "I don't think I want to cancel")."""
PARTICLES = frozenset({"to", "from", "into", "onto", "off", "down", "out", "over", "up",
                       "round", "around"})
"""Words that, right after a verb, can make it another verb ("return to", "change into")."""
OF_WHAT = frozenset({"of", "on", "for"})
"""Words that, right after a change's name, say what it is of ("an exchange of fire", "a refund
on my electricity bill"): something the change's sentences do not know is not the shop's."""
NEGATED_PHRASE = 3
"""How many words a negated noun and the participle of what is done to it may span ("delivery
address changed")."""
UNFINISHED = frozenset({"and", "but", "or", "because", "if"})
"""Words a caller does not stop on: an utterance ending on one was cut off ("I'd like to thank
and"), and what was coming may undo it, so nothing that cannot be taken back is done on it."""
AUXILIARIES = frozenset({"am", "is", "are", "was", "were", "be", "been", "being", "do", "does",
                         "did", "has", "have", "had", "will", "would", "can", "could", "shall",
                         "should", "may", "might", "must", "just", "really", "still", "already"})
"""Words between a subject and its verb ("the car will not start"), skipped to find the subject."""
MODIFIERS = frozenset({"wrong", "right", "correct", "different", "same", "other", "another",
                       "new", "old", "big", "bigger", "small", "smaller", "large", "larger",
                       "whole", "entire", "first", "second", "last", "next", "full", "only"})
"""Words that describe the noun after them ("the wrong size", "a different colour"): never its
subject."""
DETERMINERS = frozenset({"the", "my", "our", "your", "this", "that", "his", "her", "their"})
"""Words that start a noun phrase: what follows one is a subject or an object, not a verb."""
POSSESSIVES = frozenset({"my", "our", "your", "his", "their"})
"""Determiners that say whose, and cannot stand alone as "this", "that" and "her" can."""
BEFORE_A_MODIFIER = POSSESSIVES | {"the"}
"""Words after which a word right before a noun says which one it is ("the return key")."""
BEFORE_AN_OBJECT = POSSESSIVES | {"her"}
"""Words that start a verb's object when they follow it ("track my steps", "track her steps")."""
BEFORE_A_TOPIC = BEFORE_AN_OBJECT | {"the"}
"""Words that start what something is about after "about" ("a complaint about the noise")."""
PLACED_WITH = frozenset({"with", "at", "tell", "inform", "notify"})
"""Words that place a request with, at or before someone: "with the council", "tell the bank"."""
OTHER_PARTIES = frozenset({"bank", "council", "dvla", "dmv", "irs", "hmrc", "doctor", "doctors",
                           "dentist", "gp", "landlord", "employer", "insurance", "insurer", "gym",
                           "library", "vet", "embassy", "police", "government", "electoral"})
"""Parties a request placed with is their own business even though the shop's sentences use
their names for something else ("pay by bank transfer", "open on bank holidays"): "change my address
with the bank" is no change to an order's address."""
THREAT = re.compile(r"\bif\b.* (?:i|we) (?:am|are|will|shall)(?: going to| be)? "
                    r"(?:cancel|return|send|exchange|swap)")
"""A change the caller says they will make if something happens ("if my order's not sent by
Friday I'm cancelling it, so has it gone") is a threat, not a request: it may come, but it is not
asked for yet."""
BROUGHT = (["delivered"], ["sent"], ["brought"])
"""What is done to a new thing ordered elsewhere: "get a pizza delivered"."""
WHEN_OR_HOW = frozenset({"now", "today", "tonight", "tomorrow", "immediately", "straightaway",
                         "right", "away", "quickly", "soon", "already", "anyway"})
"""Words after a verb that say when or how it is to be done ("cancel it now", "cancel it right
away"), never what it is done to. ("asap", "right now" and "straight away" never reach the
matcher: normalize drops them as padding.)"""
SAYING = frozenset({"said", "say", "saying", "ask", "asked", "asking", "mean", "meant",
                    "think", "believe", "suppose", "reckon", "guess", "expect"})
"""Verbs a negation passes through to what is said or thought: "I never said cancel", "I don't
think it needs to go back"."""
GIVING_THE_NUMBER = re.compile(r"\b(?:the|my|our) order (?:number |no )?is (?=\{)")
"""The words that hand over an order number ("the order number is 48213"), the slot after them."""
CLAUSE_BREAK = re.compile(r"[.,;:!?]+\s+|[.!?]+$| - ")
"""Where a transcript's punctuation ends a clause (not inside "3-1-1-9-0" or "amara.org")."""
MAX_CLAUSES = 6
SELF_CORRECTION = re.compile(
    r"\b(?:no,?\s+sorry|sorry,?\s+no|no,?\s+wait|wait,?\s+no|or rather|scratch that|"
    r"actually,?\s+no|no,?\s+actually|(?:no|sorry),?\s+i mean)\b[,.!?]*", re.IGNORECASE)
"""Where a caller takes back what they just said and says it again ("I want to exchange, no
sorry, return the jeans"): only what follows counts."""

COURTESY_AT_THE_END = re.compile(
    r"(?: (?:thanks|thank you|cheers|ta|many thanks|sorry)(?: (?:very much|so much|a lot|"
    r"a million|again))?(?: (?:mate|love|dear|pet))?)+$")
"""Thanks or an apology after a request said without a pause ("has it been sent thanks", as a
recogniser without punctuation writes it; "I don't have it, sorry"): the request is matched
without them, since "thanks" is a goodbye's word and pulls the request towards one that must be
said alone, and "sorry" alone asks the bot to say it again; when what is left means nothing
("okay thanks", "no that's it thanks"), the whole is matched."""

CUT_OFF_AFTER = frozenset({"a", "an", "the", "my", "our", "your", "their"})
"""Words no clause ends on: one that does was cut off before its noun ("What's my")."""

NOT_FROM_AN_EARLIER_CLAUSE = frozenset({"repeat"})
"""Harmless intents that a clause with more after it does not mean: "sorry" is "pardon?" alone,
an apology before anything else ("I'm sorry, I'm just driving", "sorry, wrong number")."""
CANDIDATES = 24
"""How many of the best sentences are tried when the best one is not safe to act on."""
DENSE_SHARE = 1 / 64
"""A word in more than this share of a context's sentences has its column stored whole."""
DECISIVE_USERS = 4
"""A word used by at most this many intents of a context decides between them; negating one
of a consequential sentence's decisive words rejects that sentence."""
BETA = 1.6
"""Recall counts BETA times as much as precision: callers add words, rarely leave them out."""
NOTHING_EXPLAINED = 1e-30
"""What a sentence explains of an utterance that has none of its words, instead of 0, so that its
F-beta's denominator is never 0 and its score comes out 0 with no masked division; too small to
change any other sentence's score."""
FUZZY_CUTOFF = 84.0
"""rapidfuzz ratio (0-100) from which two words count as the same word, scaled by similarity."""
FUZZY_MIN_LENGTH = 4
"""Shorter words must match exactly: "on"/"no" or "yes"/"yet" are different words."""

STOPWORDS = frozenset({
    "a", "about", "again", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been",
    "being", "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has",
    "have", "hello", "her", "here", "hey", "hi", "his", "i", "in", "is", "it", "its", "just",
    "like", "may", "me", "might", "mine", "my", "myself", "need", "needed", "of", "oh", "on",
    "or", "our", "please", "really", "shall", "should", "so", "some", "that", "the", "their",
    "then", "there", "these", "this", "those", "to", "um", "us", "want", "wanted", "was", "we",
    "well", "were", "will", "with", "would", "you", "your", "yours",
})
"""Words that say nothing about what the caller wants. Not here on purpose: no, not, never,
yes, where, when, how, what (they decide intents)."""
DISCOURSE = frozenset({
    "yeah", "yes", "yep", "yup", "yea", "okay", "alright", "right", "so", "well", "actually",
    "just", "hi", "hiya", "hello", "hey", "oh", "ah", "basically", "honestly", "anyway",
    "sorry", "love", "dear", "darling", "pet", "mate", "bro", "bruv", "fam", "sweetheart", "hun",
    "innit", "abeg", "eh", "howay", "tidy",
    "bloody", "damn", "damned", "darn", "flipping", "flaming", "freaking", "frigging", "effing",
    "fucking", "sodding", "blooming", "blinking", "ruddy",
})
"""Words callers open and pad a request with ("yeah so, um, hi, ...", "would I be able to
cancel, love", "cancel the darn thing"): ignored in a context whose grammar does not use them,
and meaningful where it does ("yeah" answers a question)."""


@dataclass(frozen=True, slots=True)
class Match:
    """What an utterance means in one context (the `ivr nlu --json` object)."""

    text: str
    """The utterance as given."""
    intent: str | None
    """The intent name, or None when not understood."""
    confidence: float
    """0..1: how well the best sentence fits."""
    slots: dict[str, str] = field(default_factory=dict)
    """Slot values, e.g. {"order_number": "48213", "return_reason": "damaged"}."""

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "intent": self.intent,
                "confidence": round(self.confidence, 3), "slots": dict(self.slots)}


def content_words(words: Sequence[str]) -> list[str]:
    """The words that can tell intents apart; all words when every one is a stopword, so
    that "that is it" still means something."""
    content = [w for w in words if w not in STOPWORDS]
    return content or list(words)


class _ContextIndex:
    """Every signature of one context as a 0/1 matrix over the context's vocabulary, stored by
    column: an utterance touches only the columns of the words it has. Most words are in few
    sentences, and their columns are the rows that have them; the few in many sentences
    (DENSE_SHARE) are whole 0/1 columns, which numpy adds faster than it scatters (the main
    context's whole matrix would be 270 MB, under 1 % of it ones)."""

    def __init__(self, grammar: Grammar, context: str) -> None:
        signatures: dict[tuple[frozenset[str], str, tuple[tuple[str, str], ...]],
                         list[str]] = {}
        self.word_classes = grammar.word_classes
        for sentence in grammar.sentences(context):
            words = self.classed(sentence.words)
            tokens = frozenset(content_words(words))
            if tokens:
                signatures.setdefault((tokens, sentence.intent, tuple(sorted(sentence.slots))),
                                      words)
        keys = list(signatures)
        self.sentence_words = [words for words in signatures.values()]
        self.vocabulary = sorted({t for tokens, _, _ in keys for t in tokens})
        self.column = {word: i for i, word in enumerate(self.vocabulary)}
        self.intents = [intent for _, intent, _ in keys]
        intent_words: dict[str, set[str]] = {}
        for tokens, intent, _ in keys:
            intent_words.setdefault(intent, set()).update(tokens)
        self.intent_words = {intent: frozenset(words) for intent, words in intent_words.items()}
        self.slots = [dict(slots) for _, _, slots in keys]
        self.every_row = np.arange(len(keys))
        """0 … rows - 1, made once: the rows searched when none of the strong ones will do."""
        having: list[list[int]] = [[] for _ in self.vocabulary]
        for row, (tokens, _, _) in enumerate(keys):
            for token in tokens:
                having[self.column[token]].append(row)
        self.rows_having = [np.array(rows, dtype=np.intp) for rows in having]
        """Per vocabulary column, the rows (sentences) that have its word, in order."""
        self.dense: dict[int, np.ndarray] = {}
        """The columns of the words in many sentences, as 0/1 over every row."""
        for column, rows in enumerate(self.rows_having):
            if len(rows) > DENSE_SHARE * len(keys):
                self.dense[column] = np.zeros(len(keys), dtype=np.float32)
                self.dense[column][rows] = 1.0
        self.weights = self._idf(keys)
        self.unknown_weight = 1.0 + math.log(max(len(set(self.intents)), 2))
        self.inverse_totals = 1.0 / np.array(
            [sum(float(self.weights[self.column[t]]) for t in tokens) for tokens, _, _ in keys],
            dtype=np.float32)
        """Per row, one over the weight of all its words: what its recall is multiplied by."""
        self.digit_slots: tuple[SlotList, ...] = grammar.digit_slots(context)
        self.consequential = np.array([i in CHANGES_OR_ENDS | CONFIRMS for i in self.intents],
                                      dtype=bool)
        self.whole_only = np.array([i in DESTRUCTIVE | CONFIRMS | NOT_FROM_AN_EARLIER_CLAUSE
                                    for i in self.intents],
                                   dtype=bool)
        self.confirms = np.array([i in CONFIRMS for i in self.intents], dtype=bool)
        self.decisive_weight = 1.0 + math.log(max(len(set(self.intents)), 1) / DECISIVE_USERS)

    @cached_property
    def class_words(self) -> frozenset[str]:
        """The words that stand for a word class ("item" for "shoes")."""
        return frozenset(self.word_classes.values())

    def classed(self, words: Sequence[str]) -> list[str]:
        """The words with each member of a word class replaced by its class word."""
        return [self.word_classes.get(word, word) for word in words]

    def _idf(self, keys: list[tuple[frozenset[str], str, Any]]) -> np.ndarray:
        intents_using: dict[str, set[str]] = {}
        for tokens, intent, _ in keys:
            for token in tokens:
                intents_using.setdefault(token, set()).add(intent)
        count = len({intent for _, intent, _ in keys})
        return np.array([1.0 + math.log(count / len(intents_using[w])) for w in self.vocabulary],
                        dtype=np.float32)

    def similar_words(self, word: str) -> list[tuple[int, float]]:
        """Vocabulary columns this word may stand for, with a similarity of 0..1."""
        return _similar_words(self, word)

    def near_forms(self, word: str) -> set[str]:
        """The vocabulary words this word may stand for: itself and its near forms."""
        return {self.vocabulary[column] for column, _ in self.similar_words(word)}


@lru_cache(maxsize=4096)
def _similar_words(index: _ContextIndex, word: str) -> list[tuple[int, float]]:
    """The word itself and its near forms ("refunds" also counts, less, as "refund")."""
    exact = [(index.column[word], 1.0)] if word in index.column else []
    if len(word) < FUZZY_MIN_LENGTH or word[:1] == "{":
        return exact
    found = process.extract(word, index.vocabulary, scorer=fuzz.ratio,
                            score_cutoff=FUZZY_CUTOFF, limit=4)
    near = [(index.column[choice], (score / 100.0) ** 2) for choice, score, _ in found
            if len(choice) >= FUZZY_MIN_LENGTH and choice != word]
    return exact + near


class Matcher:
    """Matches utterances against one grammar; build once, share between calls (read-only)."""

    def __init__(self, grammar: Grammar, threshold: float = THRESHOLD,
                 consequential_threshold: float = CONSEQUENTIAL_THRESHOLD) -> None:
        self.grammar = grammar
        self.threshold = threshold
        self.consequential_threshold = consequential_threshold
        self._indexes: BuiltOnce[str, _ContextIndex] = BuiltOnce(
            lambda context: _ContextIndex(grammar, context))

    @cached_property
    def contexts(self) -> tuple[str, ...]:
        return self.grammar.contexts()

    def prepare(self) -> None:
        """Index every context now (seconds for `main`) instead of in a caller's first turn."""
        for context in self.contexts:
            self.index(context)

    @property
    def prepared_contexts(self) -> frozenset[str]:
        return self._indexes.built_keys()

    def index(self, context: str) -> _ContextIndex:
        """A context's index, built once: a first call during a server's warm-up waits for the
        build under way rather than doing it again beside it."""
        if context not in self.contexts:
            raise ValueError(f"unknown context {context!r}; known: {', '.join(self.contexts)}")
        return self._indexes.get(context)

    def match(self, text: str, context: str = "main") -> Match:
        """The best intent for an utterance in a context; intent None when nothing fits.
        A transcript of several clauses ("Yeah, so the thing I got is broken, I'd like a
        refund.") that is not understood whole is understood by its best clause."""
        index = self.index(context)
        if len(text) > MAX_UTTERANCE_CHARS:
            return Match(text, None, 0.0)
        meant = _after_self_correction(text)
        if meant != text:
            found = self.match(meant, context)
            return Match(text, found.intent, found.confidence, found.slots)
        parts = [part for part in CLAUSE_BREAK.split(text) if part.strip()]
        heard = _said_once(parts) or normalize_heard(text)
        whole = (self._match_without_courtesy(index, text, heard)
                 or self._match_words(index, text, heard))
        if whole.intent is not None or len(parts) < 2 or never_said(heard):
            return whole
        return self._match_best_clause(index, text, parts, heard) or whole

    def _match_best_clause(self, index: _ContextIndex, text: str, parts: list[str],
                           heard: list[str]) -> Match | None:
        """The match of the transcript's best clause, if it has two or more and one is
        understood and may be acted on apart from the rest; None otherwise."""
        clauses = _clauses(parts)[:MAX_CLAUSES]
        if len(clauses) < 2:
            return None
        words, digits = _meaningful_words(index, heard)
        by_clause = [self._match_words(index, text, clause_words,
                                       clause="last" if at == len(clauses) - 1 else "earlier")
                     for at, clause_words in enumerate(clauses)]
        best = max((match for match in by_clause
                    if match.intent not in CHANGES_OR_ENDS
                    or not _another_change_named(match.intent, (), words)),
                   key=lambda match: (match.intent is not None, match.confidence),
                   default=None)
        if best is None or best.intent is None or (
                best.intent in SAID_ALONE and not _all_its_own(index, best.intent, words)):
            return None
        return Match(text, best.intent, best.confidence, {**digits, **best.slots})

    def _match_without_courtesy(self, index: _ContextIndex, text: str,
                                heard: list[str]) -> Match | None:
        """The match of the words before COURTESY_AT_THE_END, if the utterance ends so and they
        are understood."""
        request = COURTESY_AT_THE_END.sub("", " ".join(heard)).split()
        if not request or len(request) == len(heard):
            return None
        found = self._match_words(index, text, request)
        return found if found.intent is not None else None

    def _match_words(self, index: _ContextIndex, text: str, normalized: list[str],
                     clause: Literal["earlier", "last"] | None = None) -> Match:
        """The match of some words of the utterance: all of them (clause None), or one clause.
        No clause confirms a change, and no "earlier" clause ends or cancels anything (or asks
        to hear the bot again, NOT_FROM_AN_EARLIER_CLAUSE): what follows may say otherwise. The
        "last" clause may: a caller's last words are what they mean ("no, you've been very
        helpful, goodbye")."""
        if never_said(normalized):
            return Match(text, None, 0.0)
        words, digit_slots = _meaningful_words(index, normalized)
        tokens = content_words(words)
        if not tokens:
            return Match(text, None, 0.0)
        scores = self._scores(index, tokens)
        if clause is not None:
            scores = np.where(index.whole_only if clause == "earlier" else index.confirms,
                              0.0, scores)
        best = self._best_safe(index, scores, words)
        confidence = min(1.0, float(scores[best]))
        if confidence < self.threshold:
            return Match(text, None, confidence)
        decisive = _decisive(index, best)
        if ((not index.consequential[best] and _said_of_something_unknown(index, words, decisive))
                or _names_something_unknown(index, words, decisive)
                or _with_someone_else(index, words)):
            return Match(text, None, confidence)
        slots = {**index.slots[best], **digit_slots}
        return Match(text, index.intents[best], confidence, slots)

    def _best_safe(self, index: _ContextIndex, scores: np.ndarray, words: list[str]) -> int:
        """The best-scoring sentence that is harmless or safe to act on, among the best
        CANDIDATES. Those scoring above the threshold are searched first: they are few, and most
        answers are among them, so the partition of every sentence's score (a quarter of a
        millisecond on the main context) is only needed when none of them will do."""
        best = int(np.argmax(scores))
        if not index.consequential[best]:
            return best
        strong = np.flatnonzero(scores >= self.threshold)
        for rows in (strong, index.every_row):
            top = _best_of(scores, rows)
            for row in top:
                if not index.consequential[row] or self._safe(index, int(row),
                                                             float(scores[row]), words):
                    return int(row)
            if len(top) == CANDIDATES:
                break
        return int(np.argmax(np.where(index.consequential, 0.0, scores)))

    def _safe(self, index: _ContextIndex, row: int, score: float, words: list[str]) -> bool:
        """Whether a sentence that changes or ends something may be acted on: a high enough
        score, one of its decisive words said ("I don't want my order" is only "not" and
        "order"), and none of them negated unless the sentence negates it too ("I don't want
        it any more" may cancel; "don't cancel" may not). A sentence whose only content words
        are negators or ASSENT says what it means with its stopwords ("I don't want it", "no,
        that's it", "aye, that's me"), so every word of it must be said: "hasn't it" is no
        return. A yes that confirms a change has no negation in it at all ("certainly not" is
        no yes); a goodbye has no word of anything else (SAID_ALONE), which is all the evidence
        it needs: its words are few and others share them ("nothing else", "I'm all set"), so it
        may have no decisive word. Nor is a change the caller only threatens (THREAT) asked for.
        Nor may the sentence negate a decisive word the caller said plainly ("it does not work"
        is no reading of "I'd like to work"; a goodbye's "no" answers the bot: "no, I'm good"),
        and nothing DESTRUCTIVE is done on words that stop UNFINISHED."""
        if index.intents[row] in CONFIRMS:
            return not NEGATORS & set(words) or bool(NEGATORS & set(index.sentence_words[row]))
        if score < self.consequential_threshold or (
                index.intents[row] in SAID_ALONE
                and not _all_its_own(index, index.intents[row], words)) or (
                index.intents[row] in DESTRUCTIVE and bool(words) and words[-1] in UNFINISHED):
            return False
        sentence = index.sentence_words[row]
        if (set(content_words(sentence)) <= NEGATORS | ASSENT
                and not set(sentence) <= set(words)):
            return False
        decisive = _decisive(index, row)
        said = {form for word in words for form in index.near_forms(word)}
        if not decisive & said and index.intents[row] not in SAID_ALONE:
            return False
        negated = {form for word in _negated(words) for form in index.near_forms(word)}
        sentence_negates = _negated(sentence)
        wrongly_negated = (negated - sentence_negates) & decisive
        affirmed = (set() if index.intents[row] in SAID_ALONE
                    else (sentence_negates & decisive & said) - negated)
        if (wrongly_negated or affirmed or THREAT.search(" ".join(words))
                or _another_change_named(index.intents[row], sentence, words)):
            return False
        return not _about_something_else(index, index.intent_words[index.intents[row]], words,
                                         decisive,
                                         past_a_particle=index.intents[row] not in DESTRUCTIVE)

    def match_first(self, text: str, contexts: Sequence[str]) -> Match:
        """The meaning in the first of the contexts that understands the utterance (a dialog
        phase listens in several: "confirm", then "main")."""
        for context in contexts:
            found = self.match(text, context)
            if found.intent is not None:
                return found
        return Match(text, None, 0.0)

    def _scores(self, index: _ContextIndex, tokens: list[str]) -> np.ndarray:
        """F-beta of every signature of the context against the utterance's content words.
        This runs for every utterance over every sentence of the context, so it makes as few
        passes over them as it can: a word said exactly once adds the same amount to what the
        sentence explains of the utterance and to what the utterance covers of the sentence,
        so it is added once for both; and the F-beta is folded into six passes."""
        exact: Counter[int] = Counter()
        """Columns said exactly, with how many times."""
        near: list[tuple[list[tuple[int, float]], float]] = []
        """Words said that stand for near forms, with their weights."""
        said: dict[int, float] = {}
        said_weight = 0.0
        for token in tokens:
            columns = index.similar_words(token)
            weight = max((float(index.weights[c]) for c, _ in columns),
                         default=index.unknown_weight)
            said_weight += weight
            for column, similarity in columns:
                said[column] = max(said.get(column, 0.0), similarity)
            if len(columns) == 1 and columns[0][1] == 1.0:
                exact[columns[0][0]] += 1
            elif columns:
                near.append((columns, weight))
        rows = len(index.intents)
        scratch = np.empty(rows, dtype=np.float32)
        covered = np.zeros(rows, dtype=np.float32)
        for column in exact:
            _add_column(index, covered, column, float(index.weights[column]), scratch)
        explained = np.add(covered, NOTHING_EXPLAINED, dtype=np.float32)
        for column, times in exact.items():
            if times > 1:
                _add_column(index, explained, column, (times - 1) * float(index.weights[column]),
                            scratch)
        for columns, weight in near:
            explained += np.multiply(_coverage(index, columns, scratch), weight, out=scratch)
        for column, similarity in said.items():
            if column not in exact:
                _add_column(index, covered, column, similarity * float(index.weights[column]),
                            scratch)
        recall = np.multiply(covered, index.inverse_totals, out=covered)
        beta2 = BETA * BETA
        score: np.ndarray = np.multiply(explained, recall, out=scratch)
        denominator = np.multiply(explained, beta2 / said_weight, out=explained)
        denominator += recall
        score /= denominator
        score *= (1 + beta2) / said_weight
        return score


def _add_column(index: _ContextIndex, total: np.ndarray, column: int, amount: float,
                scratch: np.ndarray) -> None:
    """Add amount to total in every row that has the column's word."""
    dense = index.dense.get(column)
    if dense is None:
        total[index.rows_having[column]] += amount
    else:
        total += np.multiply(dense, amount, out=scratch)


def _best_of(scores: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Up to CANDIDATES of the rows, best score first (ties by row)."""
    if len(rows) > CANDIDATES:
        rows = rows[np.argpartition(-scores[rows], CANDIDATES - 1)[:CANDIDATES]]
    return rows[np.lexsort((rows, -scores[rows]))]


def _coverage(index: _ContextIndex, columns: list[tuple[int, float]],
              scratch: np.ndarray) -> np.ndarray:
    """How well each sentence has one word the caller said, given the vocabulary columns that
    word may stand for (a word and its near forms): the best similarity per sentence, built in
    scratch."""
    scratch.fill(0.0)
    for column, similarity in columns:
        dense = index.dense.get(column)
        if dense is None:
            rows = index.rows_having[column]
            scratch[rows] = np.maximum(scratch[rows], similarity)
        else:
            np.maximum(scratch, dense * similarity, out=scratch)
    return scratch


def _clauses(parts: list[str]) -> list[list[str]]:
    """The words of each clause of a transcript (its parts between CLAUSE_BREAKs), without the
    clauses that only start an earlier one again or stop before their noun: Whisper's decoding
    loops end that way ("What is my capital and friends. What's", "What's the capital and
    friends. What's my"), and such a tail is no request of its own."""
    clauses: list[list[str]] = []
    for words in map(normalize_heard, parts):
        if (words and words[-1] not in CUT_OFF_AFTER
                and not any(earlier[: len(words)] == words for earlier in clauses)):
            clauses.append(words)
    return clauses


def _said_once(parts: list[str]) -> list[str] | None:
    """The words of a transcript (its parts between CLAUSE_BREAKs) that is one clause said over
    and over, the last time perhaps cut short ("Where is my weather? Where's my weather? Where
    is", a Whisper decoding loop): that clause once, since the repeats add nothing but weight
    to its words. None otherwise. Parts that do not all start with the same two letters are no
    such loop, and are not normalised to find out: most transcripts with a comma are not."""
    if len(parts) < 2 or any(part.strip()[:2].lower() != parts[0].strip()[:2].lower()
                             for part in parts[1:]):
        return None
    clauses = [words for words in map(normalize_heard, parts) if words]
    if len(clauses) < 2 or any(words != clauses[0][: len(words)] for words in clauses[1:]):
        return None
    return clauses[0]


def _after_self_correction(text: str) -> str:
    """What the caller said after the last time they took something back, when there is
    something both before and after it; otherwise the whole text ("No, sorry." is an answer)."""
    corrections = list(SELF_CORRECTION.finditer(text))
    if not corrections:
        return text
    before, after = text[: corrections[-1].start()], text[corrections[-1].end() :]
    return after if normalize(before) and normalize(after) else text


def _decisive(index: _ContextIndex, row: int) -> set[str]:
    """The words of a sentence that few intents share: what it turns on."""
    return {word for word in index.sentence_words[row] if word in index.column
            and index.weights[index.column[word]] >= index.decisive_weight}


def _about_something_else(index: _ContextIndex, own: frozenset[str], words: Sequence[str],
                          decisive: set[str], past_a_particle: bool = False) -> bool:
    """Whether the decisive words are about something else: one (or a near form of one, "change"
    for "changing") is followed (past stopwords) by a word no sentence of the intent has ("cancel
    the music", "see the airport", "change my email address"), or said of a subject the intent
    does not know ("the car won't start", "my internet isn't working"), and none is
    followed by a word the intent has ("I ordered the wrong size by accident, stop it"). The
    intent's own words, not the whole context's: the FAQ knows "account" and "holidays", which
    does not make "cancel my account" an order's cancellation.

    past_a_particle looks only where a particle right after the decisive word gives it another
    sense ("return to my hotel", "change into my pyjamas"): for a return or an exchange, whose
    objects are any product a shop sells ("return the ring"), an unknown object alone proves
    nothing."""
    objects = []
    for at, word in enumerate(words):
        if not index.near_forms(word) & decisive:
            continue
        subject = _subject(index, words, at)
        if (subject is not None and subject not in STOPWORDS
                and not index.near_forms(subject) & own):
            objects.append(False)
            continue
        rest = words[at + 1 :]
        if past_a_particle:
            if not rest or (rest[0] not in PARTICLES and rest[0] not in OF_WHAT):
                continue
            rest = rest[1:]
        first = next((i for i, w in enumerate(rest)
                      if w not in STOPWORDS and w not in WHEN_OR_HOW), None)
        if first is None or rest[first][:1] == "{":
            continue
        objects.append(bool(index.near_forms(_head_noun(index, rest, first)) & own))
    return bool(objects) and not any(objects)


def _meaningful_words(index: _ContextIndex,
                      normalized: list[str]) -> tuple[list[str], dict[str, str]]:
    """The words the context reads (numbers taken out as slots, split words joined, word-class
    words as their class, padding it does not use dropped) and the numbers' slots."""
    words, digit_slots = _extract_digits(normalized, index.digit_slots)
    words = _without_giving_the_number(words)
    classed = _without_names_of_things(index, index.classed(_joined_splits(index, words)))
    return ([word for word in classed if word not in DISCOURSE or word in index.column],
            digit_slots)


def _without_names_of_things(index: _ContextIndex, words: list[str]) -> list[str]:
    """The words without those that only name which thing a word-class word is: a word the
    context does not know right before one ("walking" in "the walking boots", "hiking" in "a
    hiking backpack") is part of the product's name, which no sentence can have."""
    return [word for word, after in zip_longest(words, words[1:], fillvalue="")
            if after not in index.class_words or word in STOPWORDS or word[:1] == "{"
            or word in index.column]


def _without_giving_the_number(words: list[str]) -> list[str]:
    """The words without "the order (number) is" before a number, when the request is said
    apart from it ("where's my parcel, the order is 48213"): those words only hand over the
    number, and "order" would pull the request towards the order's status."""
    joined = " ".join(words)
    rest = GIVING_THE_NUMBER.sub("", joined).split()
    request = [word for word in rest
               if word[:1] != "{" and word not in STOPWORDS and word not in DISCOURSE]
    return rest if request and len(rest) < len(words) else words


def _all_its_own(index: _ContextIndex, intent: str, words: Sequence[str]) -> bool:
    """Whether every content word said is one the intent's sentences have (or a near form)."""
    own = index.intent_words[intent]
    return all(index.near_forms(word) & own for word in content_words(words))


def _said_of_something_unknown(index: _ContextIndex, words: Sequence[str],
                               decisive: set[str]) -> bool:
    """Whether every decisive word said is said of a subject the context does not know at all
    ("the library is open", "the project is on track")."""
    if DETERMINERS.isdisjoint(words):
        return False
    return _all_of_unknown(index, [_subject(index, words, at) for at, word in enumerate(words)
                                   if index.near_forms(word) & decisive])


def _names_something_unknown(index: _ContextIndex, words: Sequence[str],
                             decisive: set[str]) -> bool:
    """Whether every decisive word said goes with a noun the context does not know at all."""
    return _all_of_unknown(index, [_noun_it_goes_with(index, words, at)
                                   for at, word in enumerate(words)
                                   if index.near_forms(word) & decisive])


def _noun_it_goes_with(index: _ContextIndex, words: Sequence[str], at: int) -> str | None:
    """The noun words[at] only says which one is, right after a BEFORE_A_MODIFIER word and
    right before it ("key" in "the return key is stuck", "van" in "the postman's van broke
    down"; not after "this", "that" or "her", which may stand alone: "this is ridiculous"), or
    the noun a BEFORE_AN_OBJECT word after words[at] and its auxiliaries starts ("steps" in
    "track my steps", "voice" in "excuse my voice", "weather" in "where is my weather"; of a
    compound, a word of it the context knows: "order" in "where is my Nike order"), or the
    noun "about" or "for" and a BEFORE_A_TOPIC word start ("noise" in "a complaint about the
    noise", "plumber" in "waiting for the plumber"), if the word there is a noun; None when
    there is no such word."""
    if (0 < at < len(words) - 1 and words[at - 1] in BEFORE_A_MODIFIER
            and words[at + 1] not in STOPWORDS):
        return words[at + 1]
    after = list(dropwhile(AUXILIARIES.__contains__, words[at + 1 :]))
    if len(after) > 2 and after[0] in ("about", "for") and after[1] in BEFORE_A_TOPIC:
        after = after[1:]
    elif len(after) < 2 or after[0] not in BEFORE_AN_OBJECT:
        return None
    compound = list(takewhile(lambda word: word not in STOPWORDS and word not in WHEN_OR_HOW,
                              after[1:]))
    return next((word for word in compound if index.near_forms(word)), after[1])


def _all_of_unknown(index: _ContextIndex, nouns: list[str | None]) -> bool:
    """Whether there are nouns and each is a word the context does not know at all."""
    return bool(nouns) and all(noun is not None and noun not in STOPWORDS
                               and not index.near_forms(noun) for noun in nouns)


def _another_change_named(intent: str, sentence: Sequence[str], words: Sequence[str]) -> bool:
    """Whether the caller named a change other than the sentence's own intent (NAMED_BY, in any
    form: "exchanged", "cancelling"), and neither the intent's own name nor a name in the
    sentence: "it doesn't fit, I want to exchange it" is no return. Forms, not near words:
    "change the address" names no exchange, nor does "not an exchange"."""
    negated = _negated(words)
    named = {other for other, names in NAMED_BY.items()
             if any(word.startswith(name) for word in words if word not in negated
                    for name in names)}
    return bool(named) and intent not in named and not any(
        word.startswith(name) for other in named for name in NAMED_BY[other]
        for word in sentence)


def _with_someone_else(index: _ContextIndex, words: Sequence[str]) -> bool:
    """Whether the request is placed with, at or told to a place the context knows nothing of
    ("change my address with the council", "my order at the restaurant was wrong", "tell the
    council about my change of address"), is an order of something it knows nothing of ("my
    order of fish came without the sauce"), or has a new thing it knows nothing of brought
    ("can I get a pizza delivered to my house"): it is someone else's business, however well
    the rest fits; so is one placed with a party the context knows by name (OTHER_PARTIES), and
    one with a word of THEIR_BUSINESS."""
    return not THEIR_BUSINESS.isdisjoint(words) or any(
        _names_someone_else_next(words, at)
        and (not index.near_forms(words[at + 2]) or _another_party(words, at + 2))
        for at in range(len(words) - 2))


def _another_party(words: Sequence[str], at: int) -> bool:
    """Whether words[at] names one of OTHER_PARTIES by itself ("with the bank"), not as part of
    a name the shop uses ("with the bank transfer")."""
    return words[at] in OTHER_PARTIES and (at + 1 == len(words) or words[at + 1] in STOPWORDS)


def _names_someone_else_next(words: Sequence[str], at: int) -> bool:
    """Whether words[at] and words[at + 1] open a phrase whose next word, words[at + 2], is
    another party or another party's thing."""
    word, after = words[at], words[at + 1]
    return ((word in PLACED_WITH and after in DETERMINERS)
            or (word == "order" and after == "of")
            or (word in ("get", "have") and after in ("a", "an", "some")
                and words[at + 3 : at + 4] in BROUGHT))


def _subject(index: _ContextIndex, words: Sequence[str], at: int) -> str | None:
    """The noun a determiner starts right before words[at], past auxiliaries and negators: the
    subject of a verb ("car" in "the car will not start", "pool" in "is the swimming pool open": a
    word the context does not know may come between, unless what follows it is a participle, which
    it is the subject of: "vet" in "the vet is running late"); None when the word there is no such
    noun ("thanks" in "great thanks", "cancel" in "the order now, cancel it"), is someone the caller
    acts for ("can my daughter swap her trainers"), or describes words[at] ("wrong" in "the wrong
    size"), or when words[at] is a verb's particle ("send the thingy back": the noun before it is
    the verb's object)."""
    before = [word for word in words[:at] if word not in AUXILIARIES and word not in NEGATORS]
    if (len(before) < 2 or before[-1] in PEOPLE or before[-1] in MODIFIERS
            or words[at] in PARTICLES or words[at] == "back"):
        return None
    if before[-2] in DETERMINERS:
        return before[-1]
    if (len(before) >= 3 and before[-3] in DETERMINERS and before[-2] not in STOPWORDS
            and not index.near_forms(before[-2])):
        return before[-2] if before[-1].endswith("ing") else before[-1]
    return None


def _head_noun(index: _ContextIndex, words: Sequence[str], at: int) -> str:
    """The word that names what words[at] begins. English puts the head of a compound last:
    in "cancel my phone contract" the thing cancelled is the contract, not the phone. Only a
    word-class word ("phone" is an item) is read as a modifier, and only of a word straight
    after it that the context does not know at all: "cancel my order immediately" cancels the
    order."""
    after = words[at + 1] if at + 1 < len(words) else None
    if (after is None or after in STOPWORDS or words[at] not in index.class_words
            or index.near_forms(after)):
        return words[at]
    return after


def _joined_splits(index: _ContextIndex, words: list[str]) -> list[str]:
    """The words with a word a recogniser split in two joined again ("re fund" is "refund",
    "or der" is "order", "per fume" is "perfume"): two halves whose join the context knows (or
    is a word of a word class), one of which it does not know and that is no stopword, so that
    two words that each mean something stay apart."""
    joined: list[str] = []
    for word in words:
        whole = joined[-1] + word if joined else ""
        if (whole in index.column or whole in index.word_classes) and any(
                half not in index.column and half not in STOPWORDS
                for half in (joined[-1], word)):
            joined[-1] = whole
        else:
            joined.append(word)
    return joined


def _negated(words: Sequence[str]) -> set[str]:
    """The words a negator negates: the first word after it that says something, past
    stopwords and verbs of saying or thinking ("do not want to cancel", "I never said cancel",
    "no need to send it back"; but "no thank you, bye" negates only "thank"), and, when it is
    a noun that something is done to, the words from it to the participle ("I don't want the
    delivery address changed": no stopword between, and the participle within
    NEGATED_PHRASE words). Without a participle nothing more is negated: "it hasn't come,
    cancel it", heard without its comma, still cancels."""
    negated = set()
    for at, negator in enumerate(words):
        if negator not in NEGATORS:
            continue
        distance = 0
        for offset, word in enumerate(words[at + 1 :], start=at + 1):
            if word in SAYING:
                continue
            distance += 1
            if distance > NEGATION_REACH:
                break
            if word not in STOPWORDS:
                negated.add(word)
                negated.update(_up_to_a_participle(words[offset + 1 : offset + NEGATED_PHRASE]))
                break
    return negated


def _up_to_a_participle(words: Sequence[str]) -> list[str]:
    """The words up to and with the first participle ("address changed", "order cancelling"),
    none if a stopword comes first or there is no participle."""
    run = list(takewhile(lambda word: word not in STOPWORDS, words))
    ends = [at for at, word in enumerate(run) if word.endswith(("ed", "ing"))]
    return run[: ends[0] + 1] if ends else []


def _extract_digits(words: list[str],
                    slots: tuple[SlotList, ...]) -> tuple[list[str], dict[str, str]]:
    """Replace the longest fitting digit run with its slot's placeholder; return the value.
    Where a number is asked for, homophones of digits next to number words count as digits
    ("for eight two one three"); the words are left as they were if no run fits a slot."""
    if not slots:
        return words, {}
    heard = with_digit_homophones(words)
    runs = sorted(find_digit_runs(heard), key=lambda run: len(run.digits), reverse=True)
    for run in runs:
        for slot in slots:
            spec = slot.digits
            if spec and spec.min_digits <= len(run.digits) <= spec.max_digits:
                replaced = [*heard[: run.start], slot.placeholder(), *heard[run.end :]]
                return replaced, {slot.name: run.digits}
    return words, {}
