"""Replay annotations: what the bot heard and did, sent as Media Streams mark names.

Only for calls started by `ivr replay --server` (a signed /twilio/voice carrying IvrReplay=1;
Twilio itself never asks). Twilio would just echo marks back; our player reads them, so the
expectations of a scripted call (intent, slots, prompt, transfer…) can be checked against a
running server. Encoding and decoding live together here so the two sides cannot drift.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ivr.call.voice import CallerTurn
from ivr.events import (
    Action,
    Ask,
    EndCall,
    OrderCancelled,
    ReturnCreated,
    Say,
    SurveyAnswered,
    TicketOpened,
    Transfer,
)
from ivr.speech.stt import Transcript

ANNOTATE = "annotate"
"""The <Parameter> (and, as IvrReplay, the /twilio/voice field) that turns annotations on."""
PREFIX = "ivr:"


def annotation_mark(item: Action | CallerTurn) -> str:
    """A mark name describing one action or caller turn."""
    match item:
        case CallerTurn():
            data: dict[str, Any] = {
                "kind": "heard", "text": item.transcript.text, "intent": item.intent,
                "slots": item.slots, "confidence": item.transcript.confidence,
                "rejected": item.transcript.rejected, "at_ms": item.at_ms}
        case Say() | Ask():
            data = {"kind": "ask" if isinstance(item, Ask) else "say",
                    "prompt": item.prompt_id, "text": item.text}
        case Transfer():
            data = {"kind": "transfer", "queue": item.queue, "reason": item.reason}
        case EndCall():
            data = {"kind": "end", "outcome": item.outcome}
        case ReturnCreated():
            data = {"kind": "return", "order": item.order_number, "rma": item.rma,
                    "reason": item.reason, "items": list(item.items)}
        case OrderCancelled():
            data = {"kind": "cancelled", "order": item.order_number}
        case TicketOpened():
            data = {"kind": "ticket", "ticket": item.kind, "reference": item.reference,
                    "order": item.order_number, "summary": item.summary}
        case SurveyAnswered():
            data = {"kind": "survey", "score": item.score}
    return PREFIX + json.dumps(data, separators=(",", ":"))


def read_annotation(mark: str) -> Action | CallerTurn | None:
    """The action or turn a mark describes; None for ordinary marks."""
    if not mark.startswith(PREFIX):
        return None
    data = json.loads(mark.removeprefix(PREFIX))
    decode = _DECODERS.get(data.get("kind"))
    return decode(data) if decode else None


def _heard(data: dict[str, Any]) -> CallerTurn:
    transcript = Transcript(data["text"], float(data["confidence"]),
                            rejected=bool(data["rejected"]))
    return CallerTurn(int(data["at_ms"]), transcript, data["intent"], dict(data["slots"]))


_DECODERS: dict[str, Callable[[dict[str, Any]], Action | CallerTurn]] = {
    "heard": _heard,
    "ask": lambda data: Ask(data["prompt"], data["text"], ()),
    "say": lambda data: Say(data["prompt"], data["text"]),
    "transfer": lambda data: Transfer(data["queue"], data["reason"]),
    "end": lambda data: EndCall(data["outcome"]),
    "return": lambda data: ReturnCreated(data["order"], data["rma"], data["reason"],
                                         tuple(data["items"])),
    "cancelled": lambda data: OrderCancelled(data["order"]),
    "ticket": lambda data: TicketOpened(data["ticket"], data["reference"], data["order"],
                                        data["summary"]),
    "survey": lambda data: SurveyAnswered(int(data["score"])),
}
