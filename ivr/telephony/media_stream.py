"""Twilio Media Streams messages: inbound JSON text frames → typed messages, and the outbound
media / mark / clear frames. Wire format only: no call logic here.

Inbound, in order: connected, start (once), media…, dtmf, mark (our marks echoed), stop. Numbers
inside arrive as strings. Anything malformed becomes a ProtocolError naming what was wrong, so
the stream handler can log it and carry on (or end the call politely) instead of crashing.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ivr.errors import IvrError

MAX_MESSAGE_CHARS = 64 * 1024
"""Twilio sends 20 ms (160-byte) media chunks; anything near this size is not Twilio."""
MAX_PAYLOAD_BYTES = 16 * 1024
"""Two seconds of μ-law: the most one inbound media message may carry."""


class ProtocolError(IvrError):
    """A message that is not valid Media Streams JSON."""


@dataclass(frozen=True)
class Connected:
    """The socket is open; nothing is known about the call yet."""


@dataclass(frozen=True)
class Start:
    """The stream's metadata: which call, and our <Parameter>s."""

    stream_sid: str
    call_sid: str
    custom_parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Media:
    """A chunk of inbound μ-law audio."""

    payload: bytes
    timestamp_ms: int | None = None


@dataclass(frozen=True)
class DtmfDigit:
    """One key pressed by the caller (streams deliver keys one at a time)."""

    digit: str


@dataclass(frozen=True)
class MarkEcho:
    """Twilio has played everything sent before the mark with this name (or cleared it)."""

    name: str


@dataclass(frozen=True)
class Stop:
    """The stream ended (the caller hung up, or the call moved on)."""


InboundMessage = Connected | Start | Media | DtmfDigit | MarkEcho | Stop
_KEYS = frozenset("0123456789*#")


def parse(text: str | bytes) -> InboundMessage | None:
    """One inbound frame → a message; None for events we do not use (Twilio adds new ones)."""
    if len(text) > MAX_MESSAGE_CHARS:
        raise ProtocolError(f"message of {len(text)} characters is larger than any Twilio sends")
    try:
        message = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"not JSON: {exc}") from exc
    if not isinstance(message, dict):
        raise ProtocolError("not a JSON object")
    event = message.get("event")
    if not isinstance(event, str):
        raise ProtocolError("no event name")
    parser = _PARSERS.get(event)
    return parser(message) if parser else None


def _start(message: dict[str, Any]) -> Start:
    start = _section(message, "start")
    parameters = start.get("customParameters") or {}
    if not isinstance(parameters, dict):
        raise ProtocolError("start.customParameters is not an object")
    stream_sid = _text(start, "streamSid") if "streamSid" in start else _text(message, "streamSid")
    return Start(stream_sid, _text(start, "callSid"),
                 {str(key): str(value) for key, value in parameters.items()})


def _media(message: dict[str, Any]) -> Media:
    media = _section(message, "media")
    if media.get("track", "inbound") not in ("inbound", "inbound_track"):
        raise ProtocolError(f"media for track {media.get('track')!r}, not inbound")
    encoded = _text(media, "payload")
    if len(encoded) > MAX_PAYLOAD_BYTES * 4 // 3 + 4:
        raise ProtocolError("media payload larger than two seconds of audio")
    try:
        payload = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProtocolError(f"media payload is not base64: {exc}") from exc
    timestamp = media.get("timestamp")
    try:
        timestamp_ms = int(timestamp) if timestamp is not None else None
    except (TypeError, ValueError):
        timestamp_ms = None
    return Media(payload, timestamp_ms)


def _dtmf(message: dict[str, Any]) -> DtmfDigit:
    digit = _text(_section(message, "dtmf"), "digit")
    if digit not in _KEYS:
        raise ProtocolError(f"dtmf digit {digit!r} is not a phone key")
    return DtmfDigit(digit)


_PARSERS: dict[str, Callable[[dict[str, Any]], InboundMessage]] = {
    "connected": lambda message: Connected(),
    "start": _start,
    "media": _media,
    "dtmf": _dtmf,
    "mark": lambda message: MarkEcho(_text(_section(message, "mark"), "name")),
    "stop": lambda message: Stop(),
}


def _section(message: dict[str, Any], name: str) -> dict[str, Any]:
    section = message.get(name)
    if not isinstance(section, dict):
        raise ProtocolError(f"{message.get('event')} message without a {name!r} object")
    return section


def _text(section: dict[str, Any], key: str) -> str:
    value = section.get(key)
    if not isinstance(value, str) or not value:
        raise ProtocolError(f"missing or empty {key!r}")
    return value


# ---------------------------------------------------------------- outbound
def media_message(stream_sid: str, ulaw: bytes) -> str:
    """Audio for the caller: raw 8 kHz μ-law, no WAV header."""
    payload = base64.b64encode(ulaw).decode("ascii")
    return json.dumps({"event": "media", "streamSid": stream_sid, "media": {"payload": payload}})


def mark_message(stream_sid: str, name: str) -> str:
    """Ask Twilio to tell us when everything sent so far has been played."""
    return json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})


def clear_message(stream_sid: str) -> str:
    """Drop every buffered, unplayed byte of outbound audio (barge-in)."""
    return json.dumps({"event": "clear", "streamSid": stream_sid})
