"""Media Streams messages: Twilio's JSON in, typed messages out; anything else a ProtocolError."""

from __future__ import annotations

import base64
import json

import pytest

from ivr.telephony.media_stream import (
    Connected,
    DtmfDigit,
    MarkEcho,
    Media,
    ProtocolError,
    Start,
    Stop,
    clear_message,
    mark_message,
    media_message,
    parse,
)

START = {"event": "start", "sequenceNumber": "1", "streamSid": "MZ1",
         "start": {"streamSid": "MZ1", "accountSid": "AC1", "callSid": "CA1",
                   "tracks": ["inbound"], "customParameters": {"token": "abc"},
                   "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000,
                                   "channels": 1}}}


def media(payload: str) -> str:
    return json.dumps({"event": "media", "streamSid": "MZ1", "sequenceNumber": "3",
                       "media": {"track": "inbound", "chunk": "2", "timestamp": "40",
                                 "payload": payload}})


def test_twilios_messages() -> None:
    assert parse('{"event":"connected","protocol":"Call","version":"1.0.0"}') == Connected()
    assert parse(json.dumps(START)) == Start("MZ1", "CA1", {"token": "abc"})
    assert parse(media(base64.b64encode(b"\xff" * 160).decode())) == Media(b"\xff" * 160, 40)
    assert parse(json.dumps({"event": "dtmf", "streamSid": "MZ1", "sequenceNumber": "5",
                             "dtmf": {"track": "inbound_track", "digit": "#"}})) == DtmfDigit("#")
    assert parse(json.dumps({"event": "mark", "streamSid": "MZ1",
                             "mark": {"name": "prompt-1"}})) == MarkEcho("prompt-1")
    assert parse(json.dumps({"event": "stop", "streamSid": "MZ1",
                             "stop": {"callSid": "CA1"}})) == Stop()


def test_unknown_events_are_ignored() -> None:
    assert parse('{"event":"something-new","x":1}') is None


@pytest.mark.parametrize(("text", "problem"), [
    ("not json", "not JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"no":"event"}', "no event name"),
    ('{"event":"start"}', "without a 'start' object"),
    ('{"event":"start","start":{"streamSid":"MZ1"}}', "callSid"),
    ('{"event":"start","start":{"callSid":"CA1","streamSid":"MZ1","customParameters":[1]}}',
     "customParameters"),
    (media("@@not base64@@"), "not base64"),
    (media(base64.b64encode(b"\xff" * 20_000).decode()), "larger than two seconds"),
    ('{"event":"media","media":{"track":"outbound","payload":"AA=="}}', "not inbound"),
    ('{"event":"dtmf","dtmf":{"digit":"x"}}', "not a phone key"),
    ('{"event":"mark","mark":{}}', "name"),
    ("{" + " " * 70_000 + "}", "larger than any Twilio sends"),
])
def test_malformed_messages(text: str, problem: str) -> None:
    with pytest.raises(ProtocolError, match=problem):
        parse(text)


def test_outbound_messages_are_twilios_format() -> None:
    assert json.loads(media_message("MZ1", b"\x00\xff")) == {
        "event": "media", "streamSid": "MZ1", "media": {"payload": "AP8="}}
    assert json.loads(mark_message("MZ1", "prompt-2")) == {
        "event": "mark", "streamSid": "MZ1", "mark": {"name": "prompt-2"}}
    assert json.loads(clear_message("MZ1")) == {"event": "clear", "streamSid": "MZ1"}
