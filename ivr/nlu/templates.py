"""Sentence templates: `[optional]`, `(a | b)`, `{slot_list}` (or `{slot_list except value …}`)
and `<rule>`, parsed and expanded.

A template is parsed once into a small tree of frozen nodes and expanded lazily into every
concrete sentence it stands for, so one grammar can feed both the matcher and (later) the speech
recogniser's vocabulary.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

MAX_EXPANSIONS = 20_000
"""A template that expands to more sentences than this is almost surely a mistake."""


class TemplateSyntaxError(ValueError):
    """A template does not parse; `column` is 1-based within the template text."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"column {column}: {message}")
        self.column = column


@dataclass(frozen=True, slots=True)
class Word:
    """A literal word."""

    text: str


@dataclass(frozen=True, slots=True)
class ListRef:
    """`{name}`: one value of a slot list, which also fills the slot of that name.
    `{name except a b}`: any value but those, for a sentence that means something else when
    said with them (a wrong item is a ticket, not a reason to start a return)."""

    name: str
    excluded: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleRef:
    """`<name>`: the expansion of a named rule, inlined."""

    name: str


@dataclass(frozen=True, slots=True)
class Sequence:
    """Items one after another."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Choice:
    """One of several sequences; `[x]` is a choice between x and nothing."""

    options: tuple[Sequence, ...]


Node = Word | ListRef | RuleRef | Sequence | Choice

_CLOSERS = {"(": ")", "[": "]"}


def parse_template(text: str) -> Sequence:
    """Parse a template; raise TemplateSyntaxError naming the column of the problem."""
    parser = _Parser(text)
    choice = parser.parse_choice(closer=None)
    if len(choice.options) == 1:
        return choice.options[0]
    return Sequence((choice,))


class _Parser:
    """Recursive descent over the characters of one template."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def parse_choice(self, closer: str | None, opened_at: int = 0) -> Choice:
        options = [self.parse_sequence(closer)]
        while self.pos < len(self.text) and self.text[self.pos] == "|":
            self.pos += 1
            options.append(self.parse_sequence(closer))
        if closer is not None:
            if self.pos >= len(self.text):
                raise TemplateSyntaxError(f"missing {closer!r} for the group opened here",
                                          opened_at + 1)
            self.pos += 1
        return Choice(tuple(options))

    def parse_sequence(self, closer: str | None) -> Sequence:
        items: list[Node] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in ("|", closer):
                break
            if char.isspace():
                self.pos += 1
            elif char in _CLOSERS:
                items.append(self._group(char))
            elif char in ")]}>":
                raise TemplateSyntaxError(f"unexpected {char!r}", self.pos + 1)
            elif char == "{":
                items.append(self._list_ref())
            elif char == "<":
                items.append(RuleRef(self._name("<", ">")))
            else:
                items.append(Word(self._word()))
        return Sequence(tuple(items))

    def _group(self, opener: str) -> Choice:
        start = self.pos
        self.pos += 1
        choice = self.parse_choice(closer=_CLOSERS[opener], opened_at=start)
        if all(not option.items for option in choice.options):
            raise TemplateSyntaxError(f"empty {opener}{_CLOSERS[opener]}", start + 1)
        if opener == "[":
            return Choice((*choice.options, Sequence(())))
        return choice

    def _list_ref(self) -> ListRef:
        start = self.pos
        name, *rest = self._bracketed("{", "}").split() or [""]
        if rest and rest[0] != "except":
            raise TemplateSyntaxError(f"bad name {' '.join((name, *rest))!r} in {{}}",
                                      start + 1)
        if rest == ["except"]:
            raise TemplateSyntaxError("write {list except value …} to leave values out",
                                      start + 1)
        for word in (name, *rest[1:]):
            _check_name(word, "{}", start)
        return ListRef(name, tuple(rest[1:]))

    def _name(self, opener: str, closer: str) -> str:
        start = self.pos
        name = self._bracketed(opener, closer)
        _check_name(name, opener + closer, start)
        return name

    def _bracketed(self, opener: str, closer: str) -> str:
        """What stands between the opener at the current position and its closer."""
        end = self.text.find(closer, self.pos)
        if end < 0:
            raise TemplateSyntaxError(f"missing {closer!r} after {opener!r}", self.pos + 1)
        content = self.text[self.pos + 1 : end].strip()
        self.pos = end + 1
        return content

    def _word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and not (
            self.text[self.pos].isspace() or self.text[self.pos] in "|()[]{}<>"
        ):
            self.pos += 1
        return self.text[start : self.pos]


def _check_name(name: str, brackets: str, at: int) -> None:
    if not name.replace("_", "").isalnum():
        raise TemplateSyntaxError(f"bad name {name!r} in {brackets}", at + 1)


@dataclass(frozen=True, slots=True)
class Expansion:
    """One concrete sentence: its words and the slot values chosen while expanding it."""

    words: tuple[str, ...]
    slots: tuple[tuple[str, str], ...] = ()

    def __add__(self, other: Expansion) -> Expansion:
        return Expansion(self.words + other.words, self.slots + other.slots)


ListExpander = Callable[[ListRef], Iterator[Expansion]]
RuleExpander = Callable[[str], Iterator[Expansion]]


def expand(node: Node, lists: ListExpander, rules: RuleExpander) -> Iterator[Expansion]:
    """Every sentence `node` stands for; lists and rules are resolved by the callbacks."""
    match node:
        case Word(text):
            yield Expansion((text,))
        case ListRef():
            yield from lists(node)
        case RuleRef(name):
            yield from rules(name)
        case Choice(options):
            for option in options:
                yield from expand(option, lists, rules)
        case Sequence(items):
            parts = [list(expand(item, lists, rules)) for item in items]
            for combination in itertools.product(*parts):
                total = Expansion(())
                for part in combination:
                    total = total + part
                yield total


def references(node: Node) -> Iterator[ListRef | RuleRef]:
    """Every list and rule a template refers to, for checking they exist."""
    match node:
        case ListRef() | RuleRef():
            yield node
        case Choice(options):
            for option in options:
                yield from references(option)
        case Sequence(items):
            for item in items:
                yield from references(item)
        case Word():
            pass
