from __future__ import annotations

from collections.abc import Iterator

import pytest

from ivr.nlu.templates import (
    Expansion,
    ListRef,
    TemplateSyntaxError,
    expand,
    parse_template,
)


def _no_lists(ref: ListRef) -> Iterator[Expansion]:
    yield Expansion((f"<{ref.name}-value>",), ((ref.name, "v"),))


def _rules(name: str) -> Iterator[Expansion]:
    yield from expand(parse_template("(parcel | package)"), _no_lists, _rules)


def sentences(template: str) -> set[str]:
    return {" ".join(e.words) for e in expand(parse_template(template), _no_lists, _rules)}


@pytest.mark.parametrize(("template", "expected"), [
    ("where is my order", {"where is my order"}),
    ("where is [my] order", {"where is my order", "where is order"}),
    ("(cancel | stop) it", {"cancel it", "stop it"}),
    ("[please] (a|b) [c|d]", {"please a c", "please a d", "please a", "a c", "a d", "a",
                              "please b c", "please b d", "please b", "b c", "b d", "b"}),
    ("track <thing>", {"track parcel", "track package"}),
    ("a | b c", {"a", "b c"}),
    ("return {reason}", {"return <reason-value>"}),
])
def test_expansion(template: str, expected: set[str]) -> None:
    assert sentences(template) == expected


def test_list_reference_sets_the_slot() -> None:
    (only,) = list(expand(parse_template("it is {reason}"), _no_lists, _rules))
    assert only.slots == (("reason", "v"),)


@pytest.mark.parametrize(("template", "column", "message"), [
    ("where is (my order", 10, "missing ')'"),
    ("where is my order]", 18, "unexpected ']'"),
    ("where [] order", 7, "empty []"),
    ("return {reason", 8, "missing '}'"),
    ("return {bad name}", 8, "bad name"),
])
def test_syntax_errors_name_the_column(template: str, column: int, message: str) -> None:
    with pytest.raises(TemplateSyntaxError) as error:
        parse_template(template)
    assert error.value.column == column
    assert message in str(error.value)


def test_a_list_reference_may_leave_values_out() -> None:
    (ref,) = parse_template("{reason except wrong_item late}").items
    assert ref == ListRef("reason", ("wrong_item", "late"))


@pytest.mark.parametrize("template", ["{reason except}", "{reason except bad-name}"])
def test_leaving_values_out_needs_their_names(template: str) -> None:
    with pytest.raises(TemplateSyntaxError, match="column 1"):
        parse_template(template)
