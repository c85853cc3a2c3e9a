"""The agents' console: the live queue, a call's whole story, closing transfers, callbacks,
tickets.

The queue page renders once on the server and then polls /console/queue.json every second, so
a new transfer shows within two seconds without a reload. What agents see of callers is logged
in the audit log: each page, and each poll whose list of callers changed.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, session
from flask.typing import ResponseReturnValue

from ivr.commerce.models import Order
from ivr.errors import OrderServiceError
from ivr.store.console import ConsoleError, Disposition
from ivr.web.app_state import current_app_state
from ivr.web.auth import audit, current_agent, login_required, protect

log = logging.getLogger(__name__)
console = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")
protect(console)

POLL_MS = 1000


@console.get("/")
@login_required()
def queue() -> ResponseReturnValue:
    entries = current_app_state().console.queue(datetime.now(UTC))
    audit("view_queue", _listing([e.call_sid for e in entries]))
    return render_template("console/queue.html", entries=entries, poll_ms=POLL_MS)


@console.get("/queue.json")
@login_required()
def queue_data() -> ResponseReturnValue:
    entries = current_app_state().console.queue(datetime.now(UTC))
    listing = _listing([e.call_sid for e in entries])
    digest = hashlib.sha256(listing.encode()).hexdigest()[:16]
    if session.get("queue_seen") != digest:
        session["queue_seen"] = digest
        audit("view_queue", listing)
    return jsonify(entries=[e.as_json() for e in entries],
                   waiting=sum(e.state == "waiting" for e in entries))


@console.get("/calls/<sid>")
@login_required()
def call(sid: str) -> ResponseReturnValue:
    app_state = current_app_state()
    try:
        story = app_state.console.story(sid[:64], datetime.now(UTC))
    except ConsoleError:
        abort(404, description="There is no such call in the record.")
    audit("view_call", story.sid)
    order, order_problem = _order(str(story.context.get("order_number") or ""))
    return render_template("console/call.html", story=story, order=order,
                           order_problem=order_problem, dispositions=list(Disposition))


@console.post("/calls/<sid>/close")
@login_required()
def close(sid: str) -> ResponseReturnValue:
    app_state = current_app_state()
    agent = current_agent()
    assert agent is not None  # login_required
    try:
        app_state.console.close(sid[:64], agent.name, request.form.get("disposition", ""),
                               request.form.get("note", ""))
    except ConsoleError as exc:
        flash(str(exc))
        return redirect(f"/console/calls/{sid[:64]}"), 303
    audit("close_transfer", sid[:64])
    flash("Transfer closed.")
    return redirect("/console/"), 303


@console.get("/callbacks")
@login_required()
def callbacks() -> ResponseReturnValue:
    requests = current_app_state().console.callbacks()
    audit("view_callbacks", _listing([r.call_sid for r in requests]))
    return render_template("console/callbacks.html", requests=requests)


@console.post("/callbacks/<sid>/done")
@login_required()
def called_back(sid: str) -> ResponseReturnValue:
    try:
        current_app_state().console.mark_called_back(sid[:64])
    except ConsoleError as exc:
        flash(str(exc))
    else:
        audit("called_back", sid[:64])
    return redirect("/console/callbacks"), 303


@console.get("/tickets")
@login_required()
def tickets() -> ResponseReturnValue:
    listed = current_app_state().console.tickets()
    audit("view_tickets", _listing([t.call_sid for t in listed]))
    return render_template("console/tickets.html", tickets=listed)


@console.post("/tickets/<reference>/close")
@login_required()
def close_ticket(reference: str) -> ResponseReturnValue:
    agent = current_agent()
    assert agent is not None  # login_required
    try:
        current_app_state().console.close_ticket(reference[:32], agent.name,
                                                request.form.get("resolution", ""))
    except ConsoleError as exc:
        flash(str(exc))
    else:
        audit("close_ticket", reference[:32])
        flash(f"Ticket {reference[:32]} closed.")
    return redirect("/console/tickets"), 303


def _order(number: str) -> tuple[Order | None, str | None]:
    """The order the call was about, from the shop's order system (or why it is missing)."""
    if not number:
        return None, None
    try:
        order = current_app_state().bot.orders.find_order(number)
    except OrderServiceError as exc:
        log.warning("console: order system failed for an order lookup: %s", exc)
        return None, "The order system is not answering right now."
    return order, None if order else f"The order system has no order {number}."


def _listing(sids: list[str]) -> str:
    """Which calls a list showed, for the audit line."""
    return ",".join(sids)
