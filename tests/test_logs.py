"""Log lines in text or JSON: the call's SID as a field, `extra` fields kept, and no full phone
or card number in either format."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator

import pytest

from ivr.config import LogFormat
from ivr.logs import bind_call, gunicorn_logging, log_handler, unbind_call

Captured = tuple[logging.Logger, io.StringIO]


@pytest.fixture
def captured() -> Iterator[Captured]:
    """A logger of the test's own, writing only into a buffer."""
    logger = logging.getLogger("ivr.test_logs")
    logger.propagate, logger.level = False, logging.INFO
    yield logger, io.StringIO()
    for handler in list(logger.handlers):
        logger.removeHandler(handler)


def attach(logger: logging.Logger, out: io.StringIO, log_format: LogFormat) -> None:
    handler = log_handler(str(log_format))
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(out)
    logger.addHandler(handler)


def test_json_lines_carry_the_call_and_the_event_fields(captured: Captured) -> None:
    logger, out = captured
    attach(logger, out, LogFormat.JSON)
    logger.warning("call %s: transferred after %d failures", "CA123", 3,
                   extra={"reason": "no_match"})
    token = bind_call("CA999")
    logger.info("order system slow")
    unbind_call(token)
    logger.info("no call here")
    first, second, third = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["message"] == "call CA123: transferred after 3 failures"
    assert (first["level"], first["logger"], first["call_sid"]) == ("WARNING", "ivr.test_logs",
                                                                   "CA123")
    assert first["reason"] == "no_match" and first["time"].endswith("+00:00")
    assert second["call_sid"] == "CA999"
    assert "call_sid" not in third


@pytest.mark.parametrize("log_format", list(LogFormat))
def test_no_full_phone_or_card_number_in_either_format(captured: Captured,
                                                       log_format: LogFormat) -> None:
    logger, out = captured
    attach(logger, out, log_format)
    logger.info("callback for %s, card %s, at 2026-12-05 10:00 from 192.168.100.200",
                "+15550100001", "4111 1111 1111 1111")
    try:
        raise ValueError("caller +447700900123 said 4111111111111111")
    except ValueError:
        logger.exception("call CA1: failed")
    text = out.getvalue()
    for secret in ("+15550100001", "4111 1111 1111 1111", "+447700900123", "4111111111111111"):
        assert secret not in text
    assert "***0001" in text and "[card]" in text and "***0123" in text
    assert "2026-12-05 10:00" in text and "192.168.100.200" in text  # not phone numbers


def test_gunicorns_lines_go_through_the_same_handler() -> None:
    config = gunicorn_logging(LogFormat.JSON)
    assert config["loggers"]["gunicorn.access"]["handlers"] == []
    assert config["loggers"]["gunicorn.access"]["propagate"] is True
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        logging.config.dictConfig(config)
        [handler] = root.handlers
        assert isinstance(handler.formatter, logging.Formatter)
        assert type(handler.formatter).__name__ == "JsonFormatter"
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
