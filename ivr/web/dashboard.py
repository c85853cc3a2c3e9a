"""The supervisors' pages: the dashboard over a date range, its CSV export, and the audit log.

Charts are drawn on the server as inline SVG: the page needs no script, no chart library and
nothing from another server, and prints as it looks.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue

from ivr.store.dashboard import Figures
from ivr.web.app_state import current_app_state
from ivr.web.auth import audit, login_required, protect
from ivr.web.formatting import label

dashboard = Blueprint("dashboard", __name__, url_prefix="/console", template_folder="templates")
protect(dashboard)

DEFAULT_DAYS = 7
MAX_DAYS = 366
TASK_CONTEXT = "main"
"""The grammar context whose intents are the tasks callers ask for (the intent mix)."""
CSV_COLUMNS = ("call_sid", "started_at", "outcome", "transfer_reason", "seconds_in_bot",
               "seconds_in_queue", "reached_agent", "survey", "disposition")


@dashboard.get("/dashboard")
@login_required(supervisor=True)
def overview() -> ResponseReturnValue:
    (start, end), problem = date_range()
    figures = _figures(start, end)
    audit("view_dashboard", f"{start}..{end}")
    intents = sorted({i for day in figures.intent_mix.values() for i in day})
    return render_template("console/dashboard.html", f=figures, problem=problem,
                           intents=intents, rows=chart_rows(figures))


@dashboard.get("/dashboard.csv")
@login_required(supervisor=True)
def export() -> ResponseReturnValue:
    (start, end), _ = date_range()
    figures = _figures(start, end)
    audit("export_csv", f"{start}..{end}")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for call in figures.calls:
        writer.writerow([call.sid, call.started_at, call.outcome or "in_progress",
                         call.transfer_reason or "",
                         "" if call.bot_seconds is None else f"{call.bot_seconds:.1f}",
                         "" if call.queue_seconds is None else call.queue_seconds,
                         int(call.reached_agent), call.survey or "", call.disposition or ""])
    filename = f"ivr-calls-{start}-{end}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@dashboard.get("/audit")
@login_required(supervisor=True)
def audit_log() -> ResponseReturnValue:
    entries = current_app_state().accounts.audit_entries()
    audit("view_audit")
    return render_template("console/audit.html", entries=entries)


def chart_rows(figures: Figures) -> dict[str, list[Any]]:
    """The bar charts' rows: (label, value, text shown beside the bar)."""
    outcomes = [(label(name), figures.outcomes[name], str(figures.outcomes[name]))
                for name in ("contained", "transferred", "abandoned", "in_progress")]
    reasons = [(label(reason), count, str(count))
               for reason, count in figures.reasons.most_common()]
    bins = len(figures.confidence_bins)
    return {"outcomes": outcomes, "reasons": reasons,
            "confidence_labels": [f"{i / bins:.1f}" for i in range(bins)]}


def date_range() -> tuple[tuple[date, date], str | None]:
    """The `from`/`to` query (UTC days, both included), or the last week with the reason."""
    today = datetime.now(UTC).date()
    default = (today - timedelta(days=DEFAULT_DAYS - 1), today)
    raw_from, raw_to = request.args.get("from", ""), request.args.get("to", "")
    if not raw_from and not raw_to:
        return default, None
    try:
        start = date.fromisoformat(raw_from) if raw_from else default[0]
        end = date.fromisoformat(raw_to) if raw_to else today
    except ValueError:
        return default, "Dates are written YYYY-MM-DD; showing the last 7 days."
    if end < start:
        return default, "The range ends before it starts; showing the last 7 days."
    if (end - start).days >= MAX_DAYS:
        return default, f"Ranges are at most {MAX_DAYS} days; showing the last 7 days."
    return (start, end), None


def _figures(start: date, end: date) -> Figures:
    app_state = current_app_state()
    tasks = [i.name for i in app_state.bot.grammar.intents_in(TASK_CONTEXT)]
    return app_state.dashboard.figures(start, end, tasks)
