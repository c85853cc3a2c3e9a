"""What a request gets when the database fails under it: a caller is handed to people with
TwiML that needs no database, a console user is told to try again (503). Nothing answers with
a Python trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, request

from ivr.errors import DatabaseError
from ivr.web.app_state import current_app_state
from ivr.web.handoff import to_people_without_records, xml

log = logging.getLogger(__name__)


def register_fault_handlers(app: Flask) -> None:
    app.register_error_handler(DatabaseError, _database_failed)


def _database_failed(error: DatabaseError) -> Response:
    if request.path.startswith("/twilio/"):
        log.error("call %s: %s %s: the database failed, handing the caller to people: %s",
                  request.form.get("CallSid", "?"), request.method, request.path, error)
        return xml(to_people_without_records(current_app_state()))
    log.error("%s %s: the database failed: %s", request.method, request.path, error)
    return Response("The database cannot be reached just now; try again in a moment.\n", 503,
                    mimetype="text/plain")
