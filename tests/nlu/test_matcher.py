"""The matcher against a table of caller phrasings: in the grammar, not in it, and out of
domain. The thresholds in ivr/nlu/matcher.py were chosen from this table (see BENCHMARKS.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ivr.nlu.consequential import CHANGES_OR_ENDS, CONFIRMS
from ivr.nlu.grammar import Grammar
from ivr.nlu.matcher import Matcher, content_words
from ivr.nlu.normalize import normalize

TABLE = yaml.safe_load((Path(__file__).parent / "utterances.yaml").read_text())


def _cases(section: str) -> list[Any]:
    return [pytest.param(*(row + [{}] * (4 - len(row)))[:4], id=f"{row[1]}:{row[0]}")
            for row in TABLE[section]]


@pytest.mark.parametrize(("text", "context", "intent", "slots"),
                         _cases("in_grammar") + _cases("unseen"))
def test_understands(matcher: Matcher, text: str, context: str, intent: str,
                     slots: dict[str, str]) -> None:
    result = matcher.match(text, context)
    assert result.intent == intent, result
    for name, value in slots.items():
        assert result.slots.get(name) == value, result
    assert 0.0 < result.confidence <= 1.0


PADDING = ("{} please", "{} right now", "{} as soon as possible", "{} if that's okay",
           "{} if you can", "{} thanks", "{} thank you", "um, so {}", "okay so {}",
           "quick question, {}", "basically {}", "listen, {}", "hi, how are you? {}",
           "hiya, how's it going, {}")
"""How callers pad a request: how soon, how politely, how they open and greet. None of it is what
they want, so none of it may change what the table's requests mean."""


def test_padding_around_a_request_does_not_change_its_meaning(matcher: Matcher) -> None:
    requests = [row for section in ("in_grammar", "unseen") for row in TABLE[section]
                if row[1] == "main" and row[2] not in ("goodbye", "repeat")
                and not any(word in row[0].lower() for word in ("bye", "thank", "cheers"))]
    assert len(requests) > 300
    changed = [f"{padded!r} -> {found.intent}, expected {row[2]}"
               for row in requests for padded in (form.format(row[0]) for form in PADDING)
               if (found := matcher.match(padded, "main")).intent != row[2]]
    assert changed == [], "\n".join(changed[:20])


@pytest.mark.parametrize(("text", "context"), [pytest.param(r[0], r[1], id=f"{r[1]}:{r[0]}")
                                               for r in TABLE["ood"]])
def test_rejects_out_of_domain(matcher: Matcher, text: str, context: str) -> None:
    result = matcher.match(text, context)
    assert result.intent is None, result
    assert result.slots == {}


@pytest.mark.parametrize(("text", "context"), [pytest.param(r[0], r[1], id=f"{r[1]}:{r[0]}")
                                               for r in TABLE["negated"]])
def test_a_negated_request_never_changes_or_ends_anything(matcher: Matcher, text: str,
                                                          context: str) -> None:
    assert matcher.match(text, context).intent not in CHANGES_OR_ENDS | CONFIRMS


def test_the_same_words_unnegated_do(matcher: Matcher) -> None:
    """The negation rule, not a lack of words, is what stops the rows above."""
    assert matcher.match("please cancel my order").intent == "cancel_order"
    assert matcher.match("I want to return the shoes").intent == "return_request"
    assert matcher.match("I want to change the delivery address").intent == "change_address"


def test_a_change_needs_more_evidence_than_a_question(grammar: Grammar) -> None:
    """Half of this sentence is words the grammar does not know: enough to answer a question,
    not enough to cancel an order on."""
    text = "stop my order zorble wibble flurb"
    lenient = Matcher(grammar, consequential_threshold=0.0).match(text)
    strict = Matcher(grammar).match(text)
    assert lenient.intent == "cancel_order"
    assert strict.intent != "cancel_order"


@pytest.mark.parametrize("text", ["Thank you for watching.", "Thanks for watching!",
                                  "Subtitles by the Amara.org community", "Please subscribe."])
def test_what_recognisers_write_on_silence_is_never_understood(matcher: Matcher,
                                                               text: str) -> None:
    for context in matcher.contexts:
        assert matcher.match(text, context).intent is None


def test_the_things_callers_name_are_items(matcher: Matcher) -> None:
    assert matcher.match("return the trainers and sandals").intent == "return_request"
    assert matcher.match("return the zorble flurb").intent is None


def test_a_fault_starts_a_return_only_when_said_of_something_the_shop_sells(
        matcher: Matcher) -> None:
    for said in ("my laptop won't turn on", "the screen is cracked", "it won't turn on"):
        assert matcher.match(said).intent == "return_request", said
    for said in ("the car won't start", "my boiler won't turn on", "my internet isn't working"):
        assert matcher.match(said).intent is None, said


def test_a_caller_may_ask_for_someone_else(matcher: Matcher) -> None:
    assert matcher.match("can my daughter swap her trainers for a bigger size").intent == (
        "exchange_request")
    assert matcher.match("I need to cancel my wife's order").intent == "cancel_order"
    assert matcher.match("he wants to cancel his order").intent == "cancel_order"
    assert matcher.match("my daughter's car won't start").intent is None


