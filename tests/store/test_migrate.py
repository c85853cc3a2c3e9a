"""Versioned migrations on both databases: a new database gets them all, an old one is upgraded
in place with its data, a newer one is refused, servers starting together apply each once."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.database import SqliteDatabase, open_database
from ivr.errors import DatabaseError
from ivr.store import migrate, open_store
from ivr.store.calls import CallStore
from ivr.store.migrate import Migration, migrations, schema_version, upgrade
from tests.databases import PostgresServer, failures_running_together, raw_rows


def test_a_new_database_gets_every_migration_once(database_url: str) -> None:
    db = open_database(database_url)
    try:
        assert [m.version for m in upgrade(db)] == [m.version for m in migrations()]
        assert upgrade(db) == []
        assert schema_version(db) == migrations()[-1].version
    finally:
        db.close()
    versions = raw_rows(database_url, "SELECT version FROM schema_migrations ORDER BY version")
    assert versions == [(m.version,) for m in migrations()]


def test_a_database_made_before_migrations_is_upgraded_with_its_calls(db_path: Path) -> None:
    old = SqliteDatabase(db_path)  # the tables as ivr created them before versioned migrations
    old.script(migrations()[0].sql)
    CallStore(old).open_call("CAold", "+15550100001", "stream")
    old.close()
    db = open_store(f"sqlite:///{db_path}")
    try:
        record = CallStore(db).call("CAold")
        assert record is not None and record.caller == "+15550100001"
        assert schema_version(db) == migrations()[-1].version
    finally:
        db.close()


def test_a_database_of_a_newer_ivr_is_refused_with_what_to_do(database_url: str) -> None:
    db = open_store(database_url)
    try:
        db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                   9999, "from_the_future", "2030-01-01T00:00:00.000+00:00")
    finally:
        db.close()
    with pytest.raises(DatabaseError, match=r"version 9999, newer than this ivr knows.*"
                                            r"Run that version"):
        open_store(database_url)


def test_a_failing_migration_leaves_nothing_half_done(database_url: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    broken = Migration(9000, "broken", "CREATE TABLE half_done (x TEXT);\nNOT SQL AT ALL;\n")
    monkeypatch.setattr(migrate, "migrations", lambda: [*migrations(), broken])
    db = open_database(database_url)
    try:
        with pytest.raises(DatabaseError):
            upgrade(db)
        assert schema_version(db) == 0  # the good migrations of that run rolled back too
        with pytest.raises(DatabaseError):
            db.query("SELECT * FROM half_done")
    finally:
        db.close()


def test_servers_starting_together_apply_each_migration_once(postgres: PostgresServer) -> None:
    url = postgres.new_database()
    assert failures_running_together(lambda: open_store(url).close()) == []
    versions = raw_rows(url, "SELECT version FROM schema_migrations ORDER BY version")
    assert versions == [(m.version,) for m in migrations()]
