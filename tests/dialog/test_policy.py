"""Scripted calls through CallSession: events in, actions out, for every dialog path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from ivr.call.session import CallSession
from ivr.commerce.embedded import EmbeddedOrderService
from ivr.commerce.models import OrderStatus
from ivr.dialog.escalation import DialogSettings
from ivr.dialog.phrasing import day
from ivr.dialog.policy import Policy
from ivr.dialog.state import Phase
from ivr.errors import OrderServiceError
from ivr.events import (
    Ask,
    CallerHungUp,
    EndCall,
    Heard,
    OrderCancelled,
    ReturnCreated,
    Say,
    SurveyAnswered,
    Transfer,
)
from tests.conftest import ANA, BEN, ScriptedCall, prompt_ids

Call = Callable[..., ScriptedCall]


def last_ask(actions: list) -> Ask:  # type: ignore[type-arg]
    asks = [a for a in actions if isinstance(a, Ask)]
    assert asks, actions
    return asks[-1]


# ------------------------------------------------------------------ greeting and menu
def test_unknown_caller_gets_generic_greeting_naming_what_to_say(call: Call) -> None:
    c = call("+15557654321")
    assert prompt_ids(c.greeting) == ["greeting"]
    assert "track a parcel" in c.greeting[0].text
    assert last_ask(c.greeting).contexts == ("main",)


def test_known_caller_is_greeted_by_name_with_latest_open_order(call: Call) -> None:
    c = call(ANA)
    assert prompt_ids(c.greeting) == ["greeting_known_order"]
    assert "Hi Ana" in c.greeting[0].text and "4 8 2 1 3" in c.greeting[0].text
    assert c.state.customer_name == "Ana Lopez"


def test_session_tells_the_recogniser_what_to_listen_for(call: Call) -> None:
    c = call()
    assert c.session.contexts == ("main",)
    c.say("where is my order")
    assert c.session.contexts == ("order_number", "main")
    c.say("four eight two one three")
    assert c.session.contexts == ("postcode",)


@pytest.mark.parametrize(("key", "intent"), [("1", "order_status"), ("2", "track_package"),
                                             ("3", "return_request"), ("4", "cancel_order")])
def test_menu_keys(call: Call, key: str, intent: str) -> None:
    c = call()
    assert prompt_ids(c.keys(key)) == ["ask_order_number"]
    assert c.state.intent == intent


@pytest.mark.parametrize("step", [lambda c: c.keys("70055#"),
                                  lambda c: c.say("seven oh oh five five")])
def test_an_order_number_alone_at_the_menu_is_an_order_status_request(call: Call,
                                                                        step: object) -> None:
    c = call(ANA)
    actions = step(c)  # type: ignore[operator]
    assert prompt_ids(actions) == ["status_delivered", "anything_else"]


# ------------------------------------------------------------------ identity
def test_caller_id_on_the_order_verifies_at_once(call: Call) -> None:
    c = call(ANA)
    actions = c.say("where is order four eight two one three")
    assert prompt_ids(actions) == ["status_shipped", "anything_else"]
    assert "UPS" in actions[0].text
    assert c.state.verified_orders == ("48213",)


def test_nothing_is_disclosed_before_the_postcode(call: Call) -> None:
    c = call()
    actions = c.say("where's my order 48213")
    assert prompt_ids(actions) == ["ask_postcode"]
    assert "UPS" not in c.spoken() and "shipped" not in c.spoken()
    actions = c.say("nine four one oh seven")
    assert prompt_ids(actions) == ["status_shipped", "anything_else"]
    assert "verified caller for order 48213 by zip code" in c.state.done


def test_a_customer_verified_once_is_not_asked_again_for_their_other_orders(call: Call) -> None:
    c = call()
    c.say("where's my order 12345")
    c.say("one zero zero zero one")
    assert prompt_ids(c.say("and order 31190?"))[0] == "status_processing"
    assert "verified caller for order 31190 by order 12345, the same customer's, verified " \
           "earlier" in c.state.done
    assert prompt_ids(c.say("what about order 48213")) == ["ask_postcode"]  # Ana's


def test_postcode_by_keys(call: Call) -> None:
    c = call()
    c.keys("2")
    c.keys("70055#")
    assert prompt_ids(c.keys("94107")) == ["tracking_delivered", "anything_else"]


def test_another_customers_caller_id_does_not_verify(call: Call) -> None:
    c = call(BEN)
    assert prompt_ids(c.say("track order 48213")) == ["ask_postcode"]


def test_wrong_postcode_twice_transfers_without_disclosing(call: Call) -> None:
    c = call()
    c.say("track my parcel 48213")
    assert prompt_ids(c.say("one two three four five")) == ["postcode_mismatch"]
    actions = c.keys("11111")
    assert prompt_ids(actions) == ["transfer_identity"]
    transfer = c.transfer()
    assert transfer and transfer.reason == "identity_not_verified"
    assert transfer.context["verified"] is False
    assert "UPS" not in c.spoken() and "Reno" not in c.spoken()


# ------------------------------------------------------------------ order number handling
def test_order_number_by_keys_with_hash(call: Call) -> None:
    c = call(ANA)
    c.say("I want to check an order")
    c.say("no")
    assert prompt_ids(c.keys("70055#")) == ["status_delivered", "anything_else"]


def test_low_confidence_number_is_read_back(call: Call) -> None:
    c = call(ANA)
    actions = c.say("where is order four eight two one three", confidence=0.4)
    assert prompt_ids(actions) == ["confirm_order_number"]
    assert "4 8 2 1 3" in actions[0].text
    assert prompt_ids(c.say("no")) == ["ask_again_order_number"]
    actions = c.say("four eight two one three", confidence=0.3)
    assert prompt_ids(actions) == ["confirm_order_number"]
    assert prompt_ids(c.say("yes that's right")) == ["status_shipped", "anything_else"]


def test_unknown_order_number_then_transfer_after_max_failures(call: Call) -> None:
    c = call()
    c.say("order status")
    for _ in range(2):
        actions = c.say("nine nine nine nine nine")
        assert prompt_ids(actions) == ["order_not_found"]
        assert "9 9 9 9 9" in actions[0].text
    c.say("nine nine nine nine nine")
    transfer = c.transfer()
    assert transfer and transfer.reason == "order_not_found"


def test_a_known_caller_may_name_what_they_bought_for_the_order(call: Call) -> None:
    c = call(ANA)
    c.say("I'd like to return something")  # offered 70055: a shirt and sneakers
    asked = c.say("no, the sneakers")
    assert prompt_ids(asked) == ["ask_return_reason"]  # that order, and that item of it
    assert c.state.order_number == "70055"
    said = [turn for turn in c.state.transcript if turn.speaker == "caller"][-1]
    assert (said.intent, said.slots) == ("order_number", (("order_number", "70055"),))
    c.say("they're too tight")
    assert "the Canvas Sneakers from order 7 0 0 5 5" in c.spoken()


def test_naming_what_is_in_another_order_takes_that_order(call: Call) -> None:
    c = call(ANA)
    c.say("where's my parcel")  # offered 48213, the headphones
    assert prompt_ids(c.say("no, it's the blue rain jacket")) == ["tracking_delivered",
                                                                  "anything_else"]
    assert c.state.order_number == "66021"


def test_an_unknown_caller_naming_a_thing_is_asked_for_the_number(call: Call) -> None:
    c = call()
    c.say("I'd like to return something")
    assert prompt_ids(c.say("the canvas sneakers")) == ["didnt_understand", "order_number_help"]


def test_known_caller_is_offered_their_order(call: Call) -> None:
    c = call(ANA)
    actions = c.say("where's my parcel")
    assert prompt_ids(actions) == ["suggest_order"] and "4 8 2 1 3" in actions[0].text
    assert "with the Wireless Headphones?" in actions[0].text  # what they bought, not just a number
    actions = c.say("yes")
    assert prompt_ids(actions) == ["tracking_in_transit", "anything_else"]
    assert "UPS" in actions[0].text and "Reno, Nevada" in actions[0].text


def test_a_new_request_while_asked_for_the_number_offers_the_callers_order(call: Call) -> None:
    c = call(BEN)
    c.say("where is my order")
    assert prompt_ids(c.say("no")) == ["ask_order_number"]
    asked = c.say("actually where's my refund")
    assert prompt_ids(asked) == ["suggest_order"] and "8 0 4 1 7" in asked[0].text


def test_a_goodbye_instead_of_the_order_number_ends_the_call_politely(call: Call) -> None:
    c = call()
    c.say("where is my order")
    assert prompt_ids(c.say("okay bye")) == ["survey"]


def test_a_known_caller_is_offered_the_order_holding_the_item_they_name(call: Call) -> None:
    c = call(ANA)  # 48213 (headphones) is on its way; 70055 (shirt, sneakers) was delivered
    asked = c.say("I want to return the headphones")
    assert prompt_ids(asked) == ["suggest_order"] and "4 8 2 1 3" in asked[0].text
    assert prompt_ids(c.say("yes")) == ["return_not_delivered", "anything_else"]
    asked = c.say("then I would like to return the sneakers")
    assert prompt_ids(asked) == ["suggest_order"] and "7 0 0 5 5" in asked[0].text
    assert prompt_ids(c.say("yes")) == ["ask_return_reason"]


def test_a_parcel_the_tracking_says_was_delivered_is_a_delivered_order(call: Call) -> None:
    c = call(ANA)  # 48213 is on its way, 70055 was delivered
    asked = c.say("it says delivered but it's not here")
    assert prompt_ids(asked) == ["suggest_order"] and "7 0 0 5 5" in asked[0].text


def test_the_same_question_about_the_same_order_again_goes_to_a_person(call: Call) -> None:
    c = call(ANA)
    c.say("it says delivered but it's not here")
    assert prompt_ids(c.say("yes")) == ["tracking_delivered", "anything_else"]
    c.say("but it's still not here")
    transfer = c.transfer()
    assert transfer and transfer.reason == "answer_did_not_help"
    assert transfer.context["order_number"] == "70055"


def test_the_same_question_after_another_one_is_answered_again(call: Call) -> None:
    c = call(ANA)
    c.say("where's my parcel")
    assert prompt_ids(c.say("yes")) == ["tracking_in_transit", "anything_else"]
    c.say("is the blue rain jacket in stock")
    assert prompt_ids(c.say("where's my parcel")) == ["tracking_in_transit", "anything_else"]


def test_asked_for_the_order_number_a_caller_may_ask_something_else(call: Call) -> None:
    c = call()
    c.say("where's my order")
    answer = c.say("and the blue rain jacket, is it in stock?")
    assert "rain jacket is out of stock" in answer[0].text
    assert c.state.phase is Phase.ANYTHING_ELSE


def test_a_product_question_that_names_none_follows_the_last_one(call: Call) -> None:
    c = call()
    c.say("are the running shoes in stock in a size 10")
    assert "running shoes in size 10 are out of stock" in c.say("when will they be back")[0].text
    assert "running shoes in size 9 are in stock" in c.say("have you got a size 9")[0].text
    assert "running shoes in size 9 are in stock" in c.say("is it in stock")[0].text


def test_asked_which_product_a_caller_may_let_it_go(call: Call) -> None:
    c = call()
    assert prompt_ids(c.say("is it in stock")) == ["ask_product"]
    assert prompt_ids(c.say("no thanks")) == ["anything_else"]


def test_an_unknown_caller_without_the_number_is_not_asked_for_it(call: Call) -> None:
    c = call()
    c.say("I don't have my order number")
    transfer = c.transfer()
    assert transfer and transfer.reason == "no_order_number"


def test_known_caller_can_name_another_order(call: Call) -> None:
    c = call(ANA)
    c.say("I'd like to return something")
    assert prompt_ids(c.say("seven oh oh five five")) == ["ask_which_items"]


# ------------------------------------------------------------------ tasks
def test_tracking_in_transit_tells_carrier_scan_and_eta(call: Call) -> None:
    c = call(ANA)
    text = c.say("track order four eight two one three")[0].text
    assert "UPS" in text and "ending in 4 5 6 7 8 4." in text and "Reno, Nevada" in text
    assert "arrived at the facility" in text


def test_tracking_before_shipping(call: Call) -> None:
    c = call(BEN)
    assert prompt_ids(c.say("track order 31190")) == ["tracking_not_shipped", "anything_else"]


def test_a_return_named_item_and_reason_at_once_is_read_back_before_it_is_made(
        call: Call, orders: EmbeddedOrderService) -> None:
    c = call(ANA)
    confirm = c.say("I want to return the sneakers from order seven oh oh five five because "
                    "they don't fit")
    assert prompt_ids(confirm) == ["confirm_return"]
    assert confirm[0].text.startswith("I'll set up a return of the Canvas Sneakers from order "
                                      "7 0 0 5 5, because it doesn't fit.")
    assert orders.returns_for("70055") == []  # nothing changes before the caller agrees
    actions = c.say("yes please")
    created = [a for a in actions if isinstance(a, ReturnCreated)]
    assert len(created) == 1 and created[0].reason == "doesnt_fit"
    assert created[0].items == ("SN-CNV-42",)
    spoken_rma = " ".join(created[0].rma)
    assert actions[1].text.count(spoken_rma) == 2  # read back digit by digit, twice
    assert [r.rma for r in orders.returns_for("70055")] == [created[0].rma]


def test_a_return_declined_at_the_read_back_changes_nothing(
        call: Call, orders: EmbeddedOrderService) -> None:
    c = call(ANA)
    c.say("I want to return the linen shirt from order 70055, it arrived damaged")
    assert prompt_ids(c.say("no")) == ["return_declined", "anything_else"]
    assert orders.returns_for("70055") == []


@pytest.mark.parametrize(("answer", "skus"), [
    ("the shirt", ("SH-LIN-M",)),
    ("um, the sneakers please", ("SN-CNV-42",)),
    ("the second one", ("SN-CNV-42",)),
    ("both", ("SH-LIN-M", "SN-CNV-42")),
    ("all of them", ("SH-LIN-M", "SN-CNV-42")),
])
def test_the_items_to_return_are_asked_when_the_request_names_none(
        call: Call, orders: EmbeddedOrderService, answer: str, skus: tuple[str, ...]) -> None:
    c = call(ANA)
    c.say("I'd like to return something from order 70055")
    assert c.state.phase is Phase.WHICH_ITEMS
    assert prompt_ids(c.say(answer)) == ["ask_return_reason"]
    c.say("I changed my mind")
    c.say("yes")
    assert orders.returns_for("70055")[0].skus == skus


def test_a_reason_given_with_the_item_is_not_asked_for(call: Call,
                                                     orders: EmbeddedOrderService) -> None:
    c = call(ANA)
    c.say("I'd like to return something from order 70055")
    confirm = c.say("the shirt, it doesn't fit")
    assert prompt_ids(confirm) == ["confirm_return"] and "because it doesn't fit" in confirm[0].text
    c.say("yes")
    assert orders.returns_for("70055")[0].reason == "doesnt_fit"


def test_items_not_named_in_the_answer_are_asked_for_again(call: Call) -> None:
    c = call(ANA)
    c.say("I'd like to return something from order 70055")
    helped = c.say("the blue one")
    assert prompt_ids(helped) == ["didnt_understand", "which_items_help"]
    assert "the Linen Shirt or the Canvas Sneakers" in helped[1].text  # the list again
    keys = c.say("I don't know")
    assert prompt_ids(keys) == ["didnt_understand", "which_items_keys"]
    assert "the Linen Shirt or the Canvas Sneakers" in keys[1].text
    assert c.state.phase is Phase.WHICH_ITEMS


def test_keys_past_the_list_of_items_count_towards_a_person(call: Call) -> None:
    c = call(ANA)
    c.say("I'd like to return something from order 70055")  # two items
    assert prompt_ids(c.keys("5")) == ["didnt_understand", "which_items_help"]
    assert prompt_ids(c.keys("5")) == ["didnt_understand", "which_items_keys"]
    assert [type(a) for a in c.keys("5")][-1] is Transfer


def test_return_reason_by_keys(call: Call, orders: EmbeddedOrderService) -> None:
    c = call(ANA)
    c.keys("3")
    c.keys("1")  # yes, order 70055 (the delivered one)
    c.keys("1")  # its first item, the Linen Shirt
    assert prompt_ids(c.keys("2")) == ["confirm_return"]
    actions = c.keys("1")  # yes
    assert [a.reason for a in actions if isinstance(a, ReturnCreated)] == ["damaged"]
    assert orders.returns_for("70055")[0].reason == "damaged"
    assert orders.returns_for("70055")[0].skus == ("SH-LIN-M",)


def test_return_outside_the_window_is_refused(call: Call, orders: EmbeddedOrderService) -> None:
    c = call(BEN)
    assert prompt_ids(c.say("return order 55102")) == ["return_window_closed", "anything_else"]
    assert orders.returns_for("55102") == []


def test_final_sale_items_are_left_out_of_a_return(call: Call,
                                                   orders: EmbeddedOrderService) -> None:
    c = call(BEN)
    actions = c.say("I want to return order one two three four five")
    assert prompt_ids(actions) == ["return_partial_final_sale", "ask_return_reason"]
    assert "Silk Scarf was final sale" in actions[0].text
    c.say("I changed my mind")
    c.say("yes")
    assert orders.returns_for("12345")[0].skus == ("WAL-LTH",)


def test_return_before_delivery_is_refused(call: Call) -> None:
    c = call(ANA)
    assert prompt_ids(c.say("return order 48213")) == ["return_not_delivered", "anything_else"]


def test_second_return_reads_back_the_first(call: Call, orders: EmbeddedOrderService) -> None:
    first = orders.create_return("70055", ("SH-LIN-M", "SN-CNV-42"), "damaged")
    c = call(ANA)
    actions = c.say("return order 70055")
    assert prompt_ids(actions) == ["return_already", "anything_else"]
    assert " ".join(first.rma) in actions[0].text


def test_cancel_before_shipping_after_yes(call: Call, orders: EmbeddedOrderService) -> None:
    c = call(BEN)
    actions = c.say("cancel order three one one nine zero")
    assert prompt_ids(actions) == ["confirm_cancel"] and "Tea Sampler" in actions[0].text
    assert (order := orders.find_order("31190")) and order.status is OrderStatus.PROCESSING
    actions = c.say("yes please")
    assert OrderCancelled("31190") in actions
    assert (order := orders.find_order("31190")) and order.status is OrderStatus.CANCELLED


def test_a_caller_cancels_for_someone_else_once_verified(call: Call,
                                                        orders: EmbeddedOrderService) -> None:
    c = call()
    actions = c.say("hi, I'm ringing for my husband, he wants to cancel his order")
    assert prompt_ids(actions) == ["ask_order_number"]
    assert prompt_ids(c.say("it's three one one nine zero")) == ["ask_postcode"]
    assert prompt_ids(c.say("one zero zero zero one")) == ["confirm_cancel"]
    assert OrderCancelled("31190") in c.say("yes, go ahead")
    assert (order := orders.find_order("31190")) and order.status is OrderStatus.CANCELLED


def test_cancel_declined_changes_nothing(call: Call, orders: EmbeddedOrderService) -> None:
    c = call(BEN)
    c.say("cancel order 31190")
    assert prompt_ids(c.keys("2")) == ["cancel_declined", "anything_else"]
    assert (order := orders.find_order("31190")) and order.status is OrderStatus.PROCESSING


def test_cancel_after_shipping_explains_and_points_to_returns(call: Call) -> None:
    c = call(ANA)
    actions = c.say("cancel order 48213")
    assert prompt_ids(actions) == ["cancel_shipped", "anything_else"]
    assert "30 days" in actions[0].text


def test_cancel_after_delivery_offers_a_return(call: Call, orders: EmbeddedOrderService) -> None:
    c = call(ANA)
    assert prompt_ids(c.say("cancel order 70055")) == ["cancel_delivered"]
    assert prompt_ids(c.say("yes")) == ["ask_which_items"]
    c.say("everything")
    c.say("it arrived broken")
    c.say("yes")
    assert orders.returns_for("70055")[0].reason == "damaged"


@pytest.mark.parametrize(("utterance", "answer", "fact"), [
    ("what's your return policy", ["return_policy", "offer_new_return"], "30 days"),
    ("how much is shipping", ["shipping_info", "anything_else"], "5 dollars 99"),
])
def test_policy_answers_come_from_data(call: Call, utterance: str, answer: list[str],
                                       fact: str) -> None:
    c = call()
    actions = c.say(utterance)
    assert prompt_ids(actions) == answer
    assert fact in actions[0].text


@pytest.mark.parametrize("step", [lambda c: c.say("yes please"), lambda c: c.keys("1")])
def test_a_yes_after_the_return_policy_starts_a_return_behind_the_identity_check(
        call: Call, step: object) -> None:
    c = call()
    c.say("do you take returns")
    actions = step(c)  # type: ignore[operator]
    assert prompt_ids(actions) == ["ask_order_number"]
    assert c.state.intent == "return_request"
    c.say("seven zero zero five five")
    assert prompt_ids(c.say("nine four one oh seven")) == ["ask_which_items"]


def test_a_no_after_the_return_policy_asks_what_else(call: Call) -> None:
    c = call()
    c.say("what's your return policy")
    assert prompt_ids(c.say("no thanks")) == ["anything_else"]
    assert c.state.phase is Phase.ANYTHING_ELSE


def test_another_request_after_the_return_policy_is_taken_as_asked(call: Call) -> None:
    c = call()
    c.say("what's your return policy")
    assert prompt_ids(c.say("actually, where is my parcel")) == ["ask_order_number"]
    assert c.state.intent == "track_package"


def test_anything_else_reuses_the_verified_order(call: Call) -> None:
    c = call()
    c.say("where is order 70055")
    c.say("94107")
    assert prompt_ids(c.say("I'd like to return the shirt")) == ["ask_return_reason"]


def test_repeat_says_the_rma_again_without_counting_a_failure(call: Call) -> None:
    c = call(ANA)
    c.say("return the sneakers from order 70055")
    c.say("it doesn't fit")
    first = c.say("yes")
    again = c.say("sorry, can you repeat that")
    assert [(a.prompt_id, a.text) for a in again] == [
        (a.prompt_id, a.text) for a in first if isinstance(a, Say | Ask)]
    assert isinstance(again[-1], Ask) and again[-1].contexts == ("main", "confirm")
    assert c.keys("*")[-1].text == first[-1].text
    assert c.state.total_no_match == 0 and c.state.phase is Phase.ANYTHING_ELSE


def test_a_caller_who_keeps_asking_to_hear_it_again_reaches_a_person(call: Call) -> None:
    """Out-of-domain speech is often heard as "say that again": without a limit such a caller
    would hear the same question for ever."""
    c = call()
    question = c.say("where's my parcel")[-1]
    for _ in range(3):  # max_failures
        assert c.say("say that again")[-1] == question
    assert isinstance(c.keys("*")[-1], Transfer)
    transfer = c.transfer()
    assert transfer and transfer.reason == "repeat_requests"
    assert transfer.context["intent"] == "track_package"


def test_repeats_in_a_row_start_again_after_an_answer(call: Call) -> None:
    c = call()
    c.say("where's my parcel")
    for _ in range(3):
        c.say("repeat that")
    c.say("48213")
    for _ in range(3):
        assert isinstance(c.say("pardon")[-1], Ask)
    assert c.transfer() is None and c.state.repeats == 3


@pytest.mark.parametrize("utterance", ["I don't know it", "no idea", "I lost the email"])
def test_caller_without_an_order_number_goes_to_a_person(call: Call, utterance: str) -> None:
    c = call()
    c.say("where's my parcel")
    c.say(utterance)
    transfer = c.transfer()
    assert transfer and transfer.reason == "no_order_number"
    assert transfer.context["intent"] == "track_package"


def test_caller_without_the_zip_code_goes_to_a_person_untold(call: Call) -> None:
    c = call()
    c.say("track order 48213")
    assert prompt_ids(c.say("I don't remember my zip code")) == ["transfer_identity"]
    assert (t := c.transfer()) and t.reason == "identity_not_verified"
    assert "UPS" not in c.spoken()


# ------------------------------------------------------------------ goodbye and survey
def test_goodbye_survey_records_the_score(call: Call) -> None:
    c = call()
    assert prompt_ids(c.say("that's all, bye")) == ["survey"]
    actions = c.say("four out of five")
    assert SurveyAnswered(4) in actions and EndCall("completed") in actions
    assert c.state.outcome == "completed"


def test_a_request_instead_of_a_score_is_answered_not_ended(call: Call) -> None:
    """The survey follows a goodbye, which may have been heard by mistake."""
    c = call(ANA)
    assert prompt_ids(c.say("thanks, bye")) == ["survey"]
    asked = c.say("no wait, where's my parcel")
    assert prompt_ids(asked) == ["suggest_order"] and c.state.phase is Phase.SUGGEST_ORDER
    assert prompt_ids(c.say("yes")) == ["tracking_in_transit", "anything_else"]
    assert prompt_ids(c.say("that's all")) == ["survey"]
    actions = c.say("goodbye")
    assert prompt_ids(actions) == ["goodbye"] and EndCall("completed") in actions
    assert not [a for a in c.log if isinstance(a, SurveyAnswered)]


def test_no_after_anything_else_leads_to_survey_by_keys(call: Call) -> None:
    c = call()
    c.say("do you ship to canada")
    assert prompt_ids(c.say("no")) == ["survey"]
    assert SurveyAnswered(5) in c.keys("5")


def test_silent_survey_ends_politely_without_transfer(call: Call) -> None:
    c = call()
    c.say("goodbye")
    assert prompt_ids(c.silence()) == ["survey_help"]
    actions = c.silence()
    assert prompt_ids(actions) == ["goodbye"] and EndCall("completed") in actions
    assert c.transfer() is None


def test_silence_after_anything_else_is_a_goodbye_not_a_transfer(call: Call) -> None:
    c = call()
    c.say("how much is shipping")
    assert prompt_ids(c.silence()) == ["anything_else_help"]
    actions = c.silence()
    assert prompt_ids(actions) == ["goodbye"] and EndCall("completed") in actions
    assert c.transfer() is None


def test_not_understood_after_anything_else_still_escalates(call: Call) -> None:
    c = call()
    c.say("how much is shipping")
    for _ in range(3):
        c.say("tell me a joke")
    assert (t := c.transfer()) and t.reason == "no_match"


# ------------------------------------------------------------------ escalation
def test_no_input_reprompts_with_more_help_then_transfers(call: Call) -> None:
    c = call()
    assert prompt_ids(c.silence()) == ["didnt_hear", "main_help"]
    assert prompt_ids(c.silence()) == ["didnt_hear", "main_keys"]
    assert prompt_ids(c.silence()) == ["transfer"]
    transfer = c.transfer()
    assert transfer and transfer.reason == "no_input" and transfer.queue == "support"
    assert transfer.context["failures"] == {"no_input": 3, "no_match": 0}


def test_no_match_reprompts_then_transfers_with_context(call: Call) -> None:
    c = call()
    assert prompt_ids(c.say("tell me a joke")) == ["didnt_understand", "main_help"]
    assert prompt_ids(c.say("I'd like a pizza")) == ["didnt_understand", "main_keys"]
    c.keys("7")
    transfer = c.transfer()
    assert transfer and transfer.reason == "no_match"
    texts = [t["text"] for t in transfer.context["transcript"] if t["speaker"] == "caller"]
    assert texts == ["tell me a joke", "I'd like a pizza", "[keys 7]"]


def test_understanding_resets_the_failure_count(call: Call) -> None:
    c = call()
    c.silence()
    c.silence()
    c.say("where is my order")
    assert prompt_ids(c.silence()) == ["didnt_hear", "order_number_help"]


def test_max_failures_is_configurable(matcher, frustration, orders, prompts) -> None:  # type: ignore[no-untyped-def]
    policy = Policy(matcher, frustration, orders, prompts,
                    settings=DialogSettings(max_failures=1))
    c = ScriptedCall(policy, "")
    c.silence()
    assert (t := c.transfer()) and t.reason == "no_input"


@pytest.mark.parametrize("utterance", ["get me a person", "agent", "I want to talk to a human"])
def test_asking_for_a_person_transfers_at_once(call: Call, utterance: str) -> None:
    c = call()
    c.say("where is my order")
    actions = c.say(utterance)
    assert prompt_ids(actions) == ["transfer"]
    transfer = c.transfer()
    assert transfer and transfer.reason == "caller_request"
    assert transfer.context["intent"] == "order_status"


def test_key_zero_transfers_from_any_phase(call: Call) -> None:
    c = call()
    c.say("cancel my order")
    c.keys("0")
    assert (t := c.transfer()) and t.reason == "caller_request"


@pytest.mark.parametrize("utterance", ["this is ridiculous", "oh for fuck's sake",
                                       "you're useless"])
def test_frustration_transfers_at_once(call: Call, utterance: str) -> None:
    c = call()
    c.say(utterance)
    transfer = c.transfer()
    assert transfer and transfer.reason == "frustration" and transfer.context["frustrated"]


def test_frustration_is_heard_even_when_the_recogniser_doubts_its_words(call: Call) -> None:
    c = call()
    actions = c.say("this is ridiculous cancel", 0.2, rejected=True)
    assert prompt_ids(actions) == ["transfer"]
    assert (t := c.transfer()) and t.reason == "frustration"


def test_words_the_recogniser_doubts_are_asked_again(call: Call) -> None:
    c = call()
    actions = c.say("hang like to the good night", 0.1, rejected=True)
    assert prompt_ids(actions)[0] == "didnt_understand"
    assert c.transfer() is None and c.state.phase is not Phase.ENDED


def test_another_language_is_told_english_only_with_a_person_offered(call: Call) -> None:
    c = call()
    c.say("where is my order")
    actions = c.speaks("fr")
    assert prompt_ids(actions) == ["english_only"]
    assert "only speak English" in actions[0].text and "press zero" in actions[0].text
    assert c.state.phase is Phase.ORDER_NUMBER and c.transfer() is None
    assert c.state.transcript[-2].text == "[another language: fr]"
    assert prompt_ids(c.keys("0")) == ["transfer"]
    assert (t := c.transfer()) and t.reason == "caller_request" and t.context["language"] == "fr"


def test_a_caller_who_goes_on_in_another_language_goes_to_a_person(call: Call) -> None:
    c = call()
    c.speaks("es")
    assert prompt_ids(c.speaks("es")) == ["transfer"]
    transfer = c.transfer()
    assert transfer and transfer.reason == "other_language"
    assert transfer.context["language"] == "es"


def test_another_language_counts_towards_the_failures_before_a_person(call: Call) -> None:
    c = call()
    c.say("blue elephants dancing")
    c.say("purple monkeys singing")
    assert prompt_ids(c.speaks("de")) == ["transfer"]
    assert (t := c.transfer()) and t.reason == "other_language"


def test_a_caller_who_switches_to_english_carries_on(call: Call) -> None:
    c = call(ANA)
    c.speaks("pt")
    assert prompt_ids(c.say("track my parcel"))[0] != "didnt_understand"
    assert c.transfer() is None and c.state.intent == "track_package"


def test_context_packet_carries_everything_learnt(call: Call) -> None:
    c = call(ANA)
    c.say("I want to return order 70055")
    c.say("speak to an agent")
    packet = (t := c.transfer()) and t.context
    assert packet
    assert packet["intent"] == "return_request" and packet["order_number"] == "70055"
    assert packet["verified"] is True and packet["customer"] == "Ana Lopez"
    assert packet["caller"] == ANA and packet["call_sid"] == "CAtest"
    assert "verified caller for order 70055 by caller ID" in packet["done"]
    assert [t["speaker"] for t in packet["transcript"]][:3] == ["bot", "caller", "bot"]


class FailingOrders:
    """An order system whose lookups fail, as a shop's API does during an outage."""

    def __getattr__(self, name: str) -> object:
        def fail(*args: object) -> object:
            raise OrderServiceError("connection refused")
        return fail


