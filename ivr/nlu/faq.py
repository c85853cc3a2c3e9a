"""The shop's FAQ: the questions callers ask and the answers the bot reads out, in a grammar
file's `faq:` section that the shop edits without code.

Each entry becomes a value of the `faq_id` slot list, its questions that value's phrases, and one
`faq` intent in context main says "{faq_id}": so FAQ questions are matched, linted and fed to
the recognisers' vocabulary exactly like every other sentence of the grammar.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ivr.errors import GrammarError
from ivr.nlu.grammar import Grammar, Intent, Location, SlotList, SlotValue, Template
from ivr.nlu.templates import parse_template
from ivr.nlu.yaml_nodes import error, loc, mapping, scalar, sequence, template_at

FAQ_INTENT = "faq"
FAQ_SLOT = "faq_id"
FAQ_CONTEXTS = ("main",)


@dataclass(frozen=True, slots=True)
class FaqEntry:
    """One question the shop answers."""

    id: str
    """Names the entry on the dashboard and in the agent's packet (the `faq_id` slot)."""
    questions: tuple[Template, ...]
    answer: str
    """What the bot says, read out like any prompt."""
    where: Location


def read_faq(node: yaml.Node, path: Path) -> list[FaqEntry]:
    """The entries of one file's `faq:` section; errors name the file and line."""
    entries = []
    for name, body in mapping(node, path, "faq"):
        fields = {key.value: value for key, value in mapping(body, path, f"faq {name.value}")}
        unknown = set(fields) - {"questions", "answer"}
        if unknown:
            raise error(path, body, f"faq {name.value}: unknown keys {sorted(unknown)}; an "
                        "entry has only 'questions' (a list) and 'answer' (a text)")
        if "answer" not in fields:
            raise error(path, name, f"faq {name.value} has no answer; add 'answer: <what the "
                        "bot says>'")
        answer = " ".join(scalar(fields["answer"], path).split())
        questions = tuple(template_at(q, path) for q in sequence(fields.get("questions"), path))
        if not questions:
            raise error(path, body, f"faq {name.value} has no questions; list how callers ask it")
        entries.append(FaqEntry(name.value, questions, answer, loc(path, name)))
    return entries


def faq_intent(entries: list[FaqEntry]) -> tuple[Intent, SlotList]:
    """The `faq` intent and the `faq_id` list that make the entries understood."""
    where = entries[0].where
    values = tuple(SlotValue(entry.id, entry.questions) for entry in entries)
    sentence = Template(f"{{{FAQ_SLOT}}}", parse_template(f"{{{FAQ_SLOT}}}"), where)
    return Intent(FAQ_INTENT, FAQ_CONTEXTS, (sentence,), where), SlotList(FAQ_SLOT, where,
                                                                          values=values)


def check_questions_are_distinct(grammar: Grammar, entries: list[FaqEntry]) -> None:
    """Refuse a question asked under two entries: the caller would get whichever answer the
    matcher met first. (Two templates of one entry may overlap: the answer is the same.)"""
    seen: dict[tuple[str, ...], tuple[str, Location]] = {}
    for entry in entries:
        for question in entry.questions:
            for expansion in grammar.expand_template(question):
                words = grammar.normalised_words(expansion.words)
                first = seen.setdefault(words, (entry.id, question.where))
                if first[0] != entry.id:
                    raise GrammarError(
                        f"{question.where}: the question {' '.join(words)!r} is also asked at "
                        f"{first[1]} ({first[0]}); keep it in one entry")
