"""A finite-state speech grammar (PocketSphinx FSG text) from a set of sentences: used to hear
our own prompts back in replay, where the sentences are known exactly.

A JSGF translation is exact but full of null transitions, which PocketSphinx decodes slowly;
instead the sentences are put in a word trie and the trie is minimised (equal suffixes merged),
which gives a small deterministic word graph with no null transitions inside the sentences.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


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


def fsg_text(name: str, graph: WordGraph) -> str:
    """The graph in PocketSphinx's FSG format, every way out of a state equally likely."""
    transitions: list[tuple[int, int, float, str]] = []
    final = len(graph.edges)
    for state, edges in enumerate(graph.edges):
        weight = 1.0 / max(1, len(edges) + (state in graph.final))
        transitions += [(state, target, weight, word) for word, target in sorted(edges.items())]
        if state in graph.final:
            transitions.append((state, final, weight, ""))
    lines = [f"FSG_BEGIN {name}", f"NUM_STATES {final + 1}", "START_STATE 0",
             f"FINAL_STATE {final}"]
    lines += [f"TRANSITION {a} {b} {p:.6g} {w}".rstrip() for a, b, p, w in transitions]
    lines.append("FSG_END")
    return "\n".join(lines) + "\n"
