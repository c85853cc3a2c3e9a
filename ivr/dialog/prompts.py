"""The prompt catalogue: every sentence the bot says, loaded from prompts/<lang>.yaml.

PROMPT_VARIABLES declares each prompt the dialog uses and the variables it passes. Loading
checks the file against it, so a missing prompt or an unknown placeholder stops the server at
startup with file:line, instead of leaving a caller in silence mid-call.
"""

from __future__ import annotations

import string
from pathlib import Path

import yaml

from ivr.dialog.keypad import REASON_KEYS
from ivr.dialog.state import TransferReason
from ivr.errors import PromptError

_ORDER = frozenset({"order_number"})
_PRODUCT = frozenset({"product", "is_are"})

PROMPT_VARIABLES: dict[str, frozenset[str]] = {
    "greeting": frozenset({"shop"}),
    "greeting_known": frozenset({"name", "shop"}),
    "greeting_known_order": frozenset({"name", "shop", "order_number", "status"}),
    "main_help": frozenset(), "main_keys": frozenset(),
    "didnt_hear": frozenset(), "didnt_understand": frozenset(), "english_only": frozenset(),
    "ask_order_number": frozenset(), "order_number_help": frozenset(),
    "order_number_keys": frozenset(),
    "suggest_order": frozenset({"order_number", "items"}), "suggest_order_help": _ORDER,
    "suggest_order_keys": _ORDER,
    "confirm_order_number": _ORDER, "confirm_help": frozenset(), "confirm_keys": frozenset(),
    "order_not_found": _ORDER, "ask_again_order_number": frozenset(),
    "ask_postcode": frozenset(), "postcode_help": frozenset(), "postcode_keys": frozenset(),
    "postcode_mismatch": frozenset(),
    "status_processing": frozenset({"order_number", "placed", "ship_days"}),
    "status_shipped": frozenset({"order_number", "shipped", "carrier", "eta"}),
    "status_delivered": frozenset({"order_number", "delivered"}),
    "status_cancelled": _ORDER,
    "phrase_processing": frozenset(), "phrase_shipped": frozenset({"eta"}),
    "tracking_in_transit": frozenset({"carrier", "tracking", "when", "location", "description",
                                      "eta"}),
    "tracking_not_shipped": frozenset({"order_number", "ship_days"}),
    "tracking_delivered": frozenset({"carrier", "order_number", "delivered", "description"}),
    "ask_which_items": frozenset({"verb", "items"}),
    "ask_which_items_problem": frozenset({"items"}), "which_items_help": frozenset({"items"}),
    "which_items_keys": frozenset({"items"}),
    "ask_return_reason": frozenset(), "return_reason_help": frozenset(),
    "return_reason_keys": frozenset(),
    "confirm_return": frozenset({"items", "order_number", "reason"}),
    **{f"return_because_{reason}": frozenset() for reason in REASON_KEYS.values()},
    "return_declined": frozenset(),
    "return_partial_final_sale": frozenset({"final_sale", "was_were", "returnable"}),
    "return_created": frozenset({"rma", "label", "refund_days"}),
    "return_label_free": frozenset(), "return_label_paid": frozenset(),
    "return_not_delivered": frozenset({"order_number", "window"}),
    "return_window_closed": frozenset({"order_number", "delivered", "window"}),
    "return_final_sale": _ORDER,
    "return_already": frozenset({"order_number", "rma"}),
    "confirm_cancel": frozenset({"order_number", "items", "total"}),
    "cancelled": frozenset({"order_number", "total", "refund_days"}),
    "cancel_declined": frozenset(),
    "cancel_shipped": frozenset({"order_number", "window"}),
    "cancel_delivered": _ORDER, "cancel_already": _ORDER,
    "refund_none": _ORDER,
    "refund_on_its_way_back": frozenset({"order_number", "rma", "refund_days"}),
    "refund_pending": frozenset({"order_number", "received", "due"}),
    "refund_paid": frozenset({"order_number", "amount", "refunded"}),
    "ask_exchange_for": frozenset(), "exchange_for_help": frozenset(),
    "exchange_for_keys": frozenset(),
    "confirm_exchange": frozenset({"items", "order_number", "wanted"}),
    "exchange_created": frozenset({"number", "label", "wanted"}),
    "exchange_declined": frozenset(),
    "ask_new_street": frozenset(), "street_help": frozenset(), "street_keys": frozenset(),
    "ask_new_postcode": frozenset(), "new_postcode_help": frozenset(),
    "new_postcode_keys": frozenset(),
    "confirm_address": frozenset({"order_number", "street", "postcode", "old_street"}),
    "address_changed": frozenset({"order_number", "street", "postcode"}),
    "address_declined": frozenset(),
    "address_shipped": frozenset({"order_number", "carrier", "tracking"}),
    "address_closed": frozenset({"order_number", "status"}),
    "item_problem_ticket": frozenset({"order_number", "reference"}),
    "item_problem_not_delivered": _ORDER,
    "complaint_ticket": frozenset({"reference"}), "complaint_later": frozenset(),
    "product_in_stock": _PRODUCT | {"price"},
    "product_restocking": _PRODUCT | {"restock"},
    "product_out": _PRODUCT,
    "product_option_in_stock": _PRODUCT | {"option", "price"},
    "product_option_restocking": _PRODUCT | {"option", "restock"},
    "product_option_out": _PRODUCT | {"option"},
    "product_options_in_stock": _PRODUCT | {"options", "price"},
    "ask_product": frozenset(), "product_help": frozenset(), "product_keys": frozenset(),
    "product_unknown": frozenset(),
    "return_policy": frozenset({"window", "label_policy", "refund_days"}),
    "return_policy_free": frozenset(), "return_policy_paid": frozenset(),
    "offer_new_return": frozenset(),
    "shipping_info": frozenset({"ships_to", "standard_min", "standard_max", "standard_price",
                                "free_over", "express_days", "express_price"}),
    "anything_else": frozenset(), "anything_else_help": frozenset(),
    "anything_else_keys": frozenset(), "what_else": frozenset(),
    "survey": frozenset(), "survey_help": frozenset(), "survey_keys": frozenset(),
    "survey_thanks": frozenset(), "goodbye": frozenset({"shop"}),
    "transfer": frozenset(), "transfer_identity": frozenset(),
    "system_error": frozenset(), "bot_error": frozenset(),
    "queue_position": frozenset({"position"}), "queue_wait": frozenset({"minutes", "minute_word"}),
    "queue_hold": frozenset(), "callback_offer": frozenset(),
    "callback_closed": frozenset({"hours"}), "closed_no_callback": frozenset({"hours"}),
    "callback_booked": frozenset({"last_four"}), "callback_not_booked": frozenset(),
    "line_problem": frozenset(), "unknown_call": frozenset(),
    "whisper": frozenset({"who", "why", "done"}),
    "whisper_customer": frozenset({"name", "order_number", "verified"}),
    "whisper_unknown_customer": frozenset(), "whisper_reason": frozenset({"reason", "intent"}),
    "whisper_done": frozenset({"done"}), "whisper_nothing_done": frozenset(),
    "whisper_missing": frozenset(), "connecting_agent": frozenset(),
    **{f"reason_{reason}": frozenset() for reason in TransferReason},
}
"""Every prompt id the dialog renders, with the variables it passes to it."""


