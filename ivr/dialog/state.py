"""Everything the dialog remembers about one call, as an immutable value.

policy.step() returns a new state for every event, so a call can be stored, replayed or resumed
from any turn, and a test can compare states exactly.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Phase(StrEnum):
    """What the bot is waiting for."""

    MAIN = "main"
    SUGGEST_ORDER = "suggest_order"
    ORDER_NUMBER = "order_number"
    CONFIRM_ORDER_NUMBER = "confirm_order_number"
    POSTCODE = "postcode"
    WHICH_ITEMS = "which_items"
    RETURN_REASON = "return_reason"
    CONFIRM_RETURN = "confirm_return"
    CONFIRM_CANCEL = "confirm_cancel"
    OFFER_RETURN = "offer_return"
    OFFER_NEW_RETURN = "offer_new_return"
    ANYTHING_ELSE = "anything_else"
    EXCHANGE_FOR = "exchange_for"
    CONFIRM_EXCHANGE = "confirm_exchange"
    NEW_STREET = "new_street"
    NEW_POSTCODE = "new_postcode"
    CONFIRM_ADDRESS = "confirm_address"
    OFFER_AGENT = "offer_agent"
    PRODUCT_NAME = "product_name"
    SURVEY = "survey"
    ENDED = "ended"


PHASE_CONTEXTS: dict[Phase, tuple[str, ...]] = {
    Phase.MAIN: ("main",),
    Phase.SUGGEST_ORDER: ("confirm", "order_number"),
    Phase.ORDER_NUMBER: ("order_number", "main"),
    Phase.CONFIRM_ORDER_NUMBER: ("confirm",),
    Phase.POSTCODE: ("postcode",),
    Phase.WHICH_ITEMS: ("product",),
    Phase.RETURN_REASON: ("return_reason", "main"),
    Phase.CONFIRM_RETURN: ("confirm",),
    Phase.CONFIRM_CANCEL: ("confirm",),
    Phase.OFFER_RETURN: ("confirm",),
    Phase.OFFER_NEW_RETURN: ("confirm", "main"),
    Phase.ANYTHING_ELSE: ("main", "confirm"),
    Phase.EXCHANGE_FOR: ("exchange_for", "main"),
    Phase.CONFIRM_EXCHANGE: ("confirm",),
    Phase.NEW_STREET: ("street",),
    Phase.NEW_POSTCODE: ("postcode",),
    Phase.CONFIRM_ADDRESS: ("confirm",),
    Phase.OFFER_AGENT: ("confirm",),
    Phase.PRODUCT_NAME: ("confirm", "product"),
    Phase.SURVEY: ("rating", "main"),
    Phase.ENDED: (),
}
"""The grammar contexts listened to in each phase, most specific first."""
FREE_TEXT_PHASES = frozenset({Phase.NEW_STREET, Phase.PRODUCT_NAME, Phase.WHICH_ITEMS})
"""Phases whose answer is the caller's own words (a street, a product name, which items of an
order): what their context's grammar does not understand (an agent, a repeat) is taken as the
answer."""


class TransferReason(StrEnum):
    """Why a call went to a person (shown to the agent, counted on the dashboard)."""

    CALLER_REQUEST = "caller_request"
    FRUSTRATION = "frustration"
    NO_INPUT = "no_input"
    NO_MATCH = "no_match"
    NO_ORDER_NUMBER = "no_order_number"
    ORDER_NOT_FOUND = "order_not_found"
    IDENTITY_NOT_VERIFIED = "identity_not_verified"
    SYSTEM_ERROR = "system_error"
    REPEAT_REQUESTS = "repeat_requests"
    """The caller asked to hear the question again more than max_failures times in a row."""
    BOT_ERROR = "bot_error"
    LINE_PROBLEM = "line_problem"
    """The media stream failed before the dialog finished (set by the telephony side)."""
    OTHER_LANGUAGE = "other_language"
    """The caller kept speaking another language than English."""
    COMPLAINT = "complaint"
    """The caller made a complaint and wanted to talk to someone about it."""
    ANSWER_DID_NOT_HELP = "answer_did_not_help"
    """The caller asked again about the same order what the bot had just told them."""


@dataclass(frozen=True, slots=True)
class Turn:
    """One line of the transcript."""

    speaker: str
    """"caller" or "bot"."""
    text: str
    intent: str | None = None
    """What the caller's words were understood as (None for bot lines and misunderstandings)."""
    slots: tuple[tuple[str, str], ...] = ()
    """The slots understood with it, e.g. (("order_number", "48213"),)."""


