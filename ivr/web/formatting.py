"""Jinja filters for the console: durations, money, times and labels written for people."""

from __future__ import annotations

from datetime import datetime

from flask import Flask


def duration(seconds: float | None) -> str:
    """90 → "1:30"; 3725 → "1:02:05"; None → "—"."""
    if seconds is None:
        return "—"
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def clock(stamp: str | None) -> str:
    """An ISO timestamp as "2026-11-25 14:03:07 UTC"."""
    if not stamp:
        return "—"
    return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M:%S UTC")


def label(value: object) -> str:
    """Identifiers as words: "track_package" → "track package"."""
    return "—" if value in (None, "") else str(value).replace("_", " ")


def percent(share: float | None) -> str:
    return "—" if share is None else f"{100 * share:.0f}%"


def register_filters(app: Flask) -> None:
    for name, function in (("duration", duration), ("money", money), ("clock", clock),
                           ("label", label), ("percent", percent)):
        app.jinja_env.filters[name] = function
