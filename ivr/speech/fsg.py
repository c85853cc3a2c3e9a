"""A finite-state speech grammar (PocketSphinx FSG text) from a context's grammar sentences.

A JSGF translation of the templates is exact but full of null transitions, and PocketSphinx
decodes it slowly (measured RTF 0.2 to 4 on the main context; and one unpronounceable word, written
as <VOID>, made every utterance fail). Instead every sentence of the context
is put in a word trie and the trie is minimised (equal suffixes merged), which gives a small
deterministic word graph with no null transitions inside the sentences. Digit slots become a
digit loop, and a penalised loop of everyday *garbage* words leaves the start state, so speech
outside the grammar decodes as garbage (and is rejected) instead of as the nearest phrase.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ivr.nlu.grammar import Grammar
from ivr.nlu.numbers import DIGIT_WORDS

_GARBAGE_TEXT = """
a the of in on at to for from by with about as is was be are this that it he she we they
you me him her us them his their who why how what when if but and or so not very just then
there here up out over after all some more other only can will would go come see look know
think take make give get say tell feel find call work play run read write sing eat drink
sleep walk talk day night week year man woman child people world life hand house water
mother father money story book eye job friend car city name game music movie dog cat
garden rain sun snow tree river mountain beach train bus doctor school coffee tea pizza
dinner lunch red blue green big small new old good bad great little long young hot cold
"""
GARBAGE_WORDS = tuple(_GARBAGE_TEXT.split())
"""Everyday words covering most English phones; what out-of-grammar speech decodes to."""
GARBAGE_ENTRY = 0.002
"""Probability of taking the garbage loop at the start of an utterance."""
SPOKEN_DIGITS = (*DIGIT_WORDS, "oh")


@dataclass
class WordGraph:
    """A minimised word graph: state 0 is the start; `final` states end a sentence."""

    edges: list[dict[str, int]] = field(default_factory=lambda: [{}])
    final: set[int] = field(default_factory=set)

    def add(self, words: Iterable[str]) -> None:
        state = 0
        for word in words:
            nxt = self.edges[state].get(word)
            if nxt is None:
                nxt = len(self.edges)
                self.edges.append({})
                self.edges[state][word] = nxt
            state = nxt
        self.final.add(state)

    def minimised(self) -> WordGraph:
        """The same language with equal suffixes merged (a DAWG)."""
        ids: dict[tuple[bool, tuple[tuple[str, int], ...]], int] = {}
        new_of: dict[int, int] = {}
        out = WordGraph(edges=[], final=set())
        for state in self._postorder():
            key = (state in self.final,
                   tuple(sorted((w, new_of[s]) for w, s in self.edges[state].items())))
            if key not in ids:
                ids[key] = len(out.edges)
                out.edges.append(dict(key[1]))
                if key[0]:
                    out.final.add(ids[key])
            new_of[state] = ids[key]
        return out.renumbered(new_of[0])

    def renumbered(self, start: int) -> WordGraph:
        """The graph with `start` as state 0, states in breadth-first order."""
        order = [start]
        index = {start: 0}
        for state in order:
            for target in self.edges[state].values():
                if target not in index:
                    index[target] = len(order)
                    order.append(target)
        edges = [{w: index[t] for w, t in self.edges[s].items()} for s in order]
        return WordGraph(edges, {index[s] for s in self.final if s in index})

    def _postorder(self) -> list[int]:
        seen: set[int] = set()
        out: list[int] = []
        stack: list[tuple[int, bool]] = [(0, False)]
        while stack:
            state, expanded = stack.pop()
            if expanded:
                out.append(state)
            elif state not in seen:
                seen.add(state)
                stack.append((state, True))
                stack.extend((t, False) for t in self.edges[state].values())
        return out


def context_graph(grammar: Grammar, contexts: Iterable[str],
                  known: Callable[[str], bool]) -> WordGraph:
    """The minimised graph of every sentence a caller can say in the contexts.

    Sentences with a word the pronunciation dictionary lacks are left out (the matcher still
    knows them from text); frustration phrases are included in every context.
    """
    graph = WordGraph()
    placeholders = {s.placeholder() for s in grammar.lists.values() if s.digits}
    sentences = {s.words for c in contexts for s in grammar.sentences(c)}
    sentences.update(grammar.frustration_phrases())
    for words in sentences:
        if all(w in placeholders or known(w) for w in words):
            graph.add(words)
    return graph.minimised()


def fsg_text(name: str, graph: WordGraph, known: Callable[[str], bool],
             garbage_prefix: str = "") -> str:
    """The graph in PocketSphinx's FSG format, with digit loops and the garbage loop added.

    Garbage words are written with `garbage_prefix`, the name of a dictionary entry that sounds
    like the everyday word, so a result shows it left the grammar.
    """
    transitions: list[tuple[int, int, float, str]] = []
    count = len(graph.edges)
    final = count
    count += 1
    garbage = [garbage_prefix + w for w in GARBAGE_WORDS if known(w)]
    for state, edges in enumerate(graph.edges):
        weight = (1.0 - (GARBAGE_ENTRY if state == 0 else 0.0)) / max(1, len(edges)
                                                                       + (state in graph.final))
        for word, target in sorted(edges.items()):
            if word.startswith("{"):
                loop = count
                count += 1
                transitions += [(state, loop, weight / len(SPOKEN_DIGITS), d)
                                for d in SPOKEN_DIGITS]
                transitions += [(loop, loop, 0.5 / len(SPOKEN_DIGITS), d) for d in SPOKEN_DIGITS]
                transitions.append((loop, target, 0.5, ""))
            else:
                transitions.append((state, target, weight, word))
        if state in graph.final:
            transitions.append((state, final, weight, ""))
    loop = count
    count += 1
    transitions += [(0, loop, GARBAGE_ENTRY / len(garbage), w) for w in garbage]
    transitions += [(loop, loop, 0.7 / len(garbage), w) for w in garbage]
    transitions.append((loop, final, 0.3, ""))
    lines = [f"FSG_BEGIN {name}", f"NUM_STATES {count}", "START_STATE 0", f"FINAL_STATE {final}"]
    lines += [f"TRANSITION {a} {b} {p:.6g} {w}".rstrip() for a, b, p, w in transitions]
    lines.append("FSG_END")
    return "\n".join(lines) + "\n"


def accepts(graph: WordGraph, words: Sequence[str]) -> bool:
    """Whether a recognised word sequence is a sentence of the graph (digit runs fill slots)."""
    states: set[tuple[int, bool]] = {(0, False)}  # (state, inside a digit slot that leads there)
    for word in words:
        following: set[tuple[int, bool]] = set()
        for state, in_slot in states:
            if in_slot and word in SPOKEN_DIGITS:
                following.add((state, True))
            following |= _step(graph, state, word)
        states = following
    return any(state in graph.final for state, _ in states)


def _step(graph: WordGraph, state: int, word: str) -> set[tuple[int, bool]]:
    out: set[tuple[int, bool]] = set()
    for edge, target in graph.edges[state].items():
        if edge == word:
            out.add((target, False))
        elif edge.startswith("{") and word in SPOKEN_DIGITS:
            out.add((target, True))
    return out
