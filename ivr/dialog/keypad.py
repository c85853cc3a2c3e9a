"""What keys mean in each phase, so every question can also be answered on the keypad."""

from __future__ import annotations

from ivr.dialog.state import PHASE_CONTEXTS, Phase

Meaning = tuple[str, dict[str, str]]

EVERYWHERE: dict[str, Meaning] = {"0": ("speak_to_agent", {}), "*": ("repeat", {})}
MENU_KEYS = {"1": "order_status", "2": "track_package", "3": "return_request",
             "4": "cancel_order", "9": "goodbye"}
REASON_KEYS = {"1": "doesnt_fit", "2": "damaged", "3": "wrong_item", "4": "changed_mind",
               "5": "arrived_late"}
EXCHANGE_KEYS = {"1": "a bigger size", "2": "a smaller size"}
MIN_ORDER_DIGITS = 3


def keypad_meaning(phase: Phase, digits: str) -> Meaning | None:
    """The intent and slots a key entry stands for in a phase, or None if it means nothing.
    0 is a person and * a repeat everywhere; a trailing # only ends the entry."""
    keys = digits.rstrip("#")
    single = dict(EVERYWHERE)
    number: tuple[str, str, int] | None = None  # intent, slot, fewest digits
    match phase:
        case Phase.MAIN | Phase.ANYTHING_ELSE:
            single |= {key: (intent, {}) for key, intent in MENU_KEYS.items()}
            number = ("order_status", "order_number", MIN_ORDER_DIGITS)
        case Phase.ORDER_NUMBER | Phase.SUGGEST_ORDER:
            number = ("order_number", "order_number", MIN_ORDER_DIGITS)
        case Phase.POSTCODE | Phase.NEW_POSTCODE:
            number = ("postcode", "postcode", 1)
        case Phase.EXCHANGE_FOR:
            single |= {k: ("exchange_for", {"exchange_choice": v})
                       for k, v in EXCHANGE_KEYS.items()}
        case Phase.WHICH_ITEMS:
            single |= {key: ("item_choice", {"key": key}) for key in "123456789"}
        case Phase.RETURN_REASON:
            single |= {k: ("return_reason", {"return_reason": v}) for k, v in REASON_KEYS.items()}
        case Phase.SURVEY:
            single |= {key: ("rating", {"rating": key}) for key in "12345"}
    if PHASE_CONTEXTS[phase][:1] == ("confirm",):
        single |= {"1": ("yes", {}), "2": ("no", {})}
    if keys in single:
        return single[keys]
    if number and keys.isdigit() and len(keys) >= number[2]:
        return number[0], {number[1]: keys}
    return None
