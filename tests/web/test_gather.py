"""Gather mode: the same dialog over <Gather> webhooks with Twilio's recogniser."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from tests.twiml_tree import twiml_tree
from tests.web.conftest import ANA, PUBLIC, TwilioClient, app_state


@pytest.fixture
def gather_app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(IVR_MODE="gather")


@pytest.fixture
def twilio(gather_app: Flask) -> TwilioClient:
    return TwilioClient(gather_app.test_client())


def listen(document: str) -> tuple[dict[str, str], list[str]]:
    """The single <Gather>'s attributes and what it says."""
    [(tag, attributes, _, children)] = twiml_tree(document)
    assert tag == "Gather"
    return attributes, [child[2] for child in children]


def test_a_call_runs_through_gathers(gather_app: Flask, twilio: TwilioClient) -> None:
    attributes, said = listen(twilio.post("/twilio/voice", twilio.call()).text)
    assert said[0].startswith("Hi Ana, thanks for calling Demo Shop.")
    assert attributes["action"] == f"{PUBLIC}/twilio/gather"
    assert attributes["actionOnEmptyResult"] == "true" and attributes["numDigits"] == "1"
    assert "track it" in attributes["hints"].split(", ")
    attributes, said = listen(twilio.post("/twilio/gather", twilio.call(
        SpeechResult="Where is my parcel?", Confidence="0.91")).text)
    assert said == ["Is this about order 4 8 2 1 3, with the Wireless Headphones? Say yes, or "
                    "tell me a different order number."]
    assert "yes" in attributes["hints"].split(", ")
    attributes, said = listen(twilio.post("/twilio/gather", twilio.call(Digits="1")).text)
    assert said[0].startswith("Your parcel is with UPS, tracking number ending in")
    assert said[-1] == "Is there anything else I can help with?"
    store = app_state(gather_app).store
    turns = [(row["speaker"], row["intent"]) for row in store.turns("CA1")]
    assert ("caller", "track_package") in turns
    assert [row["text"] for row in store.turns("CA1") if row["speaker"] == "caller"] == [
        "Where is my parcel?", "[keys] 1"]


def test_silence_escalates_like_stream_mode_then_queues(twilio: TwilioClient,
                                                         gather_app: Flask) -> None:
    twilio.post("/twilio/voice", twilio.call())
    said = [listen(twilio.post("/twilio/gather", twilio.call()).text)[1] for _ in range(2)]
    assert said[0][0] == "Sorry, I didn't hear anything."
    assert "Press 1 for order status" in " ".join(said[1])
    final = twiml_tree(twilio.post("/twilio/gather", twilio.call()).text)
    assert [node[0] for node in final][-1] == "Enqueue"
    transfer = app_state(gather_app).store.transfer("CA1")
    assert transfer is not None and transfer.reason == "no_input"
    assert app_state(gather_app).live.get("CA1") is None  # the dialog is over


def test_a_retried_gather_is_answered_once(twilio: TwilioClient, gather_app: Flask) -> None:
    twilio.post("/twilio/voice", twilio.call())
    retry = {"I-Twilio-Idempotency-Token": "tok-1"}
    first = twilio.post("/twilio/gather", twilio.call(Digits="2"), **retry).text
    again = twilio.post("/twilio/gather", twilio.call(Digits="2"), **retry).text
    assert first == again
    caller_turns = [r for r in app_state(gather_app).store.turns("CA1") if r["speaker"] == "caller"]
    assert len(caller_turns) == 1


def test_a_huge_speech_result_is_clipped_not_fatal(twilio: TwilioClient,
                                                   gather_app: Flask) -> None:
    twilio.post("/twilio/voice", twilio.call())
    response = twilio.post("/twilio/gather", twilio.call(SpeechResult="blah " * 20_000,
                                                         Confidence="7"))
    assert response.status_code == 200
    [turn] = [r for r in app_state(gather_app).store.turns("CA1") if r["speaker"] == "caller"]
    assert len(turn["text"]) <= 2000


def test_a_gather_for_a_lost_dialog_goes_to_people(twilio: TwilioClient,
                                                  gather_app: Flask) -> None:
    twilio.post("/twilio/voice", twilio.call())
    app_state(gather_app).live.discard("CA1")  # as if the dialog were lost
    tree = twiml_tree(twilio.post("/twilio/gather", twilio.call(Digits="1")).text)
    assert [node[0] for node in tree] == ["Say", "Enqueue"]
    transfer = app_state(gather_app).store.transfer("CA1")
    assert transfer is not None and transfer.reason == "line_problem"


def test_goodbye_then_the_survey_then_hang_up(twilio: TwilioClient) -> None:
    twilio.post("/twilio/voice", twilio.call(caller=ANA))
    survey = listen(twilio.post("/twilio/gather", twilio.call(
        SpeechResult="goodbye", Confidence="0.9")).text)[1]
    assert survey[-1].startswith("Before you go: on a scale of 1 to 5")
    tree = twiml_tree(twilio.post("/twilio/gather", twilio.call(Digits="5")).text)
    assert [node[0] for node in tree] == ["Say", "Hangup"]


def test_an_answer_only_a_later_context_understands_is_stored_as_acted_on(
        twilio: TwilioClient, gather_app: Flask) -> None:
    """After "anything else?" the bot listens for a request, then a yes or no: a "yes" is
    stored as the "yes" the dialog acted on, not as "not understood" in the first context."""
    twilio.post("/twilio/voice", twilio.call())
    twilio.post("/twilio/gather", twilio.call(SpeechResult="Where is my parcel?"))
    twilio.post("/twilio/gather", twilio.call(Digits="1"))
    _, said = listen(twilio.post("/twilio/gather", twilio.call(SpeechResult="Yes.")).text)
    assert said == ["Sure, what can I help you with?"]
    caller = [(row["text"], row["intent"]) for row in app_state(gather_app).store.turns("CA1")
              if row["speaker"] == "caller"]
    assert caller[-1] == ("Yes.", "yes")
