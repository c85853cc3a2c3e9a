"""The plumbing every store shares: the database (ivr.database), short transactions, and the
clock its timestamps come from."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

from ivr.database import Database, Row, Transaction


def utc_now() -> str:
    """Timestamps are ISO-8601 UTC strings: they sort as text and compare across time zones."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Store:
    """Queries over tables the migrations (ivr.store.migrate) made."""

    def __init__(self, db: Database, clock: Callable[[], str] = utc_now) -> None:
        self._db = db
        self._now = clock

    def _write(self) -> AbstractContextManager[Transaction]:
        """One transaction: all of it is written, or none (a DatabaseError says why)."""
        return self._db.transaction()

    def _execute(self, sql: str, *args: object) -> int:
        """One statement in its own transaction; the number of rows it changed."""
        return self._db.execute(sql, *args)

    def _one(self, sql: str, *args: object) -> Row | None:
        return self._db.query_one(sql, *args)

    def _all(self, sql: str, *args: object) -> list[Row]:
        return self._db.query(sql, *args)
