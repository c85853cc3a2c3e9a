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
      item: [shoes, jacket, mug]      # these words (and "jackets", "mugs") match as "item"
    faq:                              # see ivr/nlu/faq.py
      opening_hours:
        questions: ["what are your opening hours"]
        answer: "We are open ..."
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path

import yaml

from ivr.errors import GrammarError
from ivr.nlu.faq import (
    FAQ_INTENT,
    FAQ_SLOT,
    FaqEntry,
    check_questions_are_distinct,
    faq_intent,
    read_faq,
)
from ivr.nlu.grammar import (
    DigitsSpec,
    Grammar,
    Intent,
    SlotList,
    SlotValue,
    Template,
)
from ivr.nlu.normalize import normalize
from ivr.nlu.templates import (
    MAX_EXPANSIONS,
    ListRef,
    RuleRef,
    references,
)
from ivr.nlu.yaml_nodes import error, loc, mapping, phrases, scalar, sequence, template_at

_TOP_LEVEL = ("intents", "lists", "rules", "frustration", "word_classes", "faq")


class _Builder:
    """Collects definitions from several files and checks them against each other."""

    def __init__(self) -> None:
        self.intents: dict[str, Intent] = {}
        self.lists: dict[str, SlotList] = {}
        self.rules: dict[str, Template] = {}
        self.frustration: list[Template] = []
        self.word_classes: dict[str, str] = {}
        self.faq: list[FaqEntry] = []

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
        for key, value in mapping(root, path, "the file"):
            match key.value:
                case "intents":
                    self._add_intents(value, path)
                case "lists":
                    self._add_lists(value, path)
                case "rules":
                    for name, node in mapping(value, path, "rules"):
                        self._define(self.rules, name, path, "rule")
                        self.rules[name.value] = template_at(node, path)
                case "frustration":
                    self.frustration.extend(template_at(n, path) for n in sequence(value, path))
                case "word_classes":
                    self._add_word_classes(value, path)
                case "faq":
                    self._add_faq(value, path)
                case other:
                    raise error(path, key, f"unknown section {other!r}; use one of {_TOP_LEVEL}")

    def _add_intents(self, node: yaml.Node, path: Path) -> None:
        for name, body in mapping(node, path, "intents"):
            self._define(self.intents, name, path, "intent")
            fields = dict((k.value, v) for k, v in mapping(body, path, f"intent {name.value}"))
            unknown = set(fields) - {"contexts", "sentences"}
            if unknown:
                raise error(path, body, f"intent {name.value}: unknown keys {sorted(unknown)}; "
                             "an intent has only 'contexts' and 'sentences'")
            contexts: tuple[str, ...] = ("main",)
            if "contexts" in fields:
                contexts = tuple(scalar(n, path) for n in sequence(fields["contexts"], path))
            sentences = fields.get("sentences")
            templates = tuple(template_at(n, path) for n in sequence(sentences, path)) \
                if sentences is not None else ()
            self.intents[name.value] = Intent(name.value, contexts, templates, loc(path, name))

    def _add_faq(self, node: yaml.Node, path: Path) -> None:
        for entry in read_faq(node, path):
            first = next((e for e in self.faq if e.id == entry.id), None)
            if first is not None:
                raise GrammarError(f"{entry.where}: faq {entry.id!r} is already defined at "
                                   f"{first.where}; give it one definition")
            self.faq.append(entry)

    def _add_word_classes(self, node: yaml.Node, path: Path) -> None:
        for name, body in mapping(node, path, "word_classes"):
            for member in sequence(body, path):
                words = normalize(scalar(member, path))
                if len(words) != 1:
                    raise error(path, member, f"word class {name.value}: {member.value!r} is "
                                 "not one word; a class lists single words")
                if words[0] in self.word_classes:
                    raise error(path, member, f"{words[0]!r} is already in word class "
                                 f"{self.word_classes[words[0]]!r}; list it once")
                self.word_classes[words[0]] = name.value
                for plural in plurals_of(words[0]):
                    self.word_classes.setdefault(plural, name.value)

    def _add_lists(self, node: yaml.Node, path: Path) -> None:
        for name, body in mapping(node, path, "lists"):
            self._define(self.lists, name, path, "list")
            fields = dict((k.value, v) for k, v in mapping(body, path, f"list {name.value}"))
            where = loc(path, name)
            if set(fields) == {"digits"}:
                spec = dict((k.value, scalar(v, path)) for k, v in
                            mapping(fields["digits"], path, "digits"))
                digits = _digits(spec, path, body)
                self.lists[name.value] = SlotList(name.value, where, digits=digits)
            elif set(fields) in ({"values"}, {"values", "fills"}):
                values = tuple(
                    SlotValue(value.value, tuple(template_at(n, path) for n in phrases(ps, path)))
                    for value, ps in mapping(fields["values"], path, "values")
                )
                if not values:
                    raise error(path, body, f"list {name.value} has no values")
                fills = scalar(fields["fills"], path) if "fills" in fields else None
                self.lists[name.value] = SlotList(name.value, where, values=values, fills=fills)
            else:
                raise error(path, body, f"list {name.value} needs exactly one of 'values' "
                             "(a mapping value -> phrases, and optionally 'fills': the slot "
                             "they fill) or 'digits' {min, max, example}")

    @staticmethod
    def _define(table: Mapping[str, object], name: yaml.ScalarNode, path: Path,
                kind: str) -> None:
        if name.value in table:
            previous = table[name.value]
            raise error(path, name, f"{kind} {name.value!r} is already defined at "
                         f"{getattr(previous, 'where', '?')}; give it one definition")

    # ------------------------------------------------------------------ cross-checks
    def build(self) -> Grammar:
        if self.faq:
            intent, slot_list = faq_intent(self.faq)
            for table, kind, name in ((self.intents, "intent", FAQ_INTENT),
                                      (self.lists, "list", FAQ_SLOT)):
                if name in table:
                    raise GrammarError(f"{getattr(table[name], 'where', '?')}: the {kind} "
                                       f"{name!r} is made from the faq sections; rename yours")
            self.intents[FAQ_INTENT], self.lists[FAQ_SLOT] = intent, slot_list
        grammar = Grammar(self.intents, self.lists, self.rules, tuple(self.frustration),
                          {entry.id: entry.answer for entry in self.faq}, self.word_classes)
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
        check_questions_are_distinct(grammar, self.faq)
        return grammar

    def _check_references(self, template: Template) -> None:
        for ref in references(template.root):
            if isinstance(ref, ListRef) and ref.name not in self.lists:
                raise GrammarError(f"{template.where}: unknown list {{{ref.name}}}; "
                                   f"define it under 'lists' (known: {sorted(self.lists)})")
            if isinstance(ref, ListRef) and ref.excluded:
                values = {value.value for value in self.lists[ref.name].values}
                unknown = sorted(set(ref.excluded) - values)
                if unknown:
                    raise GrammarError(f"{template.where}: {{{ref.name}}} has no value "
                                       f"{', '.join(unknown)} to leave out (its values: "
                                       f"{sorted(values)})")
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


