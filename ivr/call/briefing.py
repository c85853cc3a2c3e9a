"""The agent's briefing (Twilio calls it the whisper): what an agent hears about a caller
before the bridge, from the context packet.

Spoken to a person who is about to talk to the caller, so it leads with who and why, then what
the bot already changed (so the agent does not, say, cancel an order twice).
"""

from __future__ import annotations

from typing import Any

from ivr.dialog.prompts import PromptCatalog
from ivr.dialog.state import TransferReason
from ivr.nlu.numbers import spell_digits

_KNOWN_REASONS = frozenset(reason.value for reason in TransferReason)


def briefing_text(prompts: PromptCatalog, context: dict[str, Any] | None) -> str:
    """One paragraph for the agent's ear."""
    if not context:
        return prompts.render("whisper_missing")
    order = str(context.get("order_number") or "")
    if context.get("customer") or order:
        who = prompts.render("whisper_customer", name=context.get("customer") or "Unknown caller",
                             order_number=spell_digits(order) if order else "unknown",
                             verified="verified" if context.get("verified") else "not verified")
    else:
        who = prompts.render("whisper_unknown_customer")
    reason = str(context.get("reason") or "")
    intent = str(context.get("intent") or "not known").replace("_", " ")
    reason_text = (prompts.render(f"reason_{reason}") if reason in _KNOWN_REASONS
                   else reason.replace("_", " "))
    why = prompts.render("whisper_reason", reason=reason_text, intent=intent)
    done = [str(item) for item in context.get("done") or []]
    did = (prompts.render("whisper_done", done="; ".join(done)) if done
           else prompts.render("whisper_nothing_done"))
    return prompts.render("whisper", who=who, why=why, done=did)
