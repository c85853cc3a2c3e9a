"""The word graph behind PocketSphinx's grammars: minimal, exact, with digit slots."""

from __future__ import annotations

from ivr.nlu.grammar import Grammar
from ivr.speech.fsg import GARBAGE_WORDS, WordGraph, accepts, context_graph, fsg_text


def small_graph() -> WordGraph:
    graph = WordGraph()
    for sentence in ("where is my order", "where is my parcel", "track my parcel",
                     "my order {order_number} please", "{order_number}"):
        graph.add(sentence.split())
    return graph.minimised()


def test_minimising_merges_equal_endings() -> None:
    graph = small_graph()
    trie_states = 1 + len(["where", "is", "my", "order"]) + 1 + 3 + 4 + 1
    assert len(graph.edges) < trie_states
    assert accepts(graph, ["where", "is", "my", "parcel"])
    assert accepts(graph, ["track", "my", "parcel"])


def test_only_whole_sentences_are_accepted() -> None:
    graph = small_graph()
    assert not accepts(graph, ["where", "is", "my"])
    assert not accepts(graph, ["track", "my", "order"])
    assert not accepts(graph, [])


def test_digit_slots_take_any_run_of_digit_words() -> None:
    graph = small_graph()
    assert accepts(graph, ["my", "order", "four", "eight", "two", "one", "three", "please"])
    assert accepts(graph, ["seven", "oh", "oh", "five", "five"])
    assert not accepts(graph, ["my", "order", "please"])
    assert not accepts(graph, ["my", "order", "four", "eight", "banana", "please"])


def test_fsg_text_has_the_digit_loop_and_a_marked_garbage_loop() -> None:
    graph = small_graph()
    text = fsg_text("test", graph, lambda word: True, garbage_prefix="garbage_")
    lines = text.splitlines()
    assert lines[0] == "FSG_BEGIN test" and lines[-1] == "FSG_END"
    declared = int(lines[1].split()[1])
    transitions = [line.split() for line in lines if line.startswith("TRANSITION")]
    assert max(max(int(t[1]), int(t[2])) for t in transitions) < declared
    words = {t[4] for t in transitions if len(t) == 5}
    assert {"four", "oh", "where", "please"} <= words
    assert {"garbage_" + w for w in GARBAGE_WORDS} <= words
    assert not words & set(GARBAGE_WORDS) - {"my", "is", "where"}


def test_the_main_context_graph_holds_every_pronounceable_sentence(grammar: Grammar) -> None:
    graph = context_graph(grammar, ["main"], lambda word: True)
    for sentence in grammar.sentences("main")[::997]:
        words = [("four eight two" if w.startswith("{") else w) for w in sentence.words]
        assert accepts(graph, " ".join(words).split()), sentence.text
    assert len(graph.edges) < 5000  # minimised: ~100 000 sentences in a few hundred states