class PromptCatalog:
    """Prompt texts by id, checked against PROMPT_VARIABLES when loaded."""

    def __init__(self, texts: dict[str, str]) -> None:
        self._texts = texts

    @classmethod
    def load(cls, path: Path) -> PromptCatalog:
        """Load and check a prompt file; raise PromptError naming every problem."""
        try:
            root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        except (OSError, UnicodeDecodeError) as exc:
            raise PromptError(f"{path}: cannot read the prompt file: {exc}") from exc
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else 1
            raise PromptError(f"{path}:{line}: not valid YAML: {exc.problem}") from exc
        if not isinstance(root, yaml.MappingNode):
            raise PromptError(f"{path}:1: the prompt file must map prompt ids to sentences")
        texts: dict[str, str] = {}
        problems: list[str] = []
        for key, value in root.value:
            line = key.start_mark.line + 1
            if not isinstance(value, yaml.ScalarNode) or not str(value.value).strip():
                problems.append(f"{path}:{line}: prompt {key.value!r} must be a non-empty text")
                continue
            texts[key.value] = " ".join(str(value.value).split())
            problems.extend(f"{path}:{line}: {p}" for p in _check(key.value, texts[key.value]))
        problems.extend(
            f"{path}: prompt {name!r} is missing; add it (variables: "
            f"{', '.join(sorted(PROMPT_VARIABLES[name])) or 'none'})"
            for name in PROMPT_VARIABLES if name not in texts
        )
        if problems:
            raise PromptError("prompt file problems:\n  " + "\n  ".join(problems))
        return cls(texts)

    def fixed_texts(self, **constants: object) -> dict[str, str]:
        """Every prompt whose words never change within a deployment (only `constants`, such as
        the shop name, filled in): these are synthesised once and cached as audio."""
        return {prompt_id: text.format(**constants) for prompt_id, text in self._texts.items()
                if PROMPT_VARIABLES[prompt_id] <= constants.keys()}

    def render(self, prompt_id: str, **variables: object) -> str:
        """The sentence for an id with its variables filled in."""
        declared = PROMPT_VARIABLES.get(prompt_id)
        if declared is None or set(variables) != declared:
            raise PromptError(f"prompt {prompt_id!r} rendered with {sorted(variables)}; "
                              f"PROMPT_VARIABLES declares {sorted(declared or ())}")
        return self._texts[prompt_id].format(**variables)


def _check(prompt_id: str, text: str) -> list[str]:
    if prompt_id not in PROMPT_VARIABLES:
        return [f"unknown prompt id {prompt_id!r}: no dialog step says it (remove it or "
                "declare it in ivr/dialog/prompts.py)"]
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        return [f"prompt {prompt_id!r}: {exc} (write {{{{ and }}}} for literal braces)"]
    unknown = fields - PROMPT_VARIABLES[prompt_id]
    if unknown:
        return [f"prompt {prompt_id!r} uses unknown variables {sorted(unknown)}; it can use "
                f"{sorted(PROMPT_VARIABLES[prompt_id]) or 'none'}"]
    return []
