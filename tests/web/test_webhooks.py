"""The call's webhooks and the queue around transfers: TwiML compared exactly, records checked."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from ivr.store.calls import NextStep
from tests.twiml_tree import twiml_tree
from tests.web.conftest import ANA, PUBLIC, WARM_UP_BOUND_S, TwilioClient, app_state

US = {"language": "en-US"}


def start_stream_call(twilio: TwilioClient, sid: str = "CA1", caller: str = ANA) -> str:
    """POST /twilio/voice; returns the stream token."""
    response = twilio.post("/twilio/voice", twilio.call(sid, caller))
    assert response.status_code == 200
    [(tag, attributes, _, [stream])] = twiml_tree(response.text)
    assert (tag, attributes) == ("Connect", {"action": f"{PUBLIC}/twilio/connect"})
    assert stream[:2] == ("Stream", {"url": "wss://ivr.example.com/twilio/media"})
    [(_, parameter, _, _)] = stream[3]
    assert parameter["name"] == "token" and len(parameter["value"]) >= 32
    return parameter["value"]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["stream", "gather"])
def test_startup_prepares_every_context_before_saying_speech_is_ready(
        make_app: Callable[..., Flask], mode: str) -> None:
    """The first caller's turn must not wait for the matcher to index a context."""
    app = make_app(IVR_MODE=mode)
    assert app_state(app).speech_ready.wait(timeout=WARM_UP_BOUND_S)
    matcher = app_state(app).bot.matcher
    assert matcher.prepared_contexts == set(matcher.contexts)
    assert app.test_client().get("/healthz").get_json()["speech_ready"] is True


def test_voice_opens_the_record_and_connects_a_stream(app: Flask, twilio: TwilioClient) -> None:
    token = start_stream_call(twilio)
    record = app_state(app).store.call("CA1")
    assert record is not None and record.caller == ANA and record.mode == "stream"
    assert app_state(app).store.claim_stream("CA1", token, "MZ1")


def test_a_retried_voice_webhook_gets_a_fresh_token_and_one_record(
        app: Flask, twilio: TwilioClient) -> None:
    first, second = start_stream_call(twilio), start_stream_call(twilio)
    store = app_state(app).store
    assert first != second
    assert not store.claim_stream("CA1", first, "MZ1") and store.claim_stream("CA1", second,
                                                                              "MZ1")


def test_withheld_numbers_are_stored_as_unknown(app: Flask, twilio: TwilioClient) -> None:
    start_stream_call(twilio, caller="anonymous")
    record = app_state(app).store.call("CA1")
    assert record is not None and record.caller == ""


def test_voice_without_a_call_sid_is_ended_politely(twilio: TwilioClient) -> None:
    response = twilio.post("/twilio/voice", {"From": ANA})
    assert response.status_code == 200
    assert [node[0] for node in twiml_tree(response.text)] == ["Say", "Hangup"]


def test_connect_follows_the_stored_decision(app: Flask, twilio: TwilioClient) -> None:
    store = app_state(app).store
    start_stream_call(twilio, "CAend")
    store.finish_dialog("CAend", "completed", NextStep.HANGUP)
    assert twiml_tree(twilio.post("/twilio/connect", twilio.call("CAend")).text) == [
        ("Hangup", {}, "", [])]
    start_stream_call(twilio, "CAq")
    store.add_transfer("CAq", "support", "caller_request", {"reason": "caller_request"})
    store.finish_dialog("CAq", "transferred", NextStep.ENQUEUE)
    assert twiml_tree(twilio.post("/twilio/connect", twilio.call("CAq")).text) == [
        ("Enqueue", {"action": f"{PUBLIC}/twilio/queue-result", "method": "POST",
                     "waitUrl": f"{PUBLIC}/twilio/wait", "waitUrlMethod": "POST"}, "support",
         [])]


def test_a_stream_that_never_finished_sends_the_caller_to_people(app: Flask,
                                                                 twilio: TwilioClient) -> None:
    store = app_state(app).store
    start_stream_call(twilio)
    store.add_turn("CA1", "caller", "my card is 4111 1111 1111 1111")
    response = twilio.post("/twilio/connect", twilio.call())
    [say, enqueue] = twiml_tree(response.text)
    assert say == ("Say", US, "I'm sorry, we had a problem with the line. Let me connect you to a "
                              "member of our team.", [])
    assert enqueue[0] == "Enqueue"
    transfer = store.transfer("CA1")
    assert transfer is not None and transfer.reason == "line_problem"
    assert transfer.context["transcript"] == [
        {"speaker": "caller", "text": "my card is [card]", "intent": None}]


def test_unknown_calls_are_ended_politely(twilio: TwilioClient) -> None:
    for path in ("/twilio/connect", "/twilio/gather"):
        response = twilio.post(path, twilio.call("CAnobody"))
        assert response.status_code == 200
        [say, hangup] = twiml_tree(response.text)
        assert say[0] == "Say" and "Please call again" in say[2] and hangup[0] == "Hangup"


