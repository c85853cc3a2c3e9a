"""Builds one step's answer: the actions to perform and the state after them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ivr.dialog.prompts import PromptCatalog
from ivr.dialog.state import PHASE_CONTEXTS, DialogState, Phase, Turn
from ivr.events import Action, Ask, Say

PHASE_KEYS: dict[Phase, int] = {
    **{phase: 1 for phase, contexts in PHASE_CONTEXTS.items() if contexts == ("confirm",)},
    Phase.MAIN: 1, Phase.ANYTHING_ELSE: 1, Phase.SURVEY: 1, Phase.RETURN_REASON: 1,
    Phase.WHICH_ITEMS: 1, Phase.EXCHANGE_FOR: 1, Phase.OFFER_NEW_RETURN: 1, Phase.POSTCODE: 5,
    Phase.NEW_POSTCODE: 5,
}
"""How many keys answer each phase's question (a yes or no is one); 0 (the default) means
"until #"."""


class Reply:
    """Collects what the bot says and does in one step, keeping the transcript in step."""

    def __init__(self, prompts: PromptCatalog, state: DialogState) -> None:
        self._prompts = prompts
        self.state = state
        self.actions: list[Action] = []
        self._said: list[tuple[str, str]] = []

    def result(self) -> tuple[DialogState, list[Action]]:
        """The state after this step (remembering what was said, for a repeat) and actions."""
        if self._said:
            self.update(last_prompts=tuple(self._said))
        return self.state, self.actions

    def repeat_last(self) -> None:
        """Say the last step's sentences again and listen as before."""
        *before, (last_id, last_text) = self.state.last_prompts
        for prompt_id, text in before:
            self._spoken(prompt_id, text)
            self.actions.append(Say(prompt_id, text))
        self._spoken(last_id, last_text)
        phase = self.state.phase
        self.actions.append(Ask(last_id, last_text, PHASE_CONTEXTS[phase],
                                PHASE_KEYS.get(phase, 0)))

    def update(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)

    def remember(self, **slots: str) -> None:
        self.update(slots={**self.state.slots, **slots})

    def did(self, what: str) -> None:
        self.update(done=(*self.state.done, what))

    def heard(self, text: str, intent: str | None,
              slots: dict[str, str] | None = None) -> None:
        turn = Turn("caller", text, intent, tuple(sorted((slots or {}).items())))
        self.update(transcript=(*self.state.transcript, turn))

    def caller_turns_before_latest(self) -> list[Turn]:
        """What the caller said before their latest words, oldest first: what a follow-up
        ("when will they be back?", the same question again) refers to."""
        return [turn for turn in self.state.transcript if turn.speaker == "caller"][:-1]

    def caller_words(self, intent: str | None = None) -> str:
        """The caller's latest words (that were understood as `intent`, when given)."""
        said = [turn.text for turn in self.state.transcript if turn.speaker == "caller"
                and (intent is None or turn.intent == intent)]
        return said[-1] if said else ""

    def act(self, action: Action) -> None:
        self.actions.append(action)

    def say(self, prompt_id: str, **variables: Any) -> None:
        text = self._prompts.render(prompt_id, **variables)
        self._spoken(prompt_id, text)
        self.actions.append(Say(prompt_id, text))

    def say_text(self, prompt_id: str, text: str) -> None:
        """Say a text the shop wrote outside the prompt file (an FAQ answer)."""
        self._spoken(prompt_id, text)
        self.actions.append(Say(prompt_id, text))

    def text(self, prompt_id: str, **variables: Any) -> str:
        """A rendered prompt to embed in another one (not said on its own)."""
        return self._prompts.render(prompt_id, **variables)

    def ask(self, prompt_id: str, phase: Phase, **variables: Any) -> None:
        text = self._prompts.render(prompt_id, **variables)
        self._spoken(prompt_id, text)
        self.update(phase=phase)
        self.actions.append(Ask(prompt_id, text, PHASE_CONTEXTS[phase], PHASE_KEYS.get(phase, 0)))

    def _spoken(self, prompt_id: str, text: str) -> None:
        self._said.append((prompt_id, text))
        self.update(transcript=(*self.state.transcript, Turn("bot", text)))
