"""The one layer every table goes through: SQLite embedded by default, PostgreSQL for several
servers sharing one database.

Queries are written once, with `?` placeholders and SQL both databases accept (`INSERT … ON
CONFLICT`, `RETURNING`, `COALESCE`); the PostgreSQL side rewrites the placeholders as psycopg's
`%s`, so no query has a second copy. A `?` must therefore never appear inside a string literal.
Schema scripts are written for SQLite and told apart in one place (`_postgres_ddl`).

Every database error becomes a DatabaseError whose message says what to do, so a failed write is
reported, never half-done: writes run in a transaction that commits whole or not at all.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from ivr.errors import DatabaseError

log = logging.getLogger(__name__)

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
POOL_SIZE = 8
"""PostgreSQL connections per process: a gthread worker's threads share them, and a
transaction holds one only for its few statements."""
CONNECT_TIMEOUT_S = 10.0
"""How long a start waits for the database."""
TURNS_LOCK = 7_311_906
"""The PostgreSQL advisory lock behind `Transaction.take_turns`."""
WAIT_FOR_CONNECTION_S = 2.0
"""How long a statement waits for a pooled connection while the database is away: long
enough to ride out a restart's reconnect, short enough that a caller is handed to a person
instead of hearing silence."""


class Row(Protocol):
    """A result row, read by column name (or position)."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    """What a statement returns: its rows and how many rows it changed."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Transaction(Protocol):
    """Statements inside one transaction (`Database.transaction`)."""

    def execute(self, sql: str, args: Sequence[Any] = (), /) -> Cursor: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]], /) -> None: ...

    def script(self, sql: str) -> None:
        """Several statements without parameters (a schema script), one server at a time."""

    def take_turns(self) -> None:
        """Wait until no other transaction that took turns is running, on any server; for
        work that must happen once (schema changes, seeding a new database)."""


class Database(ABC):
    """A connection (SQLite) or a pool of them (PostgreSQL), safe to share between threads."""

    timed: Callable[[float], None] | None = None
    """Told each transaction's seconds (the server's ivr_database_seconds); set by the server,
    so that this module loads no metrics library: `ivr serve` must choose the metrics' mode
    before one is imported (ivr.web.workers)."""

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A transaction that commits when the block ends and rolls back if it raises; its
        time (waiting for the lock or a connection included) goes to `timed`."""
        started = time.perf_counter()
        try:
            with self._transaction() as db:
                yield db
        finally:
            if self.timed is not None:
                self.timed(time.perf_counter() - started)

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Transaction]: ...

    @abstractmethod
    def close(self) -> None: ...

    def script(self, sql: str) -> None:
        """Several schema statements (no parameters) in one transaction."""
        with self.transaction() as db:
            db.script(sql)

    def query(self, sql: str, *args: object) -> list[Row]:
        with self.transaction() as db:
            rows: list[Row] = db.execute(sql, args).fetchall()
        return rows

    def query_one(self, sql: str, *args: object) -> Row | None:
        rows = self.query(sql, *args)
        return rows[0] if rows else None

    def execute(self, sql: str, *args: object) -> int:
        """One statement in its own transaction; the number of rows it changed."""
        with self.transaction() as db:
            return db.execute(sql, args).rowcount


def open_database(url: str) -> Database:
    """Open the database IVR_DATABASE_URL names: `postgresql://user[:password]@host[:port]/db`,
    or a SQLite file (`sqlite:///path` or a plain path), explaining what to fix if it cannot."""
    if url.startswith(POSTGRES_SCHEMES):
        return PostgresDatabase(url)
    return SqliteDatabase(Path(url.removeprefix("sqlite:///")))


class SqliteDatabase(Database):
    """One SQLite connection in WAL mode, its writes serialised by a lock (readers go on
    meanwhile).

    Autocommit (isolation_level=None) with explicit `BEGIN IMMEDIATE`: a transaction takes the
    write lock at its start, so a read-then-write inside it cannot be overtaken.
    synchronous=NORMAL is SQLite's advice for WAL: a commit survives the process crashing at any
    point and is never half-applied; only a power cut can lose the last commits, and it saves
    an fsync per write.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            if str(path) != ":memory:":
                path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.row_factory = sqlite3.Row
        except (sqlite3.Error, OSError) as exc:
            raise DatabaseError(
                f"cannot open the database {path}: {exc}. Check IVR_DATABASE_URL and that the "
                "folder exists and is writable."
            ) from exc

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield _SqliteTransaction(self._db)
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise DatabaseError(f"the database {self.path} failed: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()


class PostgresDatabase(Database):
    """A psycopg 3 connection pool, its connections checked before use.

    When the database goes away the pool retries with a growing delay, which would keep a
    server failing for as long again after the database is back; so a pool that times out
    while the database answers a direct connection is replaced, and the server carries on
    without a restart.
    """

    def __init__(self, url: str) -> None:
        self._url = url
        self.name = database_label(url)
        _check_connection(url, self.name)  # the pool would only time out, without a reason
        self._renewing = threading.Lock()
        self._pool = self._new_pool()

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        try:
            pool, connection = self._connection()
            try:
                with connection.transaction():
                    yield _PostgresTransaction(connection)
            finally:
                pool.putconn(connection)
        except psycopg.Error as exc:  # PoolTimeout is one too
            raise DatabaseError(f"the database {self.name} failed: {exc}") from exc

    def close(self) -> None:
        self._pool.close()

    def _connection(self) -> tuple[ConnectionPool[Any], Any]:
        pool = self._pool
        try:
            return pool, pool.getconn()
        except PoolTimeout:
            if not _reachable(self._url):
                raise
        with self._renewing:
            if self._pool is pool:
                log.warning("the database %s is back: opening new connections", self.name)
                self._pool = self._new_pool()
                threading.Thread(target=pool.close, name="close-old-pool", daemon=True).start()
        return self._pool, self._pool.getconn()

    def _new_pool(self) -> ConnectionPool[Any]:
        pool: ConnectionPool[Any] = ConnectionPool(
            self._url, min_size=1, max_size=POOL_SIZE, open=False,
            timeout=WAIT_FOR_CONNECTION_S,
            kwargs={"autocommit": True, "row_factory": _postgres_rows,
                    "connect_timeout": int(CONNECT_TIMEOUT_S)},
            check=ConnectionPool.check_connection, name="ivr")
        try:
            pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
        except psycopg.Error as exc:
            pool.close()
            raise DatabaseError(f"cannot connect to the PostgreSQL database {self.name} "
                                f"(IVR_DATABASE_URL): {exc}") from exc
        return pool


class _SqliteTransaction:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def execute(self, sql: str, args: Sequence[Any] = (), /) -> Cursor:
        return self._connection.execute(sql, args)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]], /) -> None:
        self._connection.executemany(sql, rows)

    def take_turns(self) -> None:
        """Nothing to do: BEGIN IMMEDIATE already lets one writing transaction run at a time."""

    def script(self, sql: str) -> None:
        # executescript would commit the open transaction first: one statement at a time.
        statement = ""
        for line in sql.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                self._connection.execute(statement)
                statement = ""
        if any(line.strip() and not line.lstrip().startswith("--")
               for line in statement.splitlines()):
            raise sqlite3.OperationalError(f"incomplete statement: {statement.strip()[:80]}")