def test_order_system_failure_apologises_and_transfers(matcher, frustration, prompts) -> None:  # type: ignore[no-untyped-def]
    policy = Policy(matcher, frustration, FailingOrders(), prompts)  # type: ignore[arg-type]
    c = ScriptedCall(policy, ANA)
    assert prompt_ids(c.greeting) == ["system_error", "transfer"]
    assert (t := c.transfer()) and t.reason == "system_error"


def test_order_system_failure_mid_call(call: Call, orders: EmbeddedOrderService,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    c = call()
    c.say("track my package")

    def broken(number: str) -> None:
        raise OrderServiceError("timeout")

    monkeypatch.setattr(orders, "find_order", broken)
    assert prompt_ids(c.say("48213")) == ["system_error", "transfer"]
    assert (t := c.transfer()) and t.reason == "system_error" and t.context["intent"]


def test_a_bug_becomes_an_apology_and_a_transfer(policy: Policy,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    session = CallSession(policy, "CAbug", "")
    session.start()

    def crash(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(policy, "_heard", crash)
    actions = session.handle(Heard("hello"))
    assert prompt_ids(actions) == ["bot_error"]
    assert isinstance(actions[-1], Transfer) and actions[-1].reason == "bot_error"
    assert session.ended


def test_hangup_ends_the_call_and_later_events_do_nothing(call: Call) -> None:
    c = call()
    c.session.handle(CallerHungUp())
    assert c.state.phase is Phase.ENDED and c.state.outcome == "caller_hung_up"
    assert c.say("hello") == [] and c.silence() == []


def test_dates_are_spoken_relative_to_today() -> None:
    today = date(2026, 11, 23)
    assert day(date(2026, 11, 24), today) == "tomorrow"
    assert day(date(2026, 11, 26), today) == "on Thursday, November 26"
