"""CallSession: one call's dialog, driven by any transport, and the boundary where a bug in the
bot becomes an apology and a transfer instead of dead air."""

from __future__ import annotations

import logging
from dataclasses import replace

from ivr.dialog.policy import Policy
from ivr.dialog.state import PHASE_CONTEXTS, DialogState, Phase, TransferReason, Turn
from ivr.events import Action, CallStarted, Event, Say, Transfer

log = logging.getLogger(__name__)


class CallSession:
    """Feeds one call's events to the policy and keeps its state."""

    def __init__(self, policy: Policy, call_sid: str, caller: str) -> None:
        self.policy = policy
        self.state = DialogState(call_sid=call_sid, caller=caller)
        self._started = CallStarted(call_sid, caller)
        self.heard: Turn | None = None
        """The caller's words of the last event as the dialog understood them: what is stored
        and shown is the meaning the bot acted on, matched once."""

    @classmethod
    def resumed(cls, policy: Policy, state: DialogState) -> CallSession:
        """A call's dialog carried on from a saved state (another request, another server)."""
        session = cls(policy, state.call_sid, state.caller)
        session.state = state
        return session

    @property
    def ended(self) -> bool:
        return self.state.phase is Phase.ENDED

    @property
    def contexts(self) -> tuple[str, ...]:
        """What the recogniser should listen for now."""
        return PHASE_CONTEXTS[self.state.phase]

    def start(self) -> list[Action]:
        return self.handle(self._started)

    def handle(self, event: Event) -> list[Action]:
        """The bot's actions for one event; never raises."""
        before = len(self.state.transcript)
        try:
            self.state, actions = self.policy.step(self.state, event)
            self.heard = next((turn for turn in reversed(self.state.transcript[before:])
                               if turn.speaker == "caller"), None)
        except Exception:  # the call boundary: any bug ends in an apology and a person
            self.heard = None
            log.exception("call %s: dialog failed on %s", self.state.call_sid,
                          type(event).__name__)
            return self._apologise_and_transfer()
        return actions

    def hand_over(self, reason: TransferReason) -> Transfer:
        """End the dialog and send the caller to people with everything learnt so far; for
        failures outside the dialog (a bug, a dropped line)."""
        packet = self.state.context_packet(reason)
        self.state = replace(self.state, phase=Phase.ENDED, outcome="transferred")
        return Transfer(self.policy.settings.agent_queue, str(reason), packet)

    def _apologise_and_transfer(self) -> list[Action]:
        prompts = self.policy.prompts
        text = prompts.render("bot_error") + " " + prompts.render("transfer")
        return [Say("bot_error", text), self.hand_over(TransferReason.BOT_ERROR)]
