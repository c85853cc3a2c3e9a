"""The plumbing every store shares: one SQLite connection used by the server's threads, a lock
serialising them (WAL lets readers in meanwhile), short transactions, and database errors turned
into DatabaseError so a failed write is reported instead of half-done."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources

from ivr.errors import DatabaseError


def utc_now() -> str:
    """Timestamps are ISO-8601 UTC strings: they sort as text and compare across time zones."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Store:
    """A set of tables created from one schema file of this package."""

    schema = ""
    """The .sql file (in ivr/store) with this store's CREATE TABLE IF NOT EXISTS statements;
    empty for a store that only reads tables others create."""

    def __init__(self, connection: sqlite3.Connection,
                 clock: Callable[[], str] = utc_now) -> None:
        self._db = connection
        self._lock = threading.Lock()
        self._now = clock
        if self.schema:
            self._create_tables()

    def _create_tables(self) -> None:
        script = resources.files("ivr.store").joinpath(self.schema).read_text()
        try:
            with self._lock:
                self._db.executescript(script)
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot create the tables of {self.schema}: {exc}") from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction under the lock; a database error becomes a DatabaseError."""
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise DatabaseError(f"the database could not be written: {exc}") from exc

    def _execute(self, sql: str, *args: object) -> int:
        """One statement in its own transaction; the number of rows it changed."""
        with self._write() as db:
            return db.execute(sql, args).rowcount

    def _one(self, sql: str, *args: object) -> sqlite3.Row | None:
        rows = self._all(sql, *args)
        return rows[0] if rows else None

    def _all(self, sql: str, *args: object) -> list[sqlite3.Row]:
        try:
            with self._lock:
                return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise DatabaseError(f"the database could not be read: {exc}") from exc
