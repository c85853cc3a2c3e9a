"""`ivr grammar check`: problems a grammar can load with but should not ship with."""

from __future__ import annotations

from dataclasses import dataclass

from ivr.nlu.faq import FAQ_SLOT
from ivr.nlu.grammar import Grammar, Location, Sentence
from ivr.nlu.matcher import content_words


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding, printed as `file:line: message`."""

    where: Location | str
    """The file and line, or the folder for whole-grammar problems."""
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def check_grammar(grammar: Grammar, about: str | None = None) -> list[Problem]:
    """Empty intents, and sentences of two intents (or FAQ entries) in one context that the
    matcher cannot tell apart: the same words, or the same content words once stopwords are
    dropped. With `about`, only the problems that involve that intent."""
    problems = [
        Problem(intent.where, f"intent {intent.name} has no sentences; add some or remove it")
        for intent in grammar.intents.values()
        if not intent.templates and about in (None, intent.name)
    ]
    problems.extend(_ambiguous_sentences(grammar, about))
    return problems


def _ambiguous_sentences(grammar: Grammar, about: str | None) -> list[Problem]:
    problems: list[Problem] = []
    for context in grammar.contexts():
        by_words: dict[tuple[str, ...], Sentence] = {}
        by_content: dict[frozenset[str], Sentence] = {}
        reported: set[tuple[Location, Location]] = set()
        for sentence in grammar.sentences(context):
            first = by_words.setdefault(sentence.words, sentence)
            same_words = _meaning(first) != _meaning(sentence)
            if not same_words:
                classed = [grammar.word_classes.get(word, word) for word in sentence.words]
                first = by_content.setdefault(frozenset(content_words(classed)), sentence)
            if _meaning(first) == _meaning(sentence) or (first.where, sentence.where) in reported:
                continue
            if about not in (None, first.intent, sentence.intent):
                continue
            reported.add((first.where, sentence.where))
            how = "matches both" if same_words else "has the same content words as"
            problems.append(Problem(
                sentence.where,
                f"{sentence.text!r} ({sentence.intent}) {how} {first.text!r} ({first.intent}, "
                f"{first.where}) in context {context}; reword one of the templates",
            ))
    return problems


def _meaning(sentence: Sentence) -> tuple[str, str | None]:
    """What the bot does with a sentence: its intent, and for the FAQ which answer it gives."""
    return sentence.intent, dict(sentence.slots).get(FAQ_SLOT)