def test_status_callbacks_close_the_record(app: Flask, twilio: TwilioClient) -> None:
    store = app_state(app).store
    start_stream_call(twilio)
    store.finish_dialog("CA1", "completed", NextStep.HANGUP)
    assert twilio.post("/twilio/status", twilio.call(CallStatus="completed", CallDuration="95",
                                                     SequenceNumber="3")).status_code == 204
    assert twilio.post("/twilio/status", twilio.call(CallStatus="in-progress",
                                                     SequenceNumber="1")).status_code == 204
    record = store.call("CA1")
    assert record is not None
    assert (record.status, record.duration_s, record.outcome) == ("completed", 95, "contained")


def test_status_for_an_unknown_call_keeps_a_record(app: Flask, twilio: TwilioClient) -> None:
    assert twilio.post("/twilio/status", twilio.call(
        "CAlost", CallStatus="completed", CallDuration="abc",
        SequenceNumber="-4")).status_code == 204
    record = app_state(app).store.call("CAlost")
    assert record is not None and record.outcome == "abandoned" and record.duration_s is None


def test_wait_tells_position_and_wait_then_offers_a_callback(app: Flask,
                                                             twilio: TwilioClient) -> None:
    start_stream_call(twilio)
    early = twiml_tree(twilio.post("/twilio/wait", twilio.call(
        QueuePosition="2", AvgQueueTime="170", QueueTime="30")).text)
    assert early == [
        ("Say", US, "You're number 2 in the queue.", []),
        ("Say", US, "The expected wait is about 3 minutes.", []),
        ("Say", US, "Thanks for holding. A member of our team will be with you as soon as "
                    "possible.", []),
        ("Play", {}, f"{PUBLIC}/twilio/audio/hold.wav", [])]
    late = twiml_tree(twilio.post("/twilio/wait", twilio.call(
        QueuePosition="1", AvgQueueTime="60", QueueTime="125")).text)
    assert late[1] == ("Say", US, "The expected wait is about 1 minute.", [])
    assert late[3] == ("Gather", {"input": "dtmf", "numDigits": "1", "method": "POST",
                                  "timeout": "1",
                                  "action": f"{PUBLIC}/twilio/callback?offer=queue"}, "", [
        ("Say", US, "If you'd rather we call you back, press 1 now. Otherwise, please stay on "
                    "the line.", [])])


def test_wait_ignores_absurd_queue_fields(twilio: TwilioClient) -> None:
    response = twilio.post("/twilio/wait", twilio.call(
        "CAnobody", QueuePosition="-1", AvgQueueTime="banana", QueueTime="1e99"))
    assert response.status_code == 200
    tree = twiml_tree(response.text)
    assert [node[0] for node in tree] == ["Say", "Play"]  # hold message and music only


def test_callback_is_booked_from_the_queue(app: Flask, twilio: TwilioClient) -> None:
    store = app_state(app).store
    start_stream_call(twilio)
    store.add_transfer("CA1", "support", "no_match", {})
    response = twilio.post("/twilio/callback?offer=queue", twilio.call(Digits="1"))
    assert twiml_tree(response.text) == [
        ("Say", US, "Thank you. We'll call you back on the number ending 0001. Goodbye!", []),
        ("Hangup", {}, "", [])]
    [row] = store.rows("callbacks", "CA1")
    assert (row["number"], row["reason"]) == (ANA, "no_match")
    other_key = twiml_tree(twilio.post("/twilio/callback?offer=queue",
                                       twilio.call(Digits="5")).text)
    assert [node[0] for node in other_key] == ["Say", "Play"]  # back to holding


def test_queue_result_is_recorded(app: Flask, twilio: TwilioClient) -> None:
    store = app_state(app).store
    start_stream_call(twilio)
    store.add_transfer("CA1", "support", "no_match", {})
    response = twilio.post("/twilio/queue-result", twilio.call(QueueResult="hangup",
                                                               QueueTime="44"))
    assert twiml_tree(response.text) == []
    transfer = store.transfer("CA1")
    assert transfer is not None and (transfer.queue_result, transfer.queue_time_s) == (
        "hangup", 44)


def test_a_full_queue_offers_a_callback(app: Flask, twilio: TwilioClient) -> None:
    start_stream_call(twilio)
    app_state(app).store.add_transfer("CA1", "support", "no_match", {})
    tree = twiml_tree(twilio.post("/twilio/queue-result", twilio.call(
        QueueResult="queue-full")).text)
    assert tree[0][0] == "Gather" and tree[0][1]["action"].endswith("/twilio/callback?offer=closed")