@dataclass(frozen=True)
class DialogState:
    """The dialog's memory of one call."""

    call_sid: str = ""
    caller: str = ""
    """Caller ID in E.164; "" when withheld."""
    phase: Phase = Phase.MAIN
    customer_name: str | None = None
    """Set when the caller ID belongs to a customer."""
    intent: str | None = None
    """The task being worked on (order_status, track_package, …)."""
    slots: dict[str, str] = field(default_factory=dict)
    """Slots learnt so far (order_number, return_reason, …)."""
    pending_order: str | None = None
    """An order number heard but not yet confirmed or found."""
    verified_orders: tuple[str, ...] = ()
    """Orders the caller has proved they own; nothing is told about any other."""
    no_input: int = 0
    """Silences in a row in this phase."""
    no_match: int = 0
    """Misunderstandings (or unknown order numbers) in a row."""
    total_no_input: int = 0
    total_no_match: int = 0
    orders_not_found: int = 0
    """Order numbers in a row that the order system did not know."""
    postcode_failures: int = 0
    agent_requests: int = 0
    repeats: int = 0
    """Times in a row the caller asked to hear the last step again."""
    frustrated: bool = False
    language: str | None = None
    """The other language the caller was last heard speaking (Whisper's code), if any."""
    transcript: tuple[Turn, ...] = ()
    last_prompts: tuple[tuple[str, str], ...] = ()
    """(prompt id, text) of everything said in the last step, for "can you repeat that"."""
    done: tuple[str, ...] = ()
    """What the bot completed, in words for the agent ("created return 12345678 …")."""
    outcome: str | None = None
    """How the call ended: completed, transferred, caller_hung_up."""

    @property
    def order_number(self) -> str | None:
        return self.slots.get("order_number")

    @property
    def verified(self) -> bool:
        return self.order_number is not None and self.order_number in self.verified_orders

    def context_packet(self, reason: TransferReason) -> dict[str, Any]:
        """What an agent sees when the call reaches them, so nobody asks the caller twice."""
        return {
            "call_sid": self.call_sid,
            "caller": self.caller,
            "customer": self.customer_name,
            "reason": str(reason),
            "intent": self.intent,
            "slots": dict(self.slots),
            "order_number": self.order_number,
            "verified": self.verified,
            "frustrated": self.frustrated,
            "language": self.language,
            "failures": {"no_input": self.total_no_input, "no_match": self.total_no_match},
            "done": list(self.done),
            "transcript": [
                {"speaker": t.speaker, "text": t.text, "intent": t.intent}
                for t in self.transcript
            ],
        }


def state_to_json(state: DialogState) -> str:
    """The state as JSON, for a dialog that continues in another request or server."""
    return json.dumps(asdict(state), sort_keys=True)


def state_from_json(text: str) -> DialogState:
    """The inverse of `state_to_json`."""
    fields = json.loads(text)
    return DialogState(**{
        **fields,
        "phase": Phase(fields["phase"]),
        "verified_orders": tuple(fields["verified_orders"]),
        "transcript": tuple(
            Turn(turn["speaker"], turn["text"], turn["intent"],
                 tuple((name, value) for name, value in turn["slots"]))
            for turn in fields["transcript"]),
        "last_prompts": tuple((prompt, text) for prompt, text in fields["last_prompts"]),
        "done": tuple(fields["done"]),
    })
