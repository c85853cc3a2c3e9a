"""A dialog's state survives JSON (a Gather-mode call continued by another request or server)
exactly, whatever the dialog has put in it."""

from __future__ import annotations

from ivr.call.session import CallSession
from ivr.dialog.policy import Policy
from ivr.dialog.state import state_from_json, state_to_json
from ivr.events import Dtmf, Heard, NoInput
from tests.conftest import ANA


def test_a_state_with_everything_in_it_comes_back_equal(policy: Policy) -> None:
    session = CallSession(policy, "CAjson", ANA)
    session.start()
    for event in (Heard("track my parcel", 0.9), Heard("yes", 0.9), NoInput(),
                  Heard("I want to return the shirt from order seven oh oh five five", 0.8),
                  Dtmf("1")):
        session.handle(event)
    state = session.state
    assert state.transcript and state.verified_orders and state.last_prompts and state.slots
    assert state_from_json(state_to_json(state)) == state
    resumed = CallSession.resumed(policy, state_from_json(state_to_json(state)))
    assert resumed.handle(Heard("say that again", 0.9)) == session.handle(
        Heard("say that again", 0.9))
