"""TwiML for each step, parsed with ElementTree and compared exactly."""

from __future__ import annotations

from ivr.telephony import twiml
from ivr.telephony.twiml import Speech
from tests.twiml_tree import twiml_tree as tree

HELLO = [Speech("Hello."), Speech("Hi.", "https://ivr.example.com/twilio/audio/ab.wav")]


def test_connect_stream() -> None:
    assert tree(twiml.connect_stream("https://x/twilio/connect", "wss://x/twilio/media",
                                     {"token": "t1"})) == [
        ("Connect", {"action": "https://x/twilio/connect"}, "", [
            ("Stream", {"url": "wss://x/twilio/media"}, "", [
                ("Parameter", {"name": "token", "value": "t1"}, "", [])])])]


def test_gather_speaks_inside_and_posts_even_when_empty() -> None:
    assert tree(twiml.gather(HELLO, "https://x/twilio/gather", hints=["track it", "cancel"],
                             num_digits=1, timeout_s=6, speech_timeout_s=1)) == [
        ("Gather", {"input": "speech dtmf", "action": "https://x/twilio/gather",
                    "method": "POST", "actionOnEmptyResult": "true", "timeout": "6",
                    "speechTimeout": "1", "language": "en-US", "finishOnKey": "#",
                    "hints": "track it, cancel", "numDigits": "1"}, "", [
            ("Say", {"language": "en-US"}, "Hello.", []),
            ("Play", {}, "https://ivr.example.com/twilio/audio/ab.wav", [])])]


def test_gather_caps_hints_and_omits_num_digits_for_open_entries() -> None:
    document = twiml.gather([], "https://x/g", hints=[f"p{i}" for i in range(600)],
                            num_digits=0, timeout_s=6, speech_timeout_s=2)
    attributes = tree(document)[0][1]
    assert "numDigits" not in attributes
    assert len(attributes["hints"].split(", ")) == twiml.MAX_HINTS


def test_enqueue() -> None:
    assert tree(twiml.enqueue([Speech("Connecting.")], "support", "https://x/twilio/wait",
                              "https://x/twilio/queue-result")) == [
        ("Say", {"language": "en-US"}, "Connecting.", []),
        ("Enqueue", {"waitUrl": "https://x/twilio/wait", "waitUrlMethod": "POST",
                     "action": "https://x/twilio/queue-result", "method": "POST"},
         "support", [])]


def test_hold_with_and_without_callback_offer() -> None:
    assert tree(twiml.hold([Speech("You're number 2.")], "https://x/hold.wav")) == [
        ("Say", {"language": "en-US"}, "You're number 2.", []),
        ("Play", {}, "https://x/hold.wav", [])]
    assert tree(twiml.hold([], "https://x/hold.wav", [Speech("Press 1.")],
                           "https://x/twilio/callback?offer=queue")) == [
        ("Gather", {"input": "dtmf", "numDigits": "1", "method": "POST", "timeout": "1",
                    "action": "https://x/twilio/callback?offer=queue"}, "", [
            ("Say", {"language": "en-US"}, "Press 1.", [])]),
        ("Play", {}, "https://x/hold.wav", [])]


def test_agent_side() -> None:
    assert tree(twiml.dial_queue([Speech("Ana, order 4 8 2 1 3.")], "support",
                                 "https://x/twilio/whisper")) == [
        ("Say", {"language": "en-US"}, "Ana, order 4 8 2 1 3.", []),
        ("Dial", {}, "", [("Queue", {"url": "https://x/twilio/whisper", "method": "POST"},
                           "support", [])])]
    assert tree(twiml.dial_number("+15550100200", "https://x/twilio/whisper")) == [
        ("Dial", {}, "", [("Number", {"url": "https://x/twilio/whisper", "method": "POST"},
                           "+15550100200", [])])]


def test_endings() -> None:
    assert tree(twiml.say_then_hangup([Speech("Bye.")])) == [
        ("Say", {"language": "en-US"}, "Bye.", []), ("Hangup", {}, "", [])]
    assert tree(twiml.offer_callback([Speech("Press 1.")], "https://x/cb", 8)) == [
        ("Gather", {"input": "dtmf", "numDigits": "1", "action": "https://x/cb",
                    "method": "POST", "timeout": "8", "actionOnEmptyResult": "true"}, "", [
            ("Say", {"language": "en-US"}, "Press 1.", [])])]
    assert tree(twiml.empty()) == []
