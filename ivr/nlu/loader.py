"""Load grammars/<lang>/*.yaml into a Grammar; every error names the file, the line and the fix.

File format (every top-level key is optional; definitions may be spread over files)::

    intents:
      order_status:
        contexts: [main]              # default [main]
        sentences:
          - "where is <my_order> [{order_number}]"
    lists:
      return_reason:
        values:
          damaged: ["(arrived|came) (broken|damaged)", "it is broken"]
      order_number:
        digits: {min: 3, max: 12, example: "48213"}
    rules:
      my_order: "[my | the] (order | purchase)"
    frustration:
      - "this is ridiculous"
    word_classes:
      item: [shoes, jacket, mug]      # any of these words is matched as the word "item"
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path

import yaml

from ivr.errors import GrammarError
from ivr.nlu.grammar import (
    DigitsSpec,
    Grammar,
    Intent,
    Location,
    SlotList,
    SlotValue,
    Template,
)
from ivr.nlu.normalize import normalize
from ivr.nlu.templates import (
    MAX_EXPANSIONS,
    ListRef,
    RuleRef,
    TemplateSyntaxError,
    parse_template,
    references,
)

_TOP_LEVEL = ("intents", "lists", "rules", "frustration", "word_classes")


class _Builder:
    """Collects definitions from several files and checks them against each other."""

    def __init__(self) -> None:
        self.intents: dict[str, Intent] = {}
        self.lists: dict[str, SlotList] = {}
        self.rules: dict[str, Template] = {}
        self.frustration: list[Template] = []
        self.word_classes: dict[str, str] = {}

    # ------------------------------------------------------------------ reading files
    def add_file(self, path: Path) -> None:
        try:
            root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            line = mark.line + 1 if mark else 1
            raise GrammarError(f"{path}:{line}: not valid YAML: {exc.problem}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise GrammarError(f"{path}: cannot read grammar file: {exc}") from exc
        if root is None:
            return
        for key, value in _mapping(root, path, "the file"):
            match key.value:
                case "intents":
                    self._add_intents(value, path)
                case "lists":
                    self._add_lists(value, path)
                case "rules":
                    for name, node in _mapping(value, path, "rules"):
                        self._define(self.rules, name, path, "rule")
                        self.rules[name.value] = _template(node, path)
                case "frustration":
                    self.frustration.extend(_template(n, path) for n in _sequence(value, path))
                case "word_classes":
                    self._add_word_classes(value, path)
                case other:
                    raise _error(path, key, f"unknown section {other!r}; use one of {_TOP_LEVEL}")

    def _add_intents(self, node: yaml.Node, path: Path) -> None:
        for name, body in _mapping(node, path, "intents"):
            self._define(self.intents, name, path, "intent")
            fields = dict((k.value, v) for k, v in _mapping(body, path, f"intent {name.value}"))
            unknown = set(fields) - {"contexts", "sentences"}
            if unknown:
                raise _error(path, body, f"intent {name.value}: unknown keys {sorted(unknown)}; "
                             "an intent has only 'contexts' and 'sentences'")
            contexts: tuple[str, ...] = ("main",)
            if "contexts" in fields:
                contexts = tuple(_scalar(n, path) for n in _sequence(fields["contexts"], path))
            sentences = fields.get("sentences")
            templates = tuple(_template(n, path) for n in _sequence(sentences, path)) \
                if sentences is not None else ()
            self.intents[name.value] = Intent(name.value, contexts, templates, _loc(path, name))

    def _add_word_classes(self, node: yaml.Node, path: Path) -> None:
        for name, body in _mapping(node, path, "word_classes"):
            for member in _sequence(body, path):
                words = normalize(_scalar(member, path))
                if len(words) != 1:
                    raise _error(path, member, f"word class {name.value}: {member.value!r} is "
                                 "not one word; a class lists single words")
                if words[0] in self.word_classes:
                    raise _error(path, member, f"{words[0]!r} is already in word class "
                                 f"{self.word_classes[words[0]]!r}; list it once")
                self.word_classes[words[0]] = name.value

    def _add_lists(self, node: yaml.Node, path: Path) -> None:
        for name, body in _mapping(node, path, "lists"):
            self._define(self.lists, name, path, "list")
            fields = dict((k.value, v) for k, v in _mapping(body, path, f"list {name.value}"))
            where = _loc(path, name)
            if set(fields) == {"digits"}:
                spec = dict((k.value, _scalar(v, path)) for k, v in
                            _mapping(fields["digits"], path, "digits"))
                digits = _digits(spec, path, body)
                self.lists[name.value] = SlotList(name.value, where, digits=digits)
            elif set(fields) == {"values"}:
                values = tuple(
                    SlotValue(value.value, tuple(_template(n, path) for n in _phrases(ps, path)))
                    for value, ps in _mapping(fields["values"], path, "values")
                )
                if not values:
                    raise _error(path, body, f"list {name.value} has no values")
                self.lists[name.value] = SlotList(name.value, where, values=values)
            else:
                raise _error(path, body, f"list {name.value} needs exactly one of 'values' "
                             "(a mapping value -> phrases) or 'digits' {min, max, example}")

    @staticmethod
    def _define(table: Mapping[str, object], name: yaml.ScalarNode, path: Path,
                kind: str) -> None:
        if name.value in table:
            previous = table[name.value]
            raise _error(path, name, f"{kind} {name.value!r} is already defined at "
                         f"{getattr(previous, 'where', '?')}; give it one definition")

    # ------------------------------------------------------------------ cross-checks
    def build(self) -> Grammar:
        grammar = Grammar(self.intents, self.lists, self.rules, tuple(self.frustration),
                          self.word_classes)
        templates = [t for i in self.intents.values() for t in i.templates]
        templates += list(self.rules.values()) + list(self.frustration)
        templates += [p for s in self.lists.values() for v in s.values for p in v.phrases]
        for template in templates:
            self._check_references(template)
        self._check_rule_cycles()
        for template in templates:
            count = sum(1 for _ in itertools.islice(grammar.expand_template(template),
                                                    MAX_EXPANSIONS + 1))
            if count > MAX_EXPANSIONS:
                raise GrammarError(f"{template.where}: template expands to over "
                                   f"{MAX_EXPANSIONS} sentences; split it or use fewer options")
        return grammar

    def _check_references(self, template: Template) -> None:
        for ref in references(template.root):
            if isinstance(ref, ListRef) and ref.name not in self.lists:
                raise GrammarError(f"{template.where}: unknown list {{{ref.name}}}; "
                                   f"define it under 'lists' (known: {sorted(self.lists)})")
            if isinstance(ref, RuleRef) and ref.name not in self.rules:
                raise GrammarError(f"{template.where}: unknown rule <{ref.name}>; "
                                   f"define it under 'rules' (known: {sorted(self.rules)})")

    def _check_rule_cycles(self) -> None:
        def visit(name: str, trail: tuple[str, ...]) -> None:
            if name in trail:
                cycle = " -> ".join(f"<{n}>" for n in (*trail, name))
                raise GrammarError(f"{self.rules[name].where}: rules refer to themselves: {cycle}")
            for ref in references(self.rules[name].root):
                if isinstance(ref, RuleRef):
                    visit(ref.name, (*trail, name))

        for name in self.rules:
            visit(name, ())


def load_grammar(folder: Path) -> Grammar:
    """Load every *.yaml file in a folder (sorted by name) into one checked Grammar."""
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise GrammarError(f"{folder}: no grammar files (*.yaml) found; set IVR_GRAMMAR_DIR")
    builder = _Builder()
    for path in files:
        builder.add_file(path)
    if not builder.intents:
        raise GrammarError(f"{folder}: the grammar defines no intents")
    return builder.build()


# ---------------------------------------------------------------------- node helpers
def _loc(path: Path, node: yaml.Node) -> Location:
    return Location(str(path), node.start_mark.line + 1)


def _error(path: Path, node: yaml.Node, message: str) -> GrammarError:
    return GrammarError(f"{_loc(path, node)}: {message}")


def _mapping(node: yaml.Node, path: Path, what: str) -> list[tuple[yaml.ScalarNode, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise _error(path, node, f"{what} must be a mapping (name: value)")
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode):
            raise _error(path, key, f"{what}: keys must be plain names")
    return list(node.value)


def _sequence(node: yaml.Node | None, path: Path) -> list[yaml.Node]:
    if node is None or not isinstance(node, yaml.SequenceNode):
        where = node if node is not None else yaml.ScalarNode("tag:yaml.org,2002:null", "")
        raise _error(path, where, "expected a list (- item)")
    return list(node.value)


def _phrases(node: yaml.Node, path: Path) -> list[yaml.Node]:
    return [node] if isinstance(node, yaml.ScalarNode) else _sequence(node, path)


def _scalar(node: yaml.Node, path: Path) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise _error(path, node, "expected a non-empty text value")
    return str(node.value).strip()


def _template(node: yaml.Node, path: Path) -> Template:
    text = _scalar(node, path)
    try:
        root = parse_template(text)
    except TemplateSyntaxError as exc:
        raise _error(path, node, f"template {text!r}: {exc}") from exc
    return Template(text, root, _loc(path, node))


def _digits(spec: dict[str, str], path: Path, node: yaml.Node) -> DigitsSpec:
    try:
        result = DigitsSpec(int(spec["min"]), int(spec["max"]), spec["example"])
    except (KeyError, ValueError) as exc:
        raise _error(path, node, "digits needs whole numbers 'min' and 'max' and an "
                     f"'example' value ({exc})") from exc
    if not (result.example.isdigit()
            and result.min_digits <= len(result.example) <= result.max_digits):
        raise _error(path, node, f"digits example {result.example!r} must be "
                     f"{result.min_digits}-{result.max_digits} digits")
    return result
