"""Reading grammar and FAQ files node by node, so that every error names its file and line."""

from __future__ import annotations

from pathlib import Path

import yaml

from ivr.errors import GrammarError
from ivr.nlu.grammar import Location, Template
from ivr.nlu.templates import TemplateSyntaxError, parse_template


def loc(path: Path, node: yaml.Node) -> Location:
    return Location(str(path), node.start_mark.line + 1)


def error(path: Path, node: yaml.Node, message: str) -> GrammarError:
    return GrammarError(f"{loc(path, node)}: {message}")


def mapping(node: yaml.Node, path: Path, what: str) -> list[tuple[yaml.ScalarNode, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise error(path, node, f"{what} must be a mapping (name: value)")
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode):
            raise error(path, key, f"{what}: keys must be plain names")
    return list(node.value)


def sequence(node: yaml.Node | None, path: Path) -> list[yaml.Node]:
    if node is None or not isinstance(node, yaml.SequenceNode):
        where = node if node is not None else yaml.ScalarNode("tag:yaml.org,2002:null", "")
        raise error(path, where, "expected a list (- item)")
    return list(node.value)


def phrases(node: yaml.Node, path: Path) -> list[yaml.Node]:
    return [node] if isinstance(node, yaml.ScalarNode) else sequence(node, path)


def scalar(node: yaml.Node, path: Path) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise error(path, node, "expected a non-empty text value")
    return str(node.value).strip()


def template_at(node: yaml.Node, path: Path) -> Template:
    text = scalar(node, path)
    try:
        root = parse_template(text)
    except TemplateSyntaxError as exc:
        raise error(path, node, f"template {text!r}: {exc}") from exc
    return Template(text, root, loc(path, node))


