"""Scripted calls for the after-sales requests and the service desk: refunds, exchanges, a new
delivery address, missing items, product questions and complaints."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ivr.commerce.embedded import EmbeddedOrderService
from ivr.commerce.models import Address
from ivr.dialog.state import Phase
from ivr.events import TicketOpened
from tests.conftest import ANA, BEN, ScriptedCall, prompt_ids

Call = Callable[..., ScriptedCall]


def tickets(call: ScriptedCall) -> list[TicketOpened]:
    return [a for a in call.log if isinstance(a, TicketOpened)]


# ------------------------------------------------------------------ refunds
def test_a_refunded_return_is_reported_with_its_amount_and_day(call: Call) -> None:
    c = call(ANA)
    c.say("where's my refund")
    assert c.state.phase is Phase.SUGGEST_ORDER  # the order with a return, by caller ID
    assert c.state.pending_order == "66021"
    said = prompt_ids(c.say("yes"))
    assert said == ["refund_paid", "anything_else"]
    assert "79 dollars" in c.spoken()


def test_a_return_still_on_its_way_back_says_so_with_its_number(call: Call) -> None:
    c = call(BEN)
    c.say("I sent it back two weeks ago and haven't got my money")
    assert prompt_ids(c.say("yes")) == ["refund_on_its_way_back", "anything_else"]
    assert "6 1 8 3 0 2 7 5" in c.spoken()


def test_a_received_return_gives_the_day_the_refund_is_due(call: Call,
                                                          orders: EmbeddedOrderService) -> None:
    orders.write_all([("UPDATE refunds SET refunded_on = NULL WHERE rma = '52718493'", [()])])
    c = call(ANA)
    c.say("has my refund been processed")
    assert prompt_ids(c.say("yes")) == ["refund_pending", "anything_else"]


def test_a_refund_asked_after_another_task_is_about_the_order_with_a_return(call: Call) -> None:
    c = call(BEN)
    c.say("can I change the delivery address on order 31190")  # verified, being prepared
    assert prompt_ids(c.say("I don't know")) == ["address_declined", "anything_else"]
    asked = c.say("and where's my refund")
    assert prompt_ids(asked) == ["suggest_order"] and "8 0 4 1 7" in asked[0].text
    assert prompt_ids(c.say("yes")) == ["refund_on_its_way_back", "anything_else"]


def test_no_return_no_refund(call: Call) -> None:
    c = call(ANA)
    c.say("where is my refund for order seven oh oh five five")
    assert prompt_ids(c.log[-2:]) == ["refund_none", "anything_else"]


def test_refunds_are_told_only_to_a_verified_caller(call: Call) -> None:
    c = call()  # caller ID withheld
    c.say("where is my refund for order 66021")
    assert c.state.phase is Phase.POSTCODE
    assert "79 dollars" not in c.spoken()
    c.say("nine four one oh seven")
    assert "79 dollars" in c.spoken()


# ------------------------------------------------------------------ exchanges
def test_an_exchange_is_confirmed_then_created(call: Call, orders: EmbeddedOrderService) -> None:
    c = call(ANA)
    c.say("I'd like to exchange it for a different size")
    asked = c.say("yes")  # order 70055, which has two items
    assert prompt_ids(asked) == ["ask_which_items"]
    assert "the Linen Shirt or the Canvas Sneakers" in asked[0].text
    c.say("both of them")
    assert c.state.phase is Phase.EXCHANGE_FOR
    confirm = c.say("a bigger size please")
    assert prompt_ids(confirm) == ["confirm_exchange"]
    assert "Linen Shirt and Canvas Sneakers" in confirm[0].text
    assert orders.exchanges_for("70055") == []  # nothing changes before the caller agrees
    assert prompt_ids(c.say("yes")) == ["exchange_created", "anything_else"]
    [exchange] = orders.exchanges_for("70055")
    assert exchange.wanted == "a bigger size"
    assert set(exchange.skus) == {"SH-LIN-M", "SN-CNV-42"}
    assert " ".join(exchange.number) in c.spoken()


def test_an_exchange_of_the_item_named_leaves_the_rest(call: Call,
                                                       orders: EmbeddedOrderService) -> None:
    c = call(ANA)
    c.say("I'd like to exchange the linen shirt")
    assert prompt_ids(c.say("yes")) == ["ask_exchange_for"]  # no question about which item
    confirm = c.say("a medium")
    assert "the Linen Shirt from order" in confirm[0].text and "Sneakers" not in confirm[0].text
    c.say("yes")
    assert [e.skus for e in orders.exchanges_for("70055")] == [("SH-LIN-M",)]
    c.say("and I want to return the other thing too")
    assert prompt_ids(c.log[-1:]) == ["ask_return_reason"]  # only the sneakers are left


def test_what_an_item_is_wanted_in_is_taken_with_the_item(call: Call) -> None:
    c = call(ANA)
    c.say("can I exchange something from order 70055")
    confirm = c.say("the sneakers in black")
    assert prompt_ids(confirm) == ["confirm_exchange"]
    assert "the Canvas Sneakers from order 7 0 0 5 5 for black" in confirm[0].text


def test_what_is_wanted_in_exchange_is_taken_from_the_request(call: Call) -> None:
    c = call(ANA)
    confirm = c.say("can I swap the linen shirt from order 70055 for a medium")
    assert prompt_ids(confirm) == ["confirm_exchange"]
    assert "the Linen Shirt from order 7 0 0 5 5 for size medium" in confirm[0].text


def test_what_is_wanted_in_exchange_is_heard_however_the_request_says_it(call: Call) -> None:
    c = call(ANA)
    confirm = c.say("the sneakers I got are too small, can I get a bigger size")
    assert prompt_ids(confirm) == ["suggest_order"]
    confirm = c.say("yes")
    assert prompt_ids(confirm) == ["confirm_exchange"]
    assert "the Canvas Sneakers from order 7 0 0 5 5 for a bigger size" in confirm[0].text


def test_a_thing_named_that_the_order_does_not_hold_is_not_its_only_item(
        call: Call, orders: EmbeddedOrderService) -> None:
    c = call(BEN)
    c.say("can I swap the running shoes I bought for a size ten")
    assert c.state.pending_order == "12345"  # its one item that can go back: a wallet
    asked = c.say("yes")
    assert prompt_ids(asked) == ["ask_which_items"] and "Leather Wallet" in asked[0].text
    assert orders.exchanges_for("12345") == []


def test_asked_why_they_return_it_a_caller_may_swap_it_instead(
        call: Call, orders: EmbeddedOrderService) -> None:
    c = call(ANA)
    c.say("I want to return the linen shirt from order 70055")
    assert c.state.phase is Phase.RETURN_REASON
    confirm = c.say("actually, can I swap it for a large instead, order 48213")
    assert prompt_ids(confirm) == ["confirm_exchange"]
    assert "the Linen Shirt from order 7 0 0 5 5 for size large" in confirm[0].text
    c.say("yes")
    assert [e.skus for e in orders.exchanges_for("70055")] == [("SH-LIN-M",)]
    assert orders.returns_for("70055") == []


def test_asked_what_they_want_instead_a_caller_may_want_their_money_back(call: Call) -> None:
    c = call(ANA)
    c.say("I'd like to exchange the linen shirt from order 70055")
    assert c.state.phase is Phase.EXCHANGE_FOR
    confirm = c.say("no, I'd rather return it, it doesn't fit")
    assert prompt_ids(confirm) == ["confirm_return"]
    assert c.state.intent == "return_request"


def test_another_request_is_no_reason_for_a_return(call: Call) -> None:
    c = call(ANA)
    c.say("I want to return the linen shirt from order 70055")
    assert prompt_ids(c.say("where's my parcel")) == ["didnt_understand", "return_reason_help"]
    assert c.state.phase is Phase.RETURN_REASON


def test_an_exchange_declined_changes_nothing(call: Call, orders: EmbeddedOrderService) -> None:
    c = call(ANA)
    c.say("can I swap these for a smaller size")
    c.say("yes")
    assert prompt_ids(c.keys("9")) == ["confirm_exchange"]  # all of them, a smaller size
    assert prompt_ids(c.say("no")) == ["exchange_declined", "anything_else"]
    assert orders.exchanges_for("70055") == []


def test_an_exchanged_item_cannot_then_be_returned(call: Call,
                                                  orders: EmbeddedOrderService) -> None:
    orders.create_exchange("70055", ("SH-LIN-M", "SN-CNV-42"), "black")
    c = call(ANA)
    c.say("I want to return order seven oh oh five five")
    assert prompt_ids(c.log[-2:]) == ["return_already", "anything_else"]


def test_an_order_outside_the_return_window_cannot_be_exchanged(call: Call) -> None:
    c = call(BEN)
    c.say("I'd like to exchange order five five one zero two")
    assert prompt_ids(c.log[-2:]) == ["return_window_closed", "anything_else"]


# ------------------------------------------------------------------ delivery address
def test_an_address_change_is_read_back_and_confirmed(call: Call,
                                                      orders: EmbeddedOrderService) -> None:
    c = call(BEN)
    c.say("can I change the delivery address")
    c.say("yes")  # 31190, being prepared
    assert c.state.phase is Phase.NEW_STREET
    c.say("22 Baker Street")
    assert c.state.phase is Phase.NEW_POSTCODE
    confirm = c.say("one zero zero one one")
    assert prompt_ids(confirm) == ["confirm_address"]
    assert "22 Baker Street" in c.spoken() and "350 Fifth Avenue" in c.spoken()
    order = orders.find_order("31190")
    assert order and order.delivery_address == Address("350 Fifth Avenue", "10001")
    assert prompt_ids(c.say("yes")) == ["address_changed", "anything_else"]
    order = orders.find_order("31190")
    assert order and order.delivery_address == Address("22 Baker Street", "10011")


def test_an_address_change_declined_keeps_the_address(call: Call,
                                                      orders: EmbeddedOrderService) -> None:
    c = call(BEN)
    c.say("I need to update the address for order three one one nine zero")
    c.say("4 Elm Road")
    c.keys("10011#")
    assert prompt_ids(c.say("no")) == ["address_declined", "anything_else"]
    order = orders.find_order("31190")
    assert order and order.delivery_address == Address("350 Fifth Avenue", "10001")


def test_a_street_said_in_words_is_kept_as_an_order_system_writes_it(
        call: Call, orders: EmbeddedOrderService) -> None:
    c = call(BEN)
    c.say("can I change the delivery address")
    c.say("yes")
    c.say("um it's flat three, forty two Wallaby Way")
    c.keys("10011#")
    assert "Flat 3, 42 Wallaby Way" in c.spoken()
    c.say("yes")
    order = orders.find_order("31190")
    assert order and order.delivery_address == Address("Flat 3, 42 Wallaby Way", "10011")


@pytest.mark.parametrize("said", ["Oak Street", "hang on a second", "one two three four"])
def test_an_answer_that_is_not_a_street_is_helped_and_asked_again(
        call: Call, orders: EmbeddedOrderService, said: str) -> None:
    c = call(BEN)
    c.say("can I change the delivery address")
    c.say("yes")
    assert prompt_ids(c.say(said)) == ["didnt_understand", "street_help"]
    assert c.state.phase is Phase.NEW_STREET
    assert c.state.transcript[-1].intent is None  # stored as not understood
    c.say("12 Oak Street")
    assert c.state.phase is Phase.NEW_POSTCODE
    order = orders.find_order("31190")
    assert order and order.delivery_address == Address("350 Fifth Avenue", "10001")


def test_help_with_the_new_zip_code_is_about_the_new_address(call: Call) -> None:
    c = call(BEN)
    c.say("can I change the delivery address")
    c.say("yes")
    c.say("22 Baker Street")
    helped = c.say("yes that's right")
    assert prompt_ids(helped) == ["didnt_understand", "new_postcode_help"]
    assert "new address" in helped[-1].text
    assert prompt_ids(c.say("hmm")) == ["didnt_understand", "new_postcode_keys"]
    assert c.state.phase is Phase.NEW_POSTCODE


def test_a_caller_who_never_gives_a_street_is_offered_a_person(call: Call) -> None:
    c = call(BEN)
    c.say("can I change the delivery address")
    c.say("yes")
    for _ in range(4):
        c.say("Oak Street")
    transfer = c.transfer()
    assert transfer is not None and transfer.reason == "no_match"


def test_a_shipped_order_is_the_carriers_to_redirect(call: Call) -> None:
    c = call(ANA)
    c.say("I need to change the delivery address for order 48213")
    assert prompt_ids(c.log[-2:]) == ["address_shipped", "anything_else"]
    assert "UPS" in c.spoken()


def test_asking_for_a_person_instead_of_giving_the_street_is_heard(call: Call) -> None:
    c = call(BEN)
    c.say("can I change the delivery address")
    c.say("yes")
    c.say("agent")
    transfer = c.transfer()
    assert transfer and transfer.reason == "caller_request"
    assert transfer.context["intent"] == "change_address"


# ------------------------------------------------------------------ missing items
def test_a_missing_item_opens_a_ticket_read_back_twice(call: Call) -> None:
    c = call(BEN)
    c.say("there's something missing from my order")
    asked = c.say("yes")  # 12345, delivered, with two items
    assert prompt_ids(asked) == ["ask_which_items_problem"]
    assert "the Silk Scarf or the Leather Wallet" in asked[0].text
    assert tickets(c) == []
    c.say("the wallet")
    [ticket] = tickets(c)
    assert ticket.kind == "item_problem" and ticket.order_number == "12345"
    assert ticket.summary == "Leather Wallet: there's something missing from my order"
    assert c.spoken().count(" ".join(ticket.reference)) == 2
    assert (f"opened ticket {ticket.reference} about the Leather Wallet of order 12345"
            in c.state.done)


def test_a_missing_item_named_at_once_is_not_asked_for(call: Call) -> None:
    c = call(ANA)
    c.say("the sneakers were missing from my parcel")
    c.say("yes")  # 70055
    [ticket] = tickets(c)
    assert ticket.summary == "Canvas Sneakers: the sneakers were missing from my parcel"


def test_a_wrong_item_is_a_ticket_but_a_reason_once_returning(call: Call) -> None:
    c = call(BEN)
    c.say("you sent me the wrong item")
    c.say("yes")  # 12345, delivered
    c.keys("9")  # all of its items
    assert [ticket.kind for ticket in tickets(c)] == ["item_problem"]
    returning = call(ANA)
    returning.say("I want to return order 70055")
    returning.say("all of them")
    assert returning.state.phase is Phase.RETURN_REASON
    returning.say("you sent me the wrong item")
    assert tickets(returning) == []
    assert returning.state.slots.get("return_reason") == "wrong_item"


def test_items_of_an_undelivered_order_are_not_missing_yet(call: Call) -> None:
    c = call(ANA)
    c.say("something is missing from order 48213")
    assert prompt_ids(c.log[-2:]) == ["item_problem_not_delivered", "anything_else"]
    assert tickets(c) == []


# ------------------------------------------------------------------ product questions
def test_a_product_in_stock_is_answered_with_its_price(call: Call) -> None:
    c = call()
    said = c.say("have you got the desk lamp in stock")
    assert prompt_ids(said) == ["product_in_stock", "anything_else"]
    assert "54 dollars" in c.spoken()


def test_a_product_out_of_stock_gives_its_restock_day(call: Call) -> None:
    c = call()
    assert prompt_ids(c.say("is the blue rain jacket in stock")) == ["product_restocking",
                                                                     "anything_else"]


def test_an_unnamed_product_is_asked_for_once(call: Call) -> None:
    c = call()
    assert prompt_ids(c.say("do you sell jumpers")) == ["ask_product"]
    assert prompt_ids(c.say("the grey wool jumper")) == ["product_out", "anything_else"]


def test_a_size_or_colour_is_answered_for_itself(call: Call) -> None:
    c = call()
    assert prompt_ids(c.say("do you have the running shoes in a size nine")) == [
        "product_option_in_stock", "anything_else"]
    assert "running shoes in size 9 are in stock, at 89 dollars" in c.spoken()
    assert prompt_ids(c.say("are the running shoes available in size ten")) == [
        "product_option_restocking", "anything_else"]
    assert prompt_ids(c.say("have you got the denim jeans in black")) == [
        "product_option_out", "anything_else"]


def test_without_a_size_the_ones_in_stock_are_listed(call: Call) -> None:
    c = call()
    assert prompt_ids(c.say("what sizes do you have in the running shoes")) == [
        "product_options_in_stock", "anything_else"]
    assert "in stock in size 8, size 9 and size 11" in c.spoken()


def test_a_product_the_shop_does_not_sell_is_said_plainly(call: Call) -> None:
    c = call()
    c.say("is it in stock")
    assert prompt_ids(c.say("a unicorn costume")) == ["product_unknown", "anything_else"]


# ------------------------------------------------------------------ complaints
def test_a_complaint_opens_a_ticket_and_offers_a_person(call: Call) -> None:
    c = call(ANA)
    said = c.say("I want to make a complaint")
    assert prompt_ids(said) == ["complaint_ticket"]
    [ticket] = tickets(c)
    assert ticket.kind == "complaint"
    assert c.state.frustrated
    c.say("yes")
    transfer = c.transfer()
    assert transfer and transfer.reason == "complaint"
    assert transfer.context["frustrated"] is True
    assert any(line.startswith("recorded complaint") for line in transfer.context["done"])


def test_a_complaint_without_a_person_carries_on(call: Call) -> None:
    c = call(ANA)
    c.say("your delivery driver was really rude")
    assert prompt_ids(c.say("no thanks")) == ["complaint_later", "anything_else"]
    assert c.transfer() is None


# ------------------------------------------------------------------ the shop's FAQ
def test_an_faq_question_is_answered_from_the_shops_file(call: Call) -> None:
    c = call()
    said = c.say("Do you accept PayPal?")
    assert prompt_ids(said) == ["faq_payment_methods", "anything_else"]
    assert "PayPal" in said[0].text
    assert c.state.transcript[-3].intent == "faq"
