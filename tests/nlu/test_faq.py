"""The shop's FAQ: understood like any request, and refused at startup with file:line when an
entry is broken."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ivr.errors import GrammarError
from ivr.nlu.faq import FAQ_INTENT
from ivr.nlu.grammar import Grammar
from ivr.nlu.lint import check_grammar
from ivr.nlu.loader import load_grammar
from ivr.nlu.matcher import Matcher

OTHER_INTENT = """
intents:
  cancel_order:
    sentences: ["cancel my order"]
"""


def faq_folder(tmp_path: Path, faq: str) -> Path:
    folder = tmp_path / "grammar"
    folder.mkdir()
    (folder / "intents.yaml").write_text(OTHER_INTENT)
    (folder / "faq.yaml").write_text(faq)
    return folder


def test_each_entry_is_understood_with_its_id(tmp_path: Path) -> None:
    grammar = load_grammar(faq_folder(tmp_path, """
faq:
  opening_hours:
    questions: ["(when|what time) do you (open|close)"]
    answer: "Nine to five."
  gift_cards:
    questions: ["do you sell gift cards"]
    answer: >-
      Yes, on the website.
"""))
    matcher = Matcher(grammar)
    found = matcher.match("What time do you close?")
    assert (found.intent, found.slots) == (FAQ_INTENT, {"faq_id": "opening_hours"})
    assert matcher.match("do you sell gift cards").slots == {"faq_id": "gift_cards"}
    assert grammar.faq_answers == {"opening_hours": "Nine to five.",
                                   "gift_cards": "Yes, on the website."}
    assert matcher.match("cancel my order").intent == "cancel_order"


@pytest.mark.parametrize(("faq", "line", "message"), [
    ("faq:\n  hours:\n    questions: [\"when do you open\"]\n", 2, "has no answer"),
    ("faq:\n  hours:\n    questions: [\"when do you open\"]\n    answer: \"  \"\n", 4,
     "expected a non-empty text"),
    ("faq:\n  hours:\n    questions: []\n    answer: \"Nine.\"\n", 3, "has no questions"),
    ("faq:\n  hours:\n    questions: [\"when (do you open\"]\n    answer: \"Nine.\"\n", 3,
     "missing ')'"),
    ("faq:\n  hours:\n    questions: [\"when do you open\"]\n    answer: \"Nine.\"\n"
     "    colour: red\n", 3, "unknown keys ['colour']"),
    ("faq:\n  hours:\n    questions: [\"when do you open\"]\n    answer: \"Nine.\"\n"
     "  times:\n    questions: [\"(when|what time) do you open\"]\n    answer: \"9.\"\n", 6,
     "the question 'when do you open' is also asked at"),
    ("faq:\n  hours:\n    questions: [\"when do you open\"]\n    answer: \"Nine.\"\n"
     "  hours:\n    questions: [\"opening times\"]\n    answer: \"9.\"\n", 5,
     "already defined"),
])
def test_a_broken_entry_is_refused_with_file_line_and_fix(tmp_path: Path, faq: str, line: int,
                                                          message: str) -> None:
    folder = faq_folder(tmp_path, faq)
    with pytest.raises(GrammarError, match=rf"faq\.yaml:{line}: .*{re.escape(message)}"):
        load_grammar(folder)


def test_a_question_another_request_already_means_is_a_lint_problem(tmp_path: Path) -> None:
    grammar = load_grammar(faq_folder(tmp_path, """
faq:
  cancelling:
    questions: ["cancel my order", "how do cancellations work"]
    answer: "Call us."
"""))
    problems = check_grammar(grammar, about=FAQ_INTENT)
    assert len(problems) == 1
    assert "faq.yaml:4: 'cancel my order' (faq) matches both 'cancel my order' (cancel_order" \
        in str(problems[0])


def test_two_entries_the_matcher_cannot_tell_apart_are_a_lint_problem(tmp_path: Path) -> None:
    grammar = load_grammar(faq_folder(tmp_path, """
faq:
  hours:
    questions: ["when are you open"]
    answer: "Nine to five."
  weekend:
    questions: ["when are you open then"]
    answer: "Saturdays too."
"""))
    [problem] = check_grammar(grammar, about=FAQ_INTENT)
    assert "has the same content words as" in problem.message


def test_the_shipped_faq_is_clean_and_answers_every_entry(grammar: Grammar) -> None:
    assert check_grammar(grammar, about=FAQ_INTENT) == []
    assert len(grammar.faq_answers) >= 8
    assert all(answer.strip() for answer in grammar.faq_answers.values())