class _PostgresTransaction:
    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def execute(self, sql: str, args: Sequence[Any] = (), /) -> Cursor:
        cursor: Cursor = self._connection.execute(_postgres_sql(sql), tuple(args))
        return cursor

    def take_turns(self) -> None:
        self._connection.execute("SELECT pg_advisory_xact_lock(%s)", (TURNS_LOCK,))

    def script(self, sql: str) -> None:
        # Servers starting together would race on CREATE TABLE IF NOT EXISTS.
        self.take_turns()
        self._connection.execute(_postgres_ddl(sql))  # no parameters: several statements run

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]], /) -> None:
        with self._connection.cursor() as cursor:
            cursor.executemany(_postgres_sql(sql), [tuple(row) for row in rows])


class _PostgresRow:
    """Rows read like sqlite3.Row: by name or by position."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: list[str], values: Sequence[Any]) -> None:
        self._names = names
        self._values = values

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, int):
            return self._values[key]
        try:
            return self._values[self._names.index(key)]
        except ValueError:
            raise IndexError(f"no such column: {key}") from None

    def keys(self) -> list[str]:
        return list(self._names)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _postgres_rows(cursor: Any) -> Any:
    names = [column.name for column in cursor.description or ()]
    return lambda values: _PostgresRow(names, values)


@cache
def _postgres_sql(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


_SQLITE_ROWID_KEY = re.compile(r"\bINTEGER PRIMARY KEY\b")


def _postgres_ddl(sql: str) -> str:
    """SQLite's `INTEGER PRIMARY KEY` numbers rows by itself; PostgreSQL's needs an identity."""
    return _SQLITE_ROWID_KEY.sub("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", sql)


def database_label(url: str) -> str:
    """The database URL as logs and messages may show it: without its password."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def _reachable(url: str) -> bool:
    try:
        psycopg.connect(url, connect_timeout=int(WAIT_FOR_CONNECTION_S)).close()
    except psycopg.Error:
        return False
    return True


def _check_connection(url: str, name: str) -> None:
    try:
        psycopg.connect(url, connect_timeout=int(CONNECT_TIMEOUT_S)).close()
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        advice = ("Check the user and password in IVR_DATABASE_URL." if "password" in reason
                  else "Check that PostgreSQL runs and that IVR_DATABASE_URL names it.")
        raise DatabaseError(f"cannot connect to the PostgreSQL database {name} "
                            f"(IVR_DATABASE_URL): {reason}. {advice}") from exc