def test_a_goodbye_is_said_with_nothing_else(matcher: Matcher) -> None:
    assert matcher.match("lovely, thanks, bye").intent == "goodbye"
    assert matcher.match("thanks").intent == "goodbye"
    for said in ("I'm just looking, thanks", "thanks, where's my parcel",
                 "good night everyone"):
        assert matcher.match(said).intent != "goodbye", said


def test_words_cut_off_on_a_conjunction_never_end_or_cancel_anything(matcher: Matcher) -> None:
    """Whisper's reading of another language, "I'd like to thank and", must not hang up."""
    assert matcher.match("thanks, bye").intent == "goodbye"
    assert matcher.match("cancel my order").intent == "cancel_order"
    for said in ("I'd like to thank and", "cancel my order and", "that's all but"):
        assert matcher.match(said).intent not in {"goodbye", "cancel_order"}, said


def test_a_sentence_that_negates_what_the_caller_affirms_is_not_their_request(
        matcher: Matcher) -> None:
    assert matcher.match("my kettle doesn't work").intent == "return_request"
    assert matcher.match("I'd like to work a table for two").intent is None


def test_swearing_pads_a_request(matcher: Matcher) -> None:
    assert matcher.match("cancel the darn thing").intent == "cancel_order"
    assert matcher.match("where's my bloody parcel").intent == "track_package"


def test_a_question_about_something_the_shop_does_not_know_is_not_its_question(
        matcher: Matcher) -> None:
    assert matcher.match("is the shop open today").intent == "faq"
    assert matcher.match("is the swimming pool open today").intent is None
    assert matcher.match("it was brilliant", "rating").intent == "rating"
    assert matcher.match("the football was brilliant", "rating").intent is None


def test_words_that_only_hand_over_the_number_do_not_make_the_request(matcher: Matcher) -> None:
    found = matcher.match("where's my parcel, the order is four eight two one three")
    assert (found.intent, found.slots) == ("track_package", {"order_number": "48213"})
    assert matcher.match("the order is four eight two one three").intent == "order_status"
    assert matcher.match("okay, my order number is 48213").intent == "order_status"


def test_a_line_test_is_no_order_number(matcher: Matcher) -> None:
    assert matcher.match("testing, testing, one two three").intent is None
    assert matcher.match("one two three four five", "order_number").slots == {
        "order_number": "12345"}


def test_a_request_placed_with_someone_else_is_not_ours(matcher: Matcher) -> None:
    assert matcher.match("I need to change my address").intent == "change_address"
    assert matcher.match("I need to change my address with the council").intent is None
    assert matcher.match("my complaint is with the landlord").intent is None
    assert matcher.match("my order at the pub was wrong").intent is None
    assert matcher.match("I have to notify the tax office of my new address").intent is None
    assert matcher.match("could I have a taxi sent to my house").intent is None
    assert matcher.match("could I have it sent to my house instead").intent == "change_address"
    # a party the shop's sentences name for something else ("open on bank holidays")
    assert matcher.match("I need to change my address with the bank").intent is None
    assert matcher.match("can I pay with the bank transfer option").intent == "faq"


def test_a_change_only_threatened_is_not_asked_for(matcher: Matcher) -> None:
    assert matcher.match("I'm cancelling my order").intent == "cancel_order"
    assert matcher.match("if it ain't gone yet, cancel it").intent == "cancel_order"
    threat = "if my order's not sent by Friday I'm cancelling it, so has it gone"
    assert matcher.match(threat).intent != "cancel_order"
    assert matcher.match("if it's not here tomorrow I'll be sending it straight back"
                         ).intent != "return_request"


def test_a_word_describing_the_thing_is_not_its_subject(matcher: Matcher) -> None:
    assert matcher.match("I got the wrong size as a gift, can it be exchanged").intent == (
        "exchange_request")
    assert matcher.match("I'm not at that address any more").intent is None


def test_an_unknown_word_before_a_thing_only_names_it(matcher: Matcher) -> None:
    assert matcher.match("are the walking boots available").intent == "product_availability"
    assert matcher.match("are the zorble flurb available").intent is None


def test_an_apology_before_something_else_is_no_request_to_repeat(matcher: Matcher) -> None:
    assert matcher.match("sorry?").intent == "repeat"
    assert matcher.match("sorry, you cut out there").intent == "repeat"
    for said in ("sorry, wrong number", "I'm sorry, I'm just driving"):
        assert matcher.match(said).intent is None, said


def test_the_change_a_caller_names_is_the_one_made(matcher: Matcher) -> None:
    assert matcher.match("it doesn't fit").intent == "return_request"
    assert matcher.match("it doesn't fit, I want to exchange it").intent == "exchange_request"
    assert matcher.match("not an exchange, I just want to give it back").intent == (
        "return_request")
    assert matcher.match("I need to change the delivery address").intent == "change_address"


def test_the_head_of_a_compound_is_what_is_cancelled(matcher: Matcher) -> None:
    assert matcher.match("I want to cancel my phone").intent == "cancel_order"
    assert matcher.match("I want to cancel my phone contract").intent is None
    assert matcher.match("cancel my order immediately").intent == "cancel_order"


