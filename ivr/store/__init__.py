"""Persistence of calls, turns, transfers, tickets, surveys, agents and the audit log."""

from __future__ import annotations

from ivr.database import Database, open_database
from ivr.store.migrate import upgrade


def open_store(url: str) -> Database:
    """The database IVR_DATABASE_URL names, its schema upgraded to this code's."""
    db = open_database(url)
    try:
        upgrade(db)
    except BaseException:
        db.close()
        raise
    return db
