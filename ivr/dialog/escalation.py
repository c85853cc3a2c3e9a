"""When the bot cannot go on: reprompts with more help each time, then a person with everything
learnt; and the end of a call. Every path of the dialog ends here or in a question."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ivr.dialog import phrasing
from ivr.dialog.items import OFFERED_SLOT
from ivr.dialog.reply import Reply
from ivr.dialog.state import Phase, TransferReason
from ivr.events import EndCall, Transfer

log = logging.getLogger(__name__)

HELP_PROMPTS = {
    Phase.MAIN: "main", Phase.SUGGEST_ORDER: "suggest_order", Phase.ORDER_NUMBER: "order_number",
    Phase.CONFIRM_ORDER_NUMBER: "confirm", Phase.CONFIRM_CANCEL: "confirm",
    Phase.OFFER_RETURN: "confirm", Phase.OFFER_NEW_RETURN: "confirm", Phase.POSTCODE: "postcode",
    Phase.WHICH_ITEMS: "which_items", Phase.RETURN_REASON: "return_reason",
    Phase.CONFIRM_RETURN: "confirm", Phase.ANYTHING_ELSE: "anything_else",
    Phase.EXCHANGE_FOR: "exchange_for", Phase.CONFIRM_EXCHANGE: "confirm",
    Phase.NEW_STREET: "street", Phase.NEW_POSTCODE: "new_postcode",
    Phase.CONFIRM_ADDRESS: "confirm", Phase.OFFER_AGENT: "confirm",
    Phase.PRODUCT_NAME: "product", Phase.SURVEY: "survey",
}
"""Reprompts in each phase: `<base>_help` first (examples), then `<base>_keys` (the keypad)."""


@dataclass(frozen=True)
class DialogSettings:
    """The knobs a shop turns (from Settings)."""

    shop_name: str = "Demo Shop"
    max_failures: int = 3
    confirm_below: float = 0.6
    agent_queue: str = "support"
    max_postcode_failures: int = 2


class Escalation:
    """Counts a call's failures and decides between asking again, a person, or goodbye."""

    def __init__(self, settings: DialogSettings) -> None:
        self.settings = settings

    def count_failure(self, reply: Reply, kind: str) -> int:
        state = reply.state
        if kind == "no_input":
            reply.update(no_input=state.no_input + 1, total_no_input=state.total_no_input + 1)
            return reply.state.no_input
        reply.update(no_match=state.no_match + 1, total_no_match=state.total_no_match + 1)
        return reply.state.no_match

    def failure(self, reply: Reply, kind: str) -> None:
        """Reprompt with more help each time; after max_failures, a person takes over. Silence
        after "anything else?" or the survey means the caller is done: a goodbye, not a queue."""
        if kind == "no_input":
            reply.heard("[silence]", None)
        count = self.count_failure(reply, kind)
        phase = reply.state.phase
        caller_is_done = phase is Phase.ANYTHING_ELSE and kind == "no_input"
        if phase is Phase.SURVEY or caller_is_done:
            if count > 1:
                self.goodbye(reply)
            elif phase is Phase.SURVEY:
                reply.ask("survey_help", Phase.SURVEY)
            else:
                reply.ask("anything_else_help", Phase.ANYTHING_ELSE)
            return
        if count >= self.settings.max_failures:
            reason = TransferReason.NO_INPUT if kind == "no_input" else TransferReason.NO_MATCH
            self.transfer(reply, reason)
            return
        reply.say("didnt_hear" if kind == "no_input" else "didnt_understand")
        base = HELP_PROMPTS[phase]
        level = "help" if count == 1 else "keys"
        variables = {}
        if phase is Phase.SUGGEST_ORDER and reply.state.pending_order:
            variables["order_number"] = phrasing.digits(reply.state.pending_order)
        if phase is Phase.WHICH_ITEMS:
            variables["items"] = reply.state.slots.get(OFFERED_SLOT, "")
        reply.ask(f"{base}_{level}", phase, **variables)

    def transfer(self, reply: Reply, reason: TransferReason, announce: bool = True) -> None:
        if announce:
            reply.say("transfer")
        log.info("call %s: transfer to %s (%s)", reply.state.call_sid,
                 self.settings.agent_queue, reason)
        reply.act(Transfer(self.settings.agent_queue, str(reason),
                           reply.state.context_packet(reason)))
        reply.update(phase=Phase.ENDED, outcome="transferred")

    def goodbye(self, reply: Reply) -> None:
        """The caller is done: a goodbye, and the call ends as completed."""
        reply.say("goodbye", shop=self.settings.shop_name)
        self.end(reply, "completed")

    def end(self, reply: Reply, outcome: str) -> None:
        reply.act(EndCall(outcome))
        reply.update(phase=Phase.ENDED, outcome=outcome)