def _digits(spec: dict[str, str], path: Path, node: yaml.Node) -> DigitsSpec:
    try:
        result = DigitsSpec(int(spec["min"]), int(spec["max"]), spec["example"])
    except (KeyError, ValueError) as exc:
        raise error(path, node, "digits needs whole numbers 'min' and 'max' and an "
                     f"'example' value ({exc})") from exc
    if not (result.example.isdigit()
            and result.min_digits <= len(result.example) <= result.max_digits):
        raise error(path, node, f"digits example {result.example!r} must be "
                     f"{result.min_digits}-{result.max_digits} digits")
    return result


def plurals_of(word: str) -> tuple[str, ...]:
    """The plurals a caller may say of a word-class word ("dresses", "scarves", "batteries"),
    by English spelling rules; a word that already ends in "s" ("jeans", "glasses") is itself
    plural. Both forms of an "f" word ("scarfs", "scarves"): people say either."""
    if word.endswith(("ss", "x", "z", "ch", "sh")):
        return (word + "es",)
    if word.endswith("s"):
        return ()
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
        return (word[:-1] + "ies",)
    if word.endswith("fe"):
        return (word + "s", word[:-2] + "ves")
    if word.endswith("f"):
        return (word + "s", word[:-1] + "ves")
    return (word + "s",)
