"""Prompt files with mistakes stop startup with file:line; the shipped file is complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.dialog.keypad import REASON_KEYS
from ivr.dialog.prompts import PROMPT_VARIABLES, PromptCatalog
from ivr.errors import PromptError
from ivr.nlu.grammar import Grammar
from tests.conftest import PROMPTS_FILE


def broken(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "en.yaml"
    text = PROMPTS_FILE.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


def test_shipped_prompts_render_every_declared_prompt(prompts: PromptCatalog) -> None:
    for prompt_id, variables in PROMPT_VARIABLES.items():
        text = prompts.render(prompt_id, **dict.fromkeys(variables, "X"))
        assert text and "{" not in text


def test_every_return_reason_the_grammar_knows_can_be_read_back(grammar: Grammar,
                                                                prompts: PromptCatalog) -> None:
    """A return is confirmed with its reason in words: a reason the grammar can hear but no
    prompt can say would fail mid-call."""
    reasons = {value.value for value in grammar.lists["return_reason"].values}
    assert reasons == set(REASON_KEYS.values())
    for reason in reasons:
        assert prompts.render(f"return_because_{reason}")


def test_missing_prompt(tmp_path: Path) -> None:
    path = broken(tmp_path, "cancel_declined:", "cancel_declined_typo:")
    with pytest.raises(PromptError) as error:
        PromptCatalog.load(path)
    assert "prompt 'cancel_declined' is missing" in str(error.value)
    assert "unknown prompt id 'cancel_declined_typo'" in str(error.value)


def test_unknown_variable_names_the_line(tmp_path: Path) -> None:
    path = broken(tmp_path, "Is that right?", "Is that right, {nme}?")
    line = next(i for i, row in enumerate(path.read_text().splitlines(), 1)
                if "{nme}" in row)
    with pytest.raises(PromptError, match=rf"en.yaml:{line}: .*unknown variables \['nme'\]"):
        PromptCatalog.load(path)


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "en.yaml"
    path.write_text("greeting: ok\nbad: [unclosed\n")
    with pytest.raises(PromptError, match=r"en\.yaml:3: not valid YAML"):
        PromptCatalog.load(path)


def test_rendering_with_the_wrong_variables_is_refused(prompts: PromptCatalog) -> None:
    with pytest.raises(PromptError, match="declares"):
        prompts.render("greeting")
