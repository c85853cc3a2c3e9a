"""The grammar: intents with sentence templates, slot lists and rules, as small frozen records.

One Grammar feeds both the intent matcher and the speech recognisers' vocabularies, so what the
bot can hear and what it can understand never drift apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from ivr.nlu.normalize import normalize
from ivr.nlu.numbers import spell_digits
from ivr.nlu.templates import MAX_EXPANSIONS, Expansion, ListRef, Sequence, expand


@dataclass(frozen=True, slots=True)
class Location:
    """Where something was written, for error messages."""

    path: str
    """The grammar file."""
    line: int
    """1-based line number."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Template:
    """One sentence template as written, and its parse tree."""

    text: str
    """The template source, e.g. "where is [my] order"."""
    root: Sequence
    """The parsed template."""
    where: Location
    """The file and line it came from."""


@dataclass(frozen=True, slots=True)
class SlotValue:
    """One value of a slot list and the ways people say it."""

    value: str
    """What the slot is set to, e.g. "damaged"."""
    phrases: tuple[Template, ...]
    """Templates for the words that mean this value."""


@dataclass(frozen=True, slots=True)
class DigitsSpec:
    """A slot filled with a spoken or keyed digit string instead of a list value."""

    min_digits: int
    """Shorter digit runs are not this slot (so "one item" is not an order number)."""
    max_digits: int
    """Longer runs are not this slot either."""
    example: str
    """A valid value, used to test the templates that contain the slot."""


@dataclass(frozen=True, slots=True)
class SlotList:
    """A named slot: either a list of values or a digit string."""

    name: str
    """The slot name, referenced as {name} in templates."""
    where: Location
    """Where the list was defined."""
    values: tuple[SlotValue, ...] = ()
    """The values, for a list slot."""
    digits: DigitsSpec | None = None
    """The digit-string rules, for a digits slot."""
    fills: str | None = None
    """The slot a value list fills when it is not its own name: the words for a rating
    ("great") fill `rating` as its numbers do, yet a sentence can name the numbers alone
    ("{rating} stars", so "five stars, great" is a five and never "great stars")."""

    @property
    def slot(self) -> str:
        """The slot its values fill."""
        return self.fills or self.name

    def placeholder(self) -> str:
        """The token standing for a digits slot inside an expanded sentence."""
        return "{" + self.name + "}"


@dataclass(frozen=True, slots=True)
class Intent:
    """Something a caller can want, and the sentences that say it."""

    name: str
    """The intent name (`ivr nlu`'s output: callers' tools rely on the names)."""
    contexts: tuple[str, ...]
    """Dialog contexts in which the intent is listened for."""
    templates: tuple[Template, ...]
    """The sentence templates."""
    where: Location
    """Where the intent was defined."""


