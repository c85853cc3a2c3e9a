"""`ivr grammar check`: problems a grammar can load with but should not ship with."""

from __future__ import annotations

from dataclasses import dataclass

from ivr.nlu.grammar import Grammar, Location


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding, printed as `file:line: message`."""

    where: Location | str
    """The file and line, or the folder for whole-grammar problems."""
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def check_grammar(grammar: Grammar) -> list[Problem]:
    """Empty intents and sentences that two intents of one context both claim."""
    problems = [
        Problem(intent.where, f"intent {intent.name} has no sentences; add some or remove it")
        for intent in grammar.intents.values()
        if not intent.templates
    ]
    problems.extend(_ambiguous_sentences(grammar))
    return problems


def _ambiguous_sentences(grammar: Grammar) -> list[Problem]:
    problems: list[Problem] = []
    for context in grammar.contexts():
        owner: dict[tuple[str, ...], tuple[str, Location]] = {}
        reported: set[tuple[str, str]] = set()
        for sentence in grammar.sentences(context):
            first = owner.setdefault(sentence.words, (sentence.intent, sentence.where))
            pair = (first[0], sentence.intent)
            if first[0] != sentence.intent and pair not in reported:
                reported.add(pair)
                problems.append(Problem(
                    sentence.where,
                    f"{sentence.text!r} matches both {first[0]} ({first[1]}) and "
                    f"{sentence.intent} in context {context}; reword one of the templates",
                ))
    return problems
