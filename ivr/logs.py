"""Log lines: plain text for people (the default) or one JSON object per line for a collector
(IVR_LOG_FORMAT=json), with the call's SID as a field and no full phone or card number in
either.

The SID comes from `bind_call` (the web layer binds each Twilio webhook's CallSid for the
length of the request) or from the message itself, which by house style starts "call CA…:".
"""

from __future__ import annotations

import json
import logging
import re
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any

from ivr.config import LogFormat
from ivr.store.redact import redact_log_line

TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"
_current_call: ContextVar[str | None] = ContextVar("ivr_call_sid", default=None)
_CALL_IN_MESSAGE = re.compile(r"\bcall (CA\w+)")
_STANDARD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "call_sid"}


def bind_call(call_sid: str | None) -> Token[str | None]:
    """Lines logged from here on (same thread or task) carry this call's SID, until
    `unbind_call` with the token returned."""
    return _current_call.set(call_sid)


def unbind_call(token: Token[str | None]) -> None:
    _current_call.reset(token)


class Redacting(logging.Filter):
    """Renders each record's message once, without full phone or card numbers, and finds the
    call it is about."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = redact_log_line(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info or record.exc_text:  # another handler may have rendered it first
            record.exc_text = redact_log_line(
                record.exc_text or logging.Formatter().formatException(record.exc_info))  # type: ignore[arg-type]
        if not getattr(record, "call_sid", None):
            found = _CALL_IN_MESSAGE.search(message)
            record.call_sid = _current_call.get() or (found.group(1) if found else None)
        return True


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, call_sid, the `extra` fields, and the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if call_sid := getattr(record, "call_sid", None):
            entry["call_sid"] = call_sid
        for key, value in vars(record).items():
            if key not in _STANDARD_FIELDS and not key.startswith("_"):
                entry[key] = value
        if record.exc_text or record.exc_info:
            entry["traceback"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(entry, default=str)


def log_handler(log_format: str) -> logging.Handler:
    """Standard error, redacted, in the format asked for."""
    handler = logging.StreamHandler()
    handler.addFilter(Redacting())
    handler.setFormatter(JsonFormatter() if LogFormat(log_format) is LogFormat.JSON
                         else logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(log_format: LogFormat, level: int = logging.INFO) -> None:
    """One handler on the root logger that every logger uses."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(log_handler(log_format))
    root.setLevel(level)


def gunicorn_logging(log_format: LogFormat) -> dict[str, Any]:
    """gunicorn's `logconfig_dict`: its error and access lines go through the same handler as
    ours, so a JSON log is JSON throughout."""
    quiet = {"level": "INFO", "handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": "INFO", "handlers": ["ivr"]},
        "loggers": {"gunicorn.error": quiet, "gunicorn.access": quiet},
        "handlers": {"ivr": {"()": log_handler, "log_format": str(log_format)}},
    }
