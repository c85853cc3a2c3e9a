"""policy.step(state, event) -> (state, actions): the whole conversation, transport-agnostic.

No I/O but the order service it is given. Every path ends in a question, an answer and a
question, a transfer to a person, or a goodbye: a caller never waits on silence, never loops
past `max_failures`, and is never refused a person.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date

from ivr.commerce.models import Customer, Order, OrderStatus
from ivr.commerce.service import OrderService
from ivr.dialog import items, phrasing
from ivr.dialog.addresses import street_address
from ivr.dialog.aftersales import AfterSales
from ivr.dialog.desk import ServiceDesk, random_reference
from ivr.dialog.escalation import DialogSettings, Escalation
from ivr.dialog.keypad import keypad_meaning
from ivr.dialog.prompts import PromptCatalog
from ivr.dialog.reply import Reply
from ivr.dialog.state import (
    FREE_TEXT_PHASES,
    PHASE_CONTEXTS,
    DialogState,
    Phase,
    TransferReason,
)
from ivr.dialog.tasks import OrderTasks
from ivr.errors import OrderServiceError
from ivr.events import (
    Action,
    CallerHungUp,
    CallStarted,
    Dtmf,
    Event,
    Heard,
    NoInput,
    SurveyAnswered,
)
from ivr.nlu.frustration import FrustrationDetector
from ivr.nlu.matcher import Match, Matcher
from ivr.nlu.normalize import normalize

log = logging.getLogger(__name__)

ORDER_TASKS = ("order_status", "track_package", "return_request", "cancel_order",
               "refund_status", "exchange_request", "change_address", "item_problem")
"""Requests about one order: the order is found and the caller verified before anything."""

QUESTIONS_WITHOUT_AN_ORDER = ("return_policy", "shipping_info", "product_availability", "faq",
                              "complaint")
"""Requests answered without an order: asked for an order number, a caller may ask one instead
("and is the blue rain jacket in stock?"), and is answered."""

ANSWERED_ONLY = ("order_status", "track_package", "refund_status")
"""Requests the bot answers by telling what the order system says: asked again about the same
order right after ("it says delivered", "but it's not here"), the answer did not help, and a
person can do what the bot cannot (chase the carrier, open a claim)."""

SUGGESTED_STATUSES = {
    "return_request": (OrderStatus.DELIVERED,), "exchange_request": (OrderStatus.DELIVERED,),
    "item_problem": (OrderStatus.DELIVERED,), "refund_status": (OrderStatus.DELIVERED,),
    "cancel_order": (OrderStatus.PROCESSING,), "change_address": (OrderStatus.PROCESSING,),
}
"""Which of a known caller's orders a request is probably about (the most recent of these
statuses, and with a return for refund_status; processing or shipped ones otherwise)."""


SAYS_DELIVERED = re.compile(r"\b(?:says|said|saying|shows|showing|marked|marked as|status is|"
                            r"tracking|tracker) (?:it (?:was|has been|is|got) |that it was )?"
                            r"delivered\b")
"""A caller telling what the tracking claims ("it says delivered but it's not here"): the order
is a delivered one, however recent their other orders."""


NEXT_QUESTIONS = {"return_request": ("return_reason", "return_reason"),
                  "exchange_request": ("exchange_for", "exchange_choice")}
"""After which items, the context and slot of the question a return or an exchange asks next."""

CHANGES_OF_MIND = {Phase.RETURN_REASON: ("return_reason", "exchange_request"),
                   Phase.EXCHANGE_FOR: ("exchange_for", "return_request")}
"""A return and an exchange of the same items are one decision: asked why they return it, a
caller may want a swap instead ("can I swap it for a large instead"), and asked what they want
instead, their money back. (The answer the phase asks for, the request that changes it.)
Anything else said there is no answer."""


class Policy:
    """Decides what the bot does next. Stateless itself: share one between all calls."""

    def __init__(self, matcher: Matcher, frustration: FrustrationDetector, orders: OrderService,
                 prompts: PromptCatalog, *, settings: DialogSettings | None = None,
                 today: Callable[[], date] = date.today,
                 new_reference: Callable[[], str] = random_reference) -> None:
        self.matcher = matcher
        self.frustration = frustration
        self.orders = orders
        self.prompts = prompts
        self.settings = settings or DialogSettings()
        self.tasks = OrderTasks(orders, today, matcher.grammar.words_of_class(items.THINGS))
        self.aftersales = AfterSales(self.tasks, new_reference)
        self.desk = ServiceDesk(orders, today, new_reference)
        self.escalation = Escalation(self.settings)

    def step(self, state: DialogState, event: Event) -> tuple[DialogState, list[Action]]:
        """The new state and what to do, for one event."""
        if isinstance(event, CallStarted):
            reply = Reply(self.prompts, DialogState(event.call_sid, event.caller))
        elif state.phase is Phase.ENDED:
            return state, []
        else:
            reply = Reply(self.prompts, state)
        try:
            match event:
                case CallStarted():
                    self._greet(reply)
                case Heard(language=str(language)):
                    self._other_language(reply, language)
                case Heard(text, rejected=True):
                    self._not_sure(reply, text)
                case Heard(text, confidence) if text.strip():
                    self._heard(reply, text.strip(), confidence)
                case Dtmf(digits):
                    self._keys(reply, digits)
                case Heard() | NoInput():
                    self.escalation.failure(reply, "no_input")
                case CallerHungUp():
                    reply.update(phase=Phase.ENDED, outcome="caller_hung_up")
        except OrderServiceError as exc:
            log.error("call %s: order system failed: %s", state.call_sid, exc)
            reply.say("system_error")
            self.escalation.transfer(reply, TransferReason.SYSTEM_ERROR)
        return reply.result()

    # ------------------------------------------------------------------ events
    def _greet(self, reply: Reply) -> None:
        customer = self._customer(reply.state)
        shop = self.settings.shop_name
        if customer is None:
            reply.ask("greeting", Phase.MAIN, shop=shop)
            return
        reply.update(customer_name=customer.name)
        latest = next((o for o in self.orders.orders_for(customer)
                       if o.status in (OrderStatus.PROCESSING, OrderStatus.SHIPPED)), None)
        if latest is None:
            reply.ask("greeting_known", Phase.MAIN, name=customer.first_name, shop=shop)
            return
        reply.ask("greeting_known_order", Phase.MAIN, name=customer.first_name, shop=shop,
                  order_number=phrasing.digits(latest.number), status=self._status_phrase(
                      reply, latest))

    def _status_phrase(self, reply: Reply, order: Order) -> str:
        shipment = order.shipment
        if order.status is OrderStatus.SHIPPED and shipment and shipment.estimated_delivery:
            return reply.text("phrase_shipped",
                              eta=phrasing.day(shipment.estimated_delivery, self.tasks.today()))
        return reply.text("phrase_processing")

    def _heard(self, reply: Reply, text: str, confidence: float) -> None:
        if self._frustrated(reply, text):
            return
        match = self.matcher.match_first(text, PHASE_CONTEXTS[reply.state.phase])
        if match.intent in (None, "no") and (order := self._order_of_item_named(reply, text)):
            match = Match(text, "order_number", match.confidence, {"order_number": order.number})
        answer = _free_text_answer(reply.state.phase, text) if match.intent is None else None
        if answer is not None:
            reply.heard(text, "free_text")
            self._understood(reply, "free_text", {"text": answer}, confidence)
            return
        reply.heard(text, match.intent, match.slots)
        if match.intent is None:
            self.escalation.failure(reply, "no_match")
        else:
            self._understood(reply, match.intent, match.slots, confidence)

    def _not_sure(self, reply: Reply, text: str) -> None:
        """The recogniser doubts its own words: asked again, unless they were a fed-up caller's
        (a frustration phrase is heard the same whatever the caller was asking for)."""
        if not self._frustrated(reply, text):
            self.escalation.failure(reply, "no_match")

    def _other_language(self, reply: Reply, language: str) -> None:
        """Told once that the bot speaks only English, with a person offered (0 or "agent");
        heard in another language again, the caller goes to a person. It counts as a
        misunderstanding, so it cannot stretch the failures a caller meets before a person."""
        reply.heard(f"[another language: {language}]", None)
        told_before = reply.state.language is not None
        reply.update(language=language)
        failures = self.escalation.count_failure(reply, "no_match")
        if told_before or failures >= self.settings.max_failures:
            self.escalation.transfer(reply, TransferReason.OTHER_LANGUAGE)
            return
        reply.ask("english_only", reply.state.phase)

    def _frustrated(self, reply: Reply, text: str) -> bool:
        """A fed-up caller goes to a person at once; True when that happened."""
        if not self.frustration.is_frustrated(text):
            return False
        reply.heard(text, None)
        reply.update(frustrated=True)
        self.escalation.transfer(reply, TransferReason.FRUSTRATION)
        return True

    def _keys(self, reply: Reply, digits: str) -> None:
        keys = digits.rstrip("#")
        reply.heard(f"[keys {keys}]" if keys else "[keys]", None)
        meaning = keypad_meaning(reply.state.phase, digits)
        if meaning is None:
            self.escalation.failure(reply, "no_match")
        else:
            self._understood(reply, meaning[0], meaning[1], 1.0)

    # ------------------------------------------------------------------ understanding
    def _understood(self, reply: Reply, intent: str, slots: dict[str, str],
                    confidence: float) -> None:
        if intent == "speak_to_agent":
            requests = reply.state.agent_requests + 1
            reply.update(agent_requests=requests, frustrated=reply.state.frustrated or requests > 1)
            self.escalation.transfer(reply, TransferReason.CALLER_REQUEST)
            return
        if intent == "repeat":
            self._repeat(reply)
            return
        if reply.state.phase is Phase.WHICH_ITEMS and not self._keep_items_chosen(reply, intent,
                                                                                  slots):
            self.escalation.failure(reply, "no_match")  # words or a key that name no item
            return
        answer, change_of_mind = CHANGES_OF_MIND.get(reply.state.phase, (intent, None))
        if intent not in (answer, change_of_mind):
            self.escalation.failure(reply, "no_match")
            return
        reply.update(no_input=0, no_match=0, repeats=0)
        if intent == change_of_mind:
            self._change_of_mind(reply, intent, slots)
            return
        handler = {
            Phase.MAIN: self._task_request,
            Phase.ANYTHING_ELSE: self._task_request,
            Phase.SUGGEST_ORDER: self._order_answer,
            Phase.ORDER_NUMBER: self._order_answer,
            Phase.CONFIRM_ORDER_NUMBER: self._confirm_order_number,
            Phase.POSTCODE: self._postcode,
            Phase.WHICH_ITEMS: self._which_items,
            Phase.RETURN_REASON: self._return_reason,
            Phase.CONFIRM_RETURN: self._confirm_return,
            Phase.CONFIRM_CANCEL: self._confirm_cancel,
            Phase.OFFER_RETURN: self._offer_return,
            Phase.OFFER_NEW_RETURN: self._offer_new_return,
            Phase.EXCHANGE_FOR: self._after_sales_answer,
            Phase.CONFIRM_EXCHANGE: self._after_sales_answer,
            Phase.NEW_STREET: self._after_sales_answer,
            Phase.NEW_POSTCODE: self._after_sales_answer,
            Phase.CONFIRM_ADDRESS: self._after_sales_answer,
            Phase.OFFER_AGENT: self._offer_agent,
            Phase.PRODUCT_NAME: self._product_named,
            Phase.SURVEY: self._survey,
        }[reply.state.phase]
        handler(reply, intent, slots, confidence)

    def _change_of_mind(self, reply: Reply, intent: str, slots: dict[str, str]) -> None:
        """The same items, the other way: exchanged instead of returned, or the reverse, with
        whatever the request already says (what instead, or why)."""
        reply.update(intent=intent)
        _, slot = NEXT_QUESTIONS[intent]
        if slot in slots:
            reply.remember(**{slot: slots[slot]})
        order = self._current_order(reply)
        if intent == "exchange_request":
            self.aftersales.exchange_items_chosen(reply, order)
        else:
            self.tasks.return_items_chosen(reply, order)

    def _repeat(self, reply: Reply) -> None:
        """Say the last step again without counting a failure: asking is fair. But a caller who
        keeps asking, or whose speech keeps being heard as "say that again" (out-of-domain
        speech often is: 3 of the 5 false accepts over the fixture manifest), would go round
        for ever: after max_failures repeats in a row, a person takes over."""
        if not reply.state.last_prompts:
            self.escalation.failure(reply, "no_match")
        elif reply.state.repeats >= self.settings.max_failures:
            self.escalation.transfer(reply, TransferReason.REPEAT_REQUESTS)
        else:
            reply.update(repeats=reply.state.repeats + 1)
            reply.repeat_last()

    def _task_request(self, reply: Reply, intent: str, slots: dict[str, str],
                      confidence: float) -> None:
        match intent:
            case "goodbye" | "no":
                reply.ask("survey", Phase.SURVEY)
            case "yes":
                reply.ask("what_else", Phase.MAIN)
            case "return_policy" | "shipping_info":
                self.tasks.answer_policy(reply, intent)
            case "product_availability":
                self.desk.product_question(reply, reply.caller_words())
            case "complaint":
                self.desk.complaint(reply, reply.caller_words())
            case "faq" if slots.get("faq_id") in self.matcher.grammar.faq_answers:
                entry = slots["faq_id"]
                reply.say_text(f"faq_{entry}", self.matcher.grammar.faq_answers[entry])
                self.tasks.anything_else(reply)
            case _ if intent in ORDER_TASKS:
                self._order_request(reply, intent, slots, confidence)
            case _:
                self.escalation.failure(reply, "no_match")

    def _order_request(self, reply: Reply, intent: str, slots: dict[str, str],
                       confidence: float) -> None:
        """A request about one order: the order it names, a likelier one of a known caller's,
        the one talked about so far, or the question which."""
        asked_again = intent == reply.state.intent == _previous_request(reply)
        kept = {k: v for k, v in reply.state.slots.items() if k == "order_number"}
        reply.update(intent=intent, slots={**kept, **slots})
        self._learn_next_answer(reply, reply.caller_words())
        if "order_number" in slots:
            self._take_order_number(reply, slots["order_number"], confidence)
        elif reply.state.verified and (better := self._better_order(reply, asked_again)):
            self._suggest(reply, better)
        elif reply.state.verified and asked_again and intent in ANSWERED_ONLY:
            self.escalation.transfer(reply, TransferReason.ANSWER_DID_NOT_HELP)
        elif reply.state.verified:
            self._run_task(reply)
        else:
            self._ask_for_order(reply)

    def _ask_for_order(self, reply: Reply) -> None:
        customer = self._customer(reply.state)
        suggestion = self._suggested_order(reply, customer) if customer else None
        if suggestion is not None:
            self._suggest(reply, suggestion)
        elif self._said_they_have_no_number(reply):
            self.escalation.transfer(reply, TransferReason.NO_ORDER_NUMBER)
        else:
            reply.ask("ask_order_number", Phase.ORDER_NUMBER)

    def _said_they_have_no_number(self, reply: Reply) -> bool:
        """Whether the request came with "I don't have my order number": asking for it would
        be asking what the caller just said they cannot answer. The order number question's
        own context knows every way of saying so."""
        return self.matcher.match(reply.caller_words(), "order_number").intent == "dont_know"

    @staticmethod
    def _suggest(reply: Reply, order: Order) -> None:
        """Offer the caller's likeliest order by its number and what is in it: few callers know
        their order numbers, all know what they bought (and caller ID has verified them)."""
        reply.update(pending_order=order.number)
        reply.ask("suggest_order", Phase.SUGGEST_ORDER, order_number=phrasing.digits(order.number),
                  items=phrasing.listing([f"the {item.name}" for item in order.items]))

    def _suggested_order(self, reply: Reply, customer: Customer) -> Order | None:
        return self._likeliest(customer, self._likeliness(reply))

    def _likeliest(self, customer: Customer,
                   likeliness: Callable[[Order], tuple[bool, bool]]) -> Order | None:
        """The caller's order the request is most likely about: one holding an item they named
        ("return the headphones") that the request fits, then one holding a named item, then
        one the request fits, most recent first; None when none is either."""
        best = max(self.orders.orders_for(customer), key=likeliness, default=None)
        return best if best is not None and any(likeliness(best)) else None

    def _likeliness(self, reply: Reply) -> Callable[[Order], tuple[bool, bool]]:
        """How likely an order is the one a request is about: whether it holds an item the
        caller named, and whether the request fits it. Compare these tuples to rank orders."""
        words = normalize(reply.caller_words(reply.state.intent))
        intent = reply.state.intent
        return lambda order: (items.any_named(order.items, words),
                              self._fits(order, intent, words))

    def _fits(self, order: Order, intent: str | None, words: list[str]) -> bool:
        """Whether a request can be about an order (a refund about one with a return, a
        cancellation about one still being prepared, a parcel the tracking says was delivered
        about a delivered one)."""
        wanted = ((OrderStatus.DELIVERED,) if SAYS_DELIVERED.search(" ".join(words))
                  else SUGGESTED_STATUSES.get(intent or "",
                                              (OrderStatus.PROCESSING, OrderStatus.SHIPPED)))
        return order.status in wanted and (intent != "refund_status"
                                           or bool(self.orders.returns_for(order.number)))

    def _better_order(self, reply: Reply, asked_again: bool) -> Order | None:
        """For a known caller's new request that another of their orders is likelier about
        than the one talked about so far (where a refund is, asked after an address change;
        "where are the headphones", asked about another order), that order; None to carry on
        with the current one. The same request asked again ("but it's not here", after its
        tracking) is about the same order unless it names something of another."""
        customer = self._customer(reply.state)
        if customer is None:
            return None
        likeliness = self._likeliness(reply)
        better = self._likeliest(customer, likeliness)
        current = self._current_order(reply)
        if better is None:
            return None
        if asked_again:
            return better if likeliness(better)[0] and not likeliness(current)[0] else None
        return better if likeliness(better) > likeliness(current) else None

    def _order_answer(self, reply: Reply, intent: str, slots: dict[str, str],
                      confidence: float) -> None:
        pending = reply.state.pending_order
        if intent == "dont_know":
            self.escalation.transfer(reply, TransferReason.NO_ORDER_NUMBER)
        elif intent == "yes" and pending:
            self._look_up(reply, pending)
        elif "order_number" in slots:
            if intent in ORDER_TASKS:
                reply.update(intent=intent)
            self._take_order_number(reply, slots["order_number"], confidence)
        elif intent in ORDER_TASKS:
            reply.update(intent=intent)
            self._ask_for_order(reply)
        elif intent in QUESTIONS_WITHOUT_AN_ORDER:
            reply.update(pending_order=None)
            self._task_request(reply, intent, slots, confidence)
        elif intent == "goodbye":
            reply.ask("survey", Phase.SURVEY)
        else:
            reply.update(pending_order=None)
            reply.ask("ask_order_number", Phase.ORDER_NUMBER)

    def _take_order_number(self, reply: Reply, number: str, confidence: float) -> None:
        if confidence < self.settings.confirm_below:
            reply.update(pending_order=number)
            reply.ask("confirm_order_number", Phase.CONFIRM_ORDER_NUMBER,
                      order_number=phrasing.digits(number))
        else:
            self._look_up(reply, number)

    def _confirm_order_number(self, reply: Reply, intent: str, slots: dict[str, str],
                              confidence: float) -> None:
        if intent == "yes" and reply.state.pending_order:
            self._look_up(reply, reply.state.pending_order)
        else:
            reply.update(pending_order=None)
            reply.ask("ask_again_order_number", Phase.ORDER_NUMBER)

    def _look_up(self, reply: Reply, number: str) -> None:
        order = self.orders.find_order(number)
        reply.update(pending_order=None)
        if order is None:
            misses = reply.state.orders_not_found + 1
            reply.update(orders_not_found=misses, total_no_match=reply.state.total_no_match + 1)
            if misses >= self.settings.max_failures:
                self.escalation.transfer(reply, TransferReason.ORDER_NOT_FOUND)
            else:
                reply.ask("order_not_found", Phase.ORDER_NUMBER,
                          order_number=phrasing.digits(number))
            return
        reply.remember(order_number=number)
        reply.update(orders_not_found=0)
        if number not in reply.state.verified_orders and (proof := self._known_as(reply, order)):
            reply.update(verified_orders=(*reply.state.verified_orders, number))
            reply.did(f"verified caller for order {number} by {proof}")
        if reply.state.verified:
            self.aftersales.run(reply, order)
        else:
            reply.ask("ask_postcode", Phase.POSTCODE)

    def _known_as(self, reply: Reply, order: Order) -> str | None:
        """How the caller is already known to be the order's customer: their caller ID, or an
        order of the same customer verified earlier in the call (its zip code is the same one
        they would be asked for again); None when they are not."""
        if reply.state.caller and reply.state.caller == order.customer.phone:
            return "caller ID"
        for number in reply.state.verified_orders:
            earlier = self.orders.find_order(number)
            if earlier is not None and earlier.customer.id == order.customer.id:
                return f"order {number}, the same customer's, verified earlier"
        return None

    def _postcode(self, reply: Reply, intent: str, slots: dict[str, str],
                  confidence: float) -> None:
        order = self._current_order(reply)
        if intent == "dont_know":
            reply.say("transfer_identity")
            self.escalation.transfer(reply, TransferReason.IDENTITY_NOT_VERIFIED, announce=False)
            return
        if slots.get("postcode") == order.customer.postcode:
            reply.update(verified_orders=(*reply.state.verified_orders, order.number))
            reply.did(f"verified caller for order {order.number} by zip code")
            self.aftersales.run(reply, order)
            return
        failures = reply.state.postcode_failures + 1
        reply.update(postcode_failures=failures)
        if failures >= self.settings.max_postcode_failures:
            reply.say("transfer_identity")
            self.escalation.transfer(reply, TransferReason.IDENTITY_NOT_VERIFIED, announce=False)
        else:
            reply.ask("postcode_mismatch", Phase.POSTCODE)

    def _keep_items_chosen(self, reply: Reply, intent: str, slots: dict[str, str]) -> bool:
        """Keep the items of the current order an answer to "which would you like to return?"
        (or "which is missing?") chooses, by name, place or key; False when it chooses none."""
        order = self._current_order(reply)
        candidates = (order.items if reply.state.intent == "item_problem"
                      else self.tasks.returnable(order))
        chosen = (items.item_at_key(candidates, slots["key"]) if intent == "item_choice"
                  else items.items_named(candidates, slots.get("text", "")))
        if chosen:
            items.keep(reply, chosen)
        return bool(chosen)

    def _which_items(self, reply: Reply, intent: str, slots: dict[str, str],
                     confidence: float) -> None:
        """The items are kept already (`_keep_items_chosen`): on to the request's next step."""
        self._learn_next_answer(reply, slots.get("text", ""))
        order = self._current_order(reply)
        match reply.state.intent:
            case "exchange_request":
                self.aftersales.exchange_items_chosen(reply, order)
            case "item_problem":
                self.aftersales.open_item_ticket(reply, order)
            case _:
                self.tasks.return_items_chosen(reply, order)

    def _learn_next_answer(self, reply: Reply, text: str) -> None:
        """Keep what the request or the items' answer also says that a later question would ask
        ("can I get a bigger size"; "the shirt, it doesn't fit"; "the sneakers in black"), so it
        is not asked."""
        context, slot = NEXT_QUESTIONS.get(reply.state.intent or "", ("", ""))
        if text and context:
            found = self.matcher.match(text, context)
            if slot in found.slots:
                reply.remember(**{slot: found.slots[slot]})

    def _return_reason(self, reply: Reply, intent: str, slots: dict[str, str],
                       confidence: float) -> None:
        self.tasks.take_return_reason(reply, self._current_order(reply), slots["return_reason"])

    def _confirm_return(self, reply: Reply, intent: str, slots: dict[str, str],
                        confidence: float) -> None:
        self.tasks.confirm_return(reply, self._current_order(reply), intent == "yes")

    def _confirm_cancel(self, reply: Reply, intent: str, slots: dict[str, str],
                        confidence: float) -> None:
        if intent == "yes":
            self.tasks.confirm_cancel(reply, self._current_order(reply))
        else:
            reply.say("cancel_declined")
            self.tasks.anything_else(reply)

    def _offer_return(self, reply: Reply, intent: str, slots: dict[str, str],
                      confidence: float) -> None:
        if intent == "yes":
            reply.update(intent="return_request")
            self.tasks.start_return(reply, self._current_order(reply))
        else:
            self.tasks.anything_else(reply)

    def _offer_new_return(self, reply: Reply, intent: str, slots: dict[str, str],
                          confidence: float) -> None:
        """After the return policy: "how do I send the lamp back" asks the policy and, as often,
        for a return, so a yes starts one (behind the same identity check as any request), a no
        asks what else, and any other request is taken as asked."""
        match intent:
            case "yes":
                self._order_request(reply, "return_request", {}, confidence)
            case "no":
                self.tasks.anything_else(reply)
            case _:
                self._task_request(reply, intent, slots, confidence)

    def _after_sales_answer(self, reply: Reply, intent: str, slots: dict[str, str],
                            confidence: float) -> None:
        self.aftersales.answer(reply, self._current_order(reply), intent, slots)

    def _offer_agent(self, reply: Reply, intent: str, slots: dict[str, str],
                     confidence: float) -> None:
        if intent == "yes":
            self.escalation.transfer(reply, TransferReason.COMPLAINT)
        else:
            reply.say("complaint_later")
            self.tasks.anything_else(reply)

    def _product_named(self, reply: Reply, intent: str, slots: dict[str, str],
                       confidence: float) -> None:
        """Asked which product, the caller names one, or lets it go ("no thanks", "never
        mind")."""
        if intent == "no":
            self.tasks.anything_else(reply)
        else:
            self.desk.product_question(reply, slots.get("text", ""))

    def _survey(self, reply: Reply, intent: str, slots: dict[str, str],
                confidence: float) -> None:
        """A score ends the call; so does a goodbye. A request instead ("wait, where's my
        refund?") is answered: a goodbye heard by mistake does not end a caller's call."""
        if intent == "goodbye":
            self.escalation.goodbye(reply)
            return
        if intent != "rating":
            self._task_request(reply, intent, slots, confidence)
            return
        reply.act(SurveyAnswered(int(slots["rating"])))
        reply.did(f"recorded a satisfaction score of {slots['rating']}")
        reply.say("survey_thanks")
        self.escalation.end(reply, "completed")

    def _run_task(self, reply: Reply) -> None:
        self.aftersales.run(reply, self._current_order(reply))

    # ------------------------------------------------------------------ lookups
    def _order_of_item_named(self, reply: Reply, text: str) -> Order | None:
        """The order a known caller means by naming what is in it, asked which order ("no, the
        sneakers"): the one order of theirs holding it, or the one offered if several do."""
        customer = self._customer(reply.state)
        if reply.state.phase not in (Phase.SUGGEST_ORDER, Phase.ORDER_NUMBER) or not customer:
            return None
        words = normalize(text)
        holding = [order for order in self.orders.orders_for(customer)
                   if items.any_named(order.items, words)]
        offered = [order for order in holding if order.number == reply.state.pending_order]
        return (offered or holding)[0] if len(offered or holding) == 1 else None

    def _customer(self, state: DialogState) -> Customer | None:
        return self.orders.customer_by_phone(state.caller) if state.caller else None

    def _current_order(self, reply: Reply) -> Order:
        number = reply.state.order_number
        order = self.orders.find_order(number) if number else None
        if order is None:
            raise OrderServiceError(f"order {number} disappeared during the call")
        return order


def _free_text_answer(phase: Phase, text: str) -> str | None:
    """The caller's own words as the answer of a phase that takes them: a street only when it
    reads as one (ivr.dialog.addresses), otherwise it is not understood and asked again."""
    if phase not in FREE_TEXT_PHASES:
        return None
    return street_address(text) if phase is Phase.NEW_STREET else text


def _previous_request(reply: Reply) -> str | None:
    """What the caller asked for before what they just said (their answers to the bot's
    questions in between do not count): None when nothing."""
    return next((turn.intent for turn in reversed(reply.caller_turns_before_latest())
                 if turn.intent in ORDER_TASKS or turn.intent in QUESTIONS_WITHOUT_AN_ORDER),
                None)
