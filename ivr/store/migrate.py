"""Versioned schema migrations: `ivr/store/migrations/NNNN_name.sql`, applied in order, each in
one transaction with the row that records it, by `ivr serve` at start and by `ivr db upgrade`.

An old database is upgraded, never dropped; a database a newer ivr has upgraded is refused,
since this code would not know its tables. Servers starting together on one PostgreSQL database
take turns (`Transaction.take_turns`), so each migration runs once.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources

from ivr.database import Database, Transaction
from ivr.errors import DatabaseError
from ivr.store.base import utc_now

log = logging.getLogger(__name__)

_FILE_NAME = re.compile(r"(\d{4})_(\w+)\.sql")


@dataclass(frozen=True)
class Migration:
    """One schema change."""

    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration this code knows, oldest first."""
    found = []
    for entry in resources.files("ivr.store").joinpath("migrations").iterdir():
        if match := _FILE_NAME.fullmatch(entry.name):
            found.append(Migration(int(match[1]), match[2], entry.read_text()))
    return sorted(found, key=lambda migration: migration.version)


def schema_version(db: Database) -> int:
    """The newest migration applied to this database (0: none)."""
    with db.transaction() as transaction:
        return _applied_version(transaction)


def upgrade(db: Database) -> list[Migration]:
    """Apply the migrations the database lacks; the ones applied."""
    known = migrations()
    latest = known[-1].version if known else 0
    applied = []
    with db.transaction() as transaction:
        transaction.take_turns()
        current = _applied_version(transaction)
        if current > latest:
            raise DatabaseError(
                f"the database's schema is version {current}, newer than this ivr knows "
                f"({latest}): a newer ivr has upgraded it. Run that version, or point "
                "IVR_DATABASE_URL at another database.")
        for migration in known:
            if migration.version > current:
                transaction.script(migration.sql)
                transaction.execute("INSERT INTO schema_migrations (version, name, applied_at) "
                                    "VALUES (?, ?, ?)",
                                    (migration.version, migration.name, utc_now()))
                applied.append(migration)
    for migration in applied:
        log.info("database schema upgraded to %04d_%s", migration.version, migration.name)
    return applied


def _applied_version(transaction: Transaction) -> int:
    transaction.script("CREATE TABLE IF NOT EXISTS schema_migrations (\n"
                       "    version INTEGER NOT NULL PRIMARY KEY,\n"
                       "    name TEXT NOT NULL,\n"
                       "    applied_at TEXT NOT NULL\n);\n")
    row = transaction.execute("SELECT MAX(version) AS version FROM schema_migrations").fetchone()
    return int(row["version"] or 0) if row else 0
