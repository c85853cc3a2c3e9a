"""Grammar files with mistakes stop loading with the file, the line and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.errors import GrammarError
from ivr.nlu.grammar import Grammar
from ivr.nlu.lint import check_grammar
from ivr.nlu.loader import load_grammar

VALID_LISTS = """
lists:
  order_number:
    digits: {min: 3, max: 12, example: "48213"}
"""


def write(folder: Path, text: str, name: str = "g.yaml") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize(("text", "line", "message"), [
    ("intents:\n  a:\n    sentences:\n      - \"where (is\"\n", 4, "missing ')'"),
    ("intents:\n  a:\n    sentences:\n      - \"track {nothing}\"\n", 4, "unknown list {nothing}"),
    ("intents:\n  a:\n    sentences:\n      - \"track <nothing>\"\n", 4, "unknown rule <nothing>"),
    ("intents:\n  a:\n    sentences: [x]\n  a:\n    sentences: [y]\n", 4, "already defined"),
    ("intents:\n  a:\n    sentences: [x]\n    colour: red\n", 3, "unknown keys ['colour']"),
    ("intents:\n  a:\n    sentences: [x]\nextras: 1\n", 4, "unknown section 'extras'"),
    ("intents:\n  a:\n    sentences: [\"x\"\n", 4, "not valid YAML"),
    ("intents:\n  a:\n    sentences: [\"<r>\"]\nrules:\n  r: \"<s>\"\n  s: \"<r>\"\n", 5,
     "rules refer to themselves"),
    ("intents:\n  a:\n    sentences: [x]\nlists:\n  l:\n    values: {}\n", 6, "has no values"),
    ("intents:\n  a:\n    sentences: [x]\nlists:\n  l:\n    digits: {min: 3}\n", 6, "digits needs"),
    ("intents:\n  a:\n    sentences: [\"{l except z}\"]\nlists:\n  l:\n    values: {y: [y]}\n",
     3, "{l} has no value z to leave out"),
])
def test_errors_name_file_line_and_fix(tmp_path: Path, text: str, line: int,
                                       message: str) -> None:
    folder = write(tmp_path / "g", text)
    with pytest.raises(GrammarError) as error:
        load_grammar(folder)
    assert f"g.yaml:{line}:" in str(error.value)
    assert message in str(error.value)


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GrammarError, match="no grammar files"):
        load_grammar(tmp_path)


def test_definitions_spread_over_files(tmp_path: Path) -> None:
    folder = write(tmp_path / "g", VALID_LISTS, "a.yaml")
    write(folder, "intents:\n  cancel:\n    sentences: ['cancel [order {order_number}]']\n",
          "b.yaml")
    grammar = load_grammar(folder)
    assert [s.text for s in grammar.sentences("main")] == ["cancel order {order_number}",
                                                           "cancel"]


def test_a_word_class_takes_the_plurals_english_spells(tmp_path: Path) -> None:
    folder = write(tmp_path / "g", VALID_LISTS + "word_classes:\n  item: [scarf, dress, battery,"
                   " shoe, jeans]\nintents:\n  a:\n    sentences: [item]\n")
    classes = load_grammar(folder).word_classes
    assert {word for word, name in classes.items() if name == "item"} == {
        "scarf", "scarfs", "scarves", "dress", "dresses", "battery", "batteries", "shoe",
        "shoes", "jeans"}


def test_a_list_that_fills_another_slot_sets_that_slot(tmp_path: Path) -> None:
    folder = write(tmp_path / "g", """
lists:
  rating:
    values: {"4": [four]}
  rating_word:
    fills: rating
    values: {"4": [great]}
intents:
  rating:
    sentences: ["{rating} stars", "{rating_word}"]
""")
    sentences = load_grammar(folder).sentences("main")
    assert [(s.text, dict(s.slots)) for s in sentences] == [("four stars", {"rating": "4"}),
                                                            ("great", {"rating": "4"})]


def test_shipped_grammar_is_large_and_lints_clean(grammar: Grammar) -> None:
    assert len(grammar.all_sentences) >= 2000
    assert check_grammar(grammar) == []
    assert set(grammar.intents) >= {
        "order_status", "track_package", "return_request", "cancel_order", "return_policy",
        "shipping_info", "speak_to_agent", "goodbye", "yes", "no"}


def test_lint_finds_sentences_claimed_by_two_intents(tmp_path: Path) -> None:
    folder = write(tmp_path / "g", "intents:\n  a:\n    sentences: ['stop [it]']\n"
                   "  b:\n    sentences: ['stop']\n  c:\n    sentences: []\n")
    problems = [str(p) for p in check_grammar(load_grammar(folder))]
    assert any("g.yaml:5:" in p and "'stop' (b) matches both 'stop' (a" in p for p in problems)
    assert any("g.yaml:6:" in p and "intent c has no sentences" in p for p in problems)


def test_lint_finds_sentences_the_matcher_cannot_tell_apart(tmp_path: Path) -> None:
    folder = write(tmp_path / "g", "intents:\n  a:\n    sentences: ['cancel the order']\n"
                   "  b:\n    sentences: ['order cancel', 'track it']\n")
    (problem,) = [str(p) for p in check_grammar(load_grammar(folder))]
    assert "g.yaml:5:" in problem
    assert "'order cancel' (b) has the same content words as 'cancel the order' (a" in problem