def test_agent_line_briefs_the_agent_then_bridges(app: Flask, twilio: TwilioClient) -> None:
    store = app_state(app).store
    start_stream_call(twilio)
    store.add_transfer("CA1", "support", "frustration", {
        "customer": "Ana Silva", "order_number": "48213", "verified": True,
        "reason": "frustration", "intent": "return_request",
        "done": ["verified caller for order 48213 by caller ID"]})
    tree = twiml_tree(twilio.post("/twilio/agent", twilio.call("CAagent", "+15550100200")).text)
    assert tree == [
        ("Say", US, "Caller from the bot. Ana Silva, about order four eight two one three, "
                    "identity verified. Transferred because: the caller sounded frustrated. "
                    "They wanted: return request. The bot already: verified caller for order "
                    "48213 by caller ID.", []),
        ("Dial", {}, "", [("Queue", {"url": f"{PUBLIC}/twilio/whisper", "method": "POST"},
                           "support", [])])]
    pickup = twilio.post("/twilio/whisper", twilio.call(
        QueueSid="QU1", DequeingCallSid="CAagent", QueueTime="37"))
    assert twiml_tree(pickup.text) == [
        ("Say", US, "Thanks for waiting. I'm connecting you now.", [])]
    transfer = store.transfer("CA1")
    assert transfer is not None and transfer.bridged_at and transfer.queue_time_s == 37
    assert store.longest_waiting("support") is None


def test_a_direct_agent_number_hears_the_briefing(make_app: Callable[..., Flask]) -> None:
    app = make_app(IVR_AGENT_NUMBER="+15550100200")
    twilio = TwilioClient(app.test_client())
    start_stream_call(twilio)
    store = app_state(app).store
    store.add_transfer("CA1", "support", "no_match", {"reason": "no_match"})
    store.finish_dialog("CA1", "transferred", NextStep.ENQUEUE)
    dial = twiml_tree(twilio.post("/twilio/connect", twilio.call()).text)
    assert dial == [("Dial", {}, "", [("Number", {"url": f"{PUBLIC}/twilio/whisper",
                                                  "method": "POST"}, "+15550100200", [])])]
    whisper = twiml_tree(twilio.post("/twilio/whisper", twilio.call(
        "CAagentleg", "+15550109999", ParentCallSid="CA1")).text)
    assert "the bot could not understand the caller" in whisper[0][2]
    transfer = store.transfer("CA1")
    assert transfer is not None and transfer.bridged_at is not None


@pytest.mark.parametrize(("caller", "expected"), [
    (ANA, ["Gather"]), ("anonymous", ["Say", "Hangup"])])
def test_outside_business_hours_there_is_no_queue(make_app: Callable[..., Flask], caller: str,
                                                  expected: list[str]) -> None:
    app = make_app(IVR_BUSINESS_HOURS="Mon 00:00-00:01")
    twilio = TwilioClient(app.test_client())
    start_stream_call(twilio, caller=caller)
    store = app_state(app).store
    store.add_transfer("CA1", "support", "caller_request", {})
    store.finish_dialog("CA1", "transferred", NextStep.ENQUEUE)
    tree = twiml_tree(twilio.post("/twilio/connect", twilio.call(caller=caller)).text)
    assert [node[0] for node in tree] == expected
    spoken = tree[0][3][0][2] if expected == ["Gather"] else tree[0][2]
    assert "Our team is available Monday, 12 AM to 12:01 AM" in spoken
    if caller == ANA:
        booked = twilio.post("/twilio/callback?offer=closed", twilio.call(Digits="1"))
        assert "number ending 0001" in booked.text
        assert len(store.rows("callbacks", "CA1")) == 1
        silent = twilio.post("/twilio/callback?offer=closed", twilio.call("CA1"))
        assert "Please call again later" in silent.text


def test_prompts_can_be_our_own_audio(make_app: Callable[..., Flask]) -> None:
    app = make_app(IVR_WEBHOOK_SPEECH="play")
    twilio = TwilioClient(app.test_client())
    tree = twiml_tree(twilio.post("/twilio/wait", twilio.call(QueuePosition="3")).text)
    [position, _, music] = tree  # no AvgQueueTime: no wait estimate
    assert position[0] == "Play" and position[2].startswith(f"{PUBLIC}/twilio/audio/")
    audio = app.test_client().get(position[2].removeprefix(PUBLIC))
    assert audio.status_code == 200 and audio.data[:4] == b"RIFF" and len(audio.data) > 8000
    assert audio.cache_control.max_age and audio.cache_control.max_age > 86_400
    hold = app.test_client().get(music[2].removeprefix(PUBLIC))
    assert hold.status_code == 200 and hold.data[:4] == b"RIFF"
    for bad in ("../ivr.db", "abc.wav", "0" * 32 + ".wav"):
        assert app.test_client().get(f"/twilio/audio/{bad}").status_code == 404
