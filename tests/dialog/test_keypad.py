from __future__ import annotations

import pytest

from ivr.dialog.keypad import keypad_meaning
from ivr.dialog.reply import PHASE_KEYS
from ivr.dialog.state import PHASE_CONTEXTS, Phase


@pytest.mark.parametrize(("phase", "keys", "meaning"), [
    (Phase.MAIN, "1", ("order_status", {})),
    (Phase.MAIN, "4#", ("cancel_order", {})),
    (Phase.MAIN, "48213#", ("order_status", {"order_number": "48213"})),
    (Phase.ANYTHING_ELSE, "9", ("goodbye", {})),
    (Phase.ORDER_NUMBER, "70055#", ("order_number", {"order_number": "70055"})),
    (Phase.ORDER_NUMBER, "12", None),
    (Phase.SUGGEST_ORDER, "1", ("yes", {})),
    (Phase.SUGGEST_ORDER, "31190", ("order_number", {"order_number": "31190"})),
    (Phase.CONFIRM_CANCEL, "2", ("no", {})),
    (Phase.CONFIRM_CANCEL, "3", None),
    (Phase.POSTCODE, "94107#", ("postcode", {"postcode": "94107"})),
    (Phase.RETURN_REASON, "5", ("return_reason", {"return_reason": "arrived_late"})),
    (Phase.RETURN_REASON, "6", None),
    (Phase.SURVEY, "3", ("rating", {"rating": "3"})),
    (Phase.SURVEY, "6", None),
    (Phase.WHICH_ITEMS, "2", ("item_choice", {"key": "2"})),
    (Phase.WHICH_ITEMS, "9", ("item_choice", {"key": "9"})),
    (Phase.CONFIRM_RETURN, "1", ("yes", {})),
    (Phase.POSTCODE, "0", ("speak_to_agent", {})),
    (Phase.RETURN_REASON, "*", ("repeat", {})),
    (Phase.MAIN, "#", None),
    (Phase.MAIN, "12ab", None),
])
def test_keypad_meaning(phase: Phase, keys: str, meaning: object) -> None:
    assert keypad_meaning(phase, keys) == meaning


@pytest.mark.parametrize("phase", [phase for phase, contexts in PHASE_CONTEXTS.items()
                                   if contexts == ("confirm",)]
                         + [Phase.WHICH_ITEMS, Phase.RETURN_REASON, Phase.EXCHANGE_FOR])
def test_a_one_key_answer_is_taken_without_waiting_for_the_hash_key(phase: Phase) -> None:
    """A caller pressing 1 for yes would otherwise hear nothing until the entry timed out."""
    assert PHASE_KEYS[phase] == 1
