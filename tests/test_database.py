"""PostgreSQL faults: an unreachable server or a wrong password stops the start with what to
fix, and a server that goes away and comes back is used again without a restart."""

from __future__ import annotations

import pytest

from ivr.errors import DatabaseError
from ivr.store import open_store
from ivr.store.calls import CallStore
from tests.databases import PostgresServer


def test_an_unreachable_server_is_named_with_the_variable(postgres: PostgresServer) -> None:
    url = postgres.url().replace(f":{postgres.port}/", ":1/")
    with pytest.raises(DatabaseError, match=r"IVR_DATABASE_URL.*Check that PostgreSQL runs"):
        open_store(url)


def test_a_wrong_password_says_so_without_showing_it(postgres: PostgresServer) -> None:
    with pytest.raises(DatabaseError, match=r"password.*Check the user and password") as error:
        open_store(postgres.url(password="not-the-password"))
    assert "not-the-password" not in str(error.value)
    assert "ivr:***@127.0.0.1" in str(error.value)


def test_a_lost_database_fails_writes_clearly_and_is_used_again_once_back(
    own_postgres: PostgresServer
) -> None:
    db = open_store(own_postgres.new_database())
    store = CallStore(db)
    try:
        store.open_call("CA1", "", "stream")
        own_postgres.stop()
        with pytest.raises(DatabaseError):
            store.add_turn("CA1", "caller", "where is my order")
        own_postgres.start()
        store.add_turn("CA1", "caller", "where is my order")
        assert [row["text"] for row in store.turns("CA1")] == ["where is my order"]
    finally:
        db.close()