def test_a_transcript_is_understood_by_its_clearest_clause(matcher: Matcher) -> None:
    said = "So I spoke to Dave on Monday, he was lovely, very kind. Where is order 48213?"
    found = matcher.match(said)
    assert found.intent == "order_status"
    assert found.slots == {"order_number": "48213"}
    unpunctuated = said.replace(",", "").replace(".", "").replace("?", "")
    assert matcher.match(unpunctuated).intent is None


def test_a_clause_cut_off_or_started_again_is_no_request_of_its_own(matcher: Matcher) -> None:
    """Whisper's decoding loops on everyday speech end mid-phrase: "what" alone asks the bot to
    say it again, a question stopped before its noun does not."""
    assert matcher.match("What's the capital and friends. What's my").intent is None
    assert matcher.match("What is my capital and friends. What's").intent is None
    assert matcher.match("Where is my parcel? The").intent == "track_package"
    assert matcher.match("Sorry, what?").intent == "repeat"


def test_opening_words_count_only_where_the_grammar_uses_them(matcher: Matcher) -> None:
    assert matcher.match("yeah okay so hi, where's my parcel").intent == "track_package"
    assert matcher.match("yeah", "main").intent is None
    assert matcher.match("yeah", "confirm").intent == "yes"


@pytest.mark.parametrize("text", [
    "", "   ", "\t\n", "🙂🙂🙂", "¿Dónde está mi pedido?", "我的订单在哪里",
    "Wo ist meine Bestellung", "x" * 100_000, "where is my order " * 6000, "\x00\x01\x02",
    "!!!???", "<script>alert(1)</script>",
])
def test_bad_input_is_not_understood_and_never_raises(matcher: Matcher, text: str) -> None:
    for context in matcher.contexts:
        result = matcher.match(text, context)
        assert result.intent is None
        assert result.text == text


@pytest.mark.slow
def test_every_expanded_sentence_matches_its_own_intent(grammar: Grammar,
                                                        matcher: Matcher) -> None:
    """hassil's round trip. Sentences with the same content words give the matcher the same
    input, so each distinct one is tried once (17k of the ~200k spoken forms)."""
    tried: set[tuple[str, tuple[str, ...], str, tuple[tuple[str, str], ...]]] = set()
    failures = []
    for context in grammar.contexts():
        for spoken, sentence in grammar.spoken_examples(context):
            key = (context, tuple(content_words(normalize(spoken))), sentence.intent,
                   sentence.slots)
            if key in tried:
                continue
            tried.add(key)
            result = matcher.match(spoken, context)
            if result.intent != sentence.intent or any(
                result.slots.get(k) != v for k, v in sentence.slots
            ):
                failures.append(f"{sentence.where} [{context}] {spoken!r} -> {result.intent} "
                                f"{result.slots}, expected {sentence.intent} "
                                f"{dict(sentence.slots)}")
    assert len(tried) > 2000
    assert failures == [], "\n".join(failures[:20])


def test_embedded_order_number_and_reason_fill_slots_at_once(matcher: Matcher) -> None:
    result = matcher.match("I want to return order seven oh oh five five because it's too small")
    assert result.intent == "return_request"
    assert result.slots == {"order_number": "70055", "return_reason": "doesnt_fit"}


def test_short_numbers_are_not_order_numbers(matcher: Matcher) -> None:
    assert "order_number" not in matcher.match("I want to return one item").slots


@pytest.mark.parametrize(("text", "digits"), [
    ("For eight, two, one, three.", "48213"),
    ("One, to, three, four, five.", "12345"),
    ("Nine, zero, ate, one, seven.", "90817"),
    ("five five won double oh", "55100"),
    ("too double five one eight", "25518"),
])
def test_digit_homophones_are_read_where_a_number_is_asked_for(matcher: Matcher, text: str,
                                                               digits: str) -> None:
    assert matcher.match(text, "order_number").slots == {"order_number": digits}


def test_homophones_left_alone_when_no_number_fits(matcher: Matcher) -> None:
    assert matcher.match("I want to talk to a person", "order_number").intent == "speak_to_agent"


def test_unknown_context_is_a_clear_error(matcher: Matcher) -> None:
    with pytest.raises(ValueError, match="unknown context 'nowhere'"):
        matcher.match("hello", "nowhere")


def test_json_shape(matcher: Matcher) -> None:
    shape = matcher.match("cancel order 31190").as_json()
    assert shape == {"text": "cancel order 31190", "intent": "cancel_order",
                     "confidence": 1.0, "slots": {"order_number": "31190"}}


def test_match_first_takes_the_first_context_that_understands(matcher: Matcher) -> None:
    assert matcher.match_first("yes please", ["confirm", "main"]).intent == "yes"
    assert matcher.match("where is my parcel", "confirm").intent is None
    assert matcher.match_first("where is my parcel", ["confirm", "main"]).intent == (
        "track_package")
    assert matcher.match_first("I'd like a pizza", ["confirm", "main"]).intent is None
