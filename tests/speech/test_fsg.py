"""The word graph behind replay's prompt check: minimal, and written as valid FSG text."""

from __future__ import annotations

from ivr.speech.stt.pocketsphinx.fsg import WordGraph, fsg_text


def small_graph() -> WordGraph:
    graph = WordGraph()
    for sentence in ("where is my order", "where is my parcel", "track my parcel",
                     "track my parcel now"):
        graph.add(sentence.split())
    return graph.minimised()


def paths(graph: WordGraph, state: int = 0, prefix: tuple[str, ...] = ()) -> set[str]:
    found = {" ".join(prefix)} if state in graph.final else set()
    for word, target in graph.edges[state].items():
        found |= paths(graph, target, (*prefix, word))
    return found


def test_minimising_merges_equal_endings_and_keeps_the_sentences() -> None:
    graph = small_graph()
    trie_states = 1 + 4 + 1 + 3 + 1
    assert len(graph.edges) < trie_states
    assert paths(graph) == {"where is my order", "where is my parcel", "track my parcel",
                            "track my parcel now"}


def test_fsg_text_declares_every_state_and_sums_each_state_to_one() -> None:
    text = fsg_text("test", small_graph())
    lines = text.splitlines()
    assert lines[0] == "FSG_BEGIN test" and lines[-1] == "FSG_END"
    declared = int(lines[1].split()[1])
    final = int(lines[3].split()[1])
    transitions = [line.split() for line in lines if line.startswith("TRANSITION")]
    assert max(max(int(t[1]), int(t[2])) for t in transitions) < declared
    out: dict[str, float] = {}
    for t in transitions:
        out[t[1]] = out.get(t[1], 0.0) + float(t[3])
    assert all(abs(total - 1.0) < 1e-4 for total in out.values())
    assert sum(1 for t in transitions if t[2] == str(final) and len(t) == 4) == 2  # parcel, now