@dataclass(frozen=True, slots=True)
class Sentence:
    """One expanded, normalised sentence of an intent."""

    words: tuple[str, ...]
    """Normalised words; a digits slot appears as its placeholder, e.g. "{order_number}"."""
    intent: str
    """The intent the sentence belongs to."""
    slots: tuple[tuple[str, str], ...]
    """List-slot values chosen by this sentence."""
    where: Location
    """The template it was expanded from."""

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class Grammar:
    """Every intent, list and rule of one language, loaded from grammars/<lang>/*.yaml."""

    intents: dict[str, Intent]
    """By name."""
    lists: dict[str, SlotList]
    """By slot name."""
    rules: dict[str, Template]
    """Expansion rules by name, referenced as <name>."""
    frustration: tuple[Template, ...] = ()
    """Phrases that show a caller is fed up; any of them sends the call to a person."""
    faq_answers: dict[str, str] = field(default_factory=dict)
    """The FAQ's answers by entry id (the `faq` intent's `faq_id` slot)."""
    word_classes: dict[str, str] = field(default_factory=dict)
    """Word -> the class word it is matched as ("trainers" -> "item"): the things callers name
    are too many to write into sentences, and mean the same to the bot."""
    _expanded_rules: dict[str, list[Expansion]] = field(default_factory=dict, repr=False)

    def words_of_class(self, name: str) -> frozenset[str]:
        """The words matched as a word class ("shoes", "mugs", ... for "item")."""
        return frozenset(word for word, of in self.word_classes.items() if of == name)

    def contexts(self) -> tuple[str, ...]:
        """Every context some intent is listened for in."""
        return tuple(sorted({c for intent in self.intents.values() for c in intent.contexts}))

    def intents_in(self, context: str) -> tuple[Intent, ...]:
        return tuple(i for i in self.intents.values() if context in i.contexts)

    def expand_template(self, template: Template) -> Iterator[Expansion]:
        """Every concrete word sequence of one template, with the list values it chose."""
        return expand(template.root, self._expand_list, self._expand_rule)

    @cached_property
    def all_sentences(self) -> tuple[Sentence, ...]:
        """Every sentence of every intent, normalised, without duplicates within an intent."""
        seen: set[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]] = set()
        out: list[Sentence] = []
        for intent in self.intents.values():
            for template in intent.templates:
                for expansion, where in self._located_expansions(template):
                    words = self.normalised_words(expansion.words)
                    key = (intent.name, words, expansion.slots)
                    if words and key not in seen:
                        seen.add(key)
                        out.append(Sentence(words, intent.name, expansion.slots, where))
        return tuple(out)

    def _located_expansions(self, template: Template) -> Iterator[tuple[Expansion, Location]]:
        """A template's expansions with where each was written: a template that is only a
        list ("{faq_id}") is written in the list's phrases, so those are where to look."""
        match template.root:
            case Sequence(items=(ListRef() as ref,)) if self.lists[ref.name].values:
                yield from self._list_values(ref)
            case _:
                for expansion in self.expand_template(template):
                    yield expansion, template.where

    def sentences(self, context: str) -> tuple[Sentence, ...]:
        """The sentences a caller may say in a context."""
        names = {intent.name for intent in self.intents_in(context)}
        return tuple(s for s in self.all_sentences if s.intent in names)

    def digit_slots(self, context: str) -> tuple[SlotList, ...]:
        """Digits slots whose placeholder occurs in the context's sentences."""
        used = {word for s in self.sentences(context) for word in s.words if word[:1] == "{"}
        return tuple(s for s in self.lists.values() if s.digits and s.placeholder() in used)

    def spoken_examples(self, context: str) -> Iterator[tuple[str, Sentence]]:
        """Each sentence of a context as a caller would say it: digits slots spelled out."""
        examples = {s.placeholder(): spell_digits(s.digits.example)
                    for s in self.digit_slots(context) if s.digits}
        for sentence in self.sentences(context):
            words = [examples.get(w, w) for w in sentence.words]
            yield " ".join(words), sentence

    def frustration_phrases(self) -> tuple[tuple[str, ...], ...]:
        """Normalised word sequences of every frustration phrase."""
        return tuple(
            self.normalised_words(e.words)
            for t in self.frustration
            for e in self.expand_template(t)
        )

    def normalised_words(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """Template words as the matcher compares them (placeholders kept)."""
        out: list[str] = []
        for word in words:
            out.extend((word,) if word[:1] == "{" else _normalized_word(word))
        return tuple(out)

    def _expand_list(self, ref: ListRef) -> Iterator[Expansion]:
        slot = self.lists[ref.name]
        if slot.digits:
            yield Expansion((slot.placeholder(),))
            return
        for expansion, _ in self._list_values(ref):
            yield expansion

    def _list_values(self, ref: ListRef) -> Iterator[tuple[Expansion, Location]]:
        """Each phrase of each value the reference keeps, filling the list's slot, with where
        the phrase was written."""
        for value in self.lists[ref.name].values:
            if value.value in ref.excluded:
                continue
            for phrase in value.phrases:
                for expansion in self.expand_template(phrase):
                    yield Expansion(expansion.words, ((self.lists[ref.name].slot, value.value),
                                                      *expansion.slots)), phrase.where

    def _expand_rule(self, name: str) -> Iterator[Expansion]:
        if name not in self._expanded_rules:
            expansions = list(self.expand_template(self.rules[name]))
            if len(expansions) > MAX_EXPANSIONS:
                raise ValueError(f"rule <{name}> expands to over {MAX_EXPANSIONS} sentences")
            self._expanded_rules[name] = expansions
        yield from self._expanded_rules[name]


@lru_cache(maxsize=8192)
def _normalized_word(word: str) -> tuple[str, ...]:
    """normalize() of one template word; a grammar repeats a few thousand words 10^6 times."""
    return tuple(normalize(word))
