"""What happens on a call (events in) and what the bot does about it (actions out).

Every transport (Twilio media streams, Gather webhooks, replay, the terminal simulator) converts
its wire format to these events and these actions back to its wire format, so the dialog never
knows which one it is talking to. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


# ---------------------------------------------------------------- inbound events
@dataclass(frozen=True, slots=True)
class CallStarted:
    """A call was answered."""

    call_sid: str
    """The transport's identifier of the call (Twilio's CallSid)."""
    caller: str
    """The caller's number in E.164, or "" when withheld."""


@dataclass(frozen=True, slots=True)
class Heard:
    """The caller said something and a recogniser turned it into text."""

    text: str
    """The recognised words."""
    confidence: float = 1.0
    """The recogniser's confidence, 0..1 (1.0 for typed text)."""
    rejected: bool = False
    """Speech was heard but the recogniser found it outside the grammar: not understood,
    rather than not heard."""
    language: str | None = None
    """The caller spoke another language than English (its code, "fr"): the bot says it
    speaks English and offers a person."""


@dataclass(frozen=True, slots=True)
class Dtmf:
    """The caller pressed keys; one complete entry (a `#` at the end is the finishing key)."""

    digits: str
    """Keys as typed: 0-9, * and #."""


@dataclass(frozen=True, slots=True)
class NoInput:
    """The caller stayed silent for the whole listening window."""


@dataclass(frozen=True, slots=True)
class CallerHungUp:
    """The caller hung up; the dialog records it but says nothing more."""


Event = CallStarted | Heard | Dtmf | NoInput | CallerHungUp


# ---------------------------------------------------------------- outbound actions
@dataclass(frozen=True, slots=True)
class Say:
    """Speak a prompt and do not wait for an answer."""

    prompt_id: str
    """The id in prompts/<lang>.yaml, for caching and for test expectations."""
    text: str
    """The rendered sentence."""


@dataclass(frozen=True, slots=True)
class Ask:
    """Speak a prompt, then listen for an answer in the given grammar contexts."""

    prompt_id: str
    """The id in prompts/<lang>.yaml."""
    text: str
    """The rendered sentence."""
    contexts: tuple[str, ...]
    """Grammar contexts the answer is matched in, in order of preference."""
    keys: int = 0
    """How many keys to expect (0: any number, ended by # or the timeout)."""


@dataclass(frozen=True, slots=True)
class Transfer:
    """Hand the caller to a person, with everything the bot learnt."""

    queue: str
    """The agent queue to join."""
    reason: str
    """Why the bot gave up or was asked to (a TransferReason value)."""
    context: dict[str, Any] = field(default_factory=dict)
    """The context packet shown to the agent (see dialog.context_packet)."""


@dataclass(frozen=True, slots=True)
class EndCall:
    """Hang up after everything said so far has been played."""

    outcome: str
    """How the call ended from the bot's side (e.g. "completed", "caller_hung_up")."""


@dataclass(frozen=True, slots=True)
class ReturnCreated:
    """A return was created in the order system (for the call record and the console)."""

    order_number: str
    rma: str
    reason: str
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OrderCancelled:
    """An order was cancelled in the order system."""

    order_number: str


@dataclass(frozen=True, slots=True)
class TicketOpened:
    """A ticket for the shop's team: an item missing from a delivery, or a complaint. The
    caller was given its reference."""

    kind: str
    """"item_problem" or "complaint"."""
    reference: str
    order_number: str | None
    summary: str
    """The caller's words that raised it (redacted when stored)."""


@dataclass(frozen=True, slots=True)
class SurveyAnswered:
    """The caller rated the call (1-5)."""

    score: int


Action = (Say | Ask | Transfer | EndCall | ReturnCreated | OrderCancelled | TicketOpened
          | SurveyAnswered)
