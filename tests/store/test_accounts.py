"""Console accounts: hashed passwords, validation, rate-limited logins, disabling, audit log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ivr.store import open_store
from ivr.store.accounts import (
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_NAME,
    AccountError,
    AccountStore,
    Role,
)
from ivr.store.passwords import DUMMY_HASH, hash_password, verify_password
from tests.databases import raw_rows

PASSWORD = "correct horse battery"


class Clock:
    """A settable clock, so lockout windows can pass without waiting."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    def __call__(self) -> str:
        return self.now.isoformat(timespec="milliseconds")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(database_url: str, clock: Clock) -> Iterator[AccountStore]:
    db = open_store(database_url)
    store = AccountStore(db, clock=clock)
    store.add("alice", PASSWORD, Role.SUPERVISOR)
    store.add("bob", PASSWORD, Role.AGENT)
    yield store
    db.close()


def test_passwords_are_stored_as_salted_scrypt_hashes(
    accounts: AccountStore, database_url: str
) -> None:
    stored = {str(name): str(hashed) for name, hashed in
              raw_rows(database_url, "SELECT name, password_hash FROM agents")}
    assert PASSWORD not in "".join(stored.values())
    assert stored["alice"].startswith("scrypt$") and stored["alice"] != stored["bob"]
    assert verify_password(PASSWORD, stored["alice"])
    assert not verify_password(PASSWORD + "!", stored["alice"])


@pytest.mark.parametrize("stored", ["", "md5$abc", "scrypt$1$2$3$!!$!!", DUMMY_HASH])
def test_a_malformed_or_dummy_hash_never_matches(stored: str) -> None:
    assert verify_password("anything at all", stored) is False


def test_the_same_password_hashes_differently_each_time() -> None:
    assert hash_password(PASSWORD) != hash_password(PASSWORD)


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("x", PASSWORD, "not a usable name"),
        ("<script>", PASSWORD, "not a usable name"),
        ("carol", "short", "at least 10 characters"),
        ("alice", PASSWORD, "exists already"),
    ],
)
def test_bad_accounts_are_refused_with_the_reason(
    accounts: AccountStore, name: str, password: str, message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        accounts.add(name, password, Role.AGENT)


def test_authenticate_checks_the_password_and_keeps_every_attempt(
    accounts: AccountStore, database_url: str
) -> None:
    alice = accounts.authenticate("alice", PASSWORD, "10.0.0.1")
    assert alice is not None and alice.supervisor and alice.role is Role.SUPERVISOR
    assert accounts.authenticate("alice", "wrong password", "10.0.0.1") is None
    assert accounts.authenticate("nobody", PASSWORD, "10.0.0.1") is None
    attempts = raw_rows(database_url, "SELECT name, succeeded FROM login_attempts ORDER BY id")
    assert attempts == [("alice", 1), ("alice", 0), ("nobody", 0)]


def test_a_name_is_locked_after_repeated_failures_until_the_window_passes(
    accounts: AccountStore, clock: Clock
) -> None:
    for attempt in range(MAX_FAILURES_PER_NAME):
        assert not accounts.locked_out("bob", f"10.0.0.{attempt}")
        accounts.authenticate("bob", "guess", f"10.0.0.{attempt}")
        clock.now += timedelta(seconds=10)
    assert accounts.locked_out("bob", "10.9.9.9")  # whatever address it comes from
    assert not accounts.locked_out("alice", "10.9.9.9")
    clock.now += timedelta(minutes=16)
    assert not accounts.locked_out("bob", "10.9.9.9")


def test_a_good_login_clears_the_names_failures(accounts: AccountStore, clock: Clock) -> None:
    for _ in range(MAX_FAILURES_PER_NAME - 1):
        accounts.authenticate("bob", "guess", "10.0.0.1")
        clock.now += timedelta(seconds=1)
    assert accounts.authenticate("bob", PASSWORD, "10.0.0.1") is not None
    clock.now += timedelta(seconds=1)
    accounts.authenticate("bob", "typo", "10.0.0.1")
    assert not accounts.locked_out("bob", "10.0.0.2")


def test_an_address_guessing_many_names_is_locked(accounts: AccountStore, clock: Clock) -> None:
    for attempt in range(MAX_FAILURES_PER_ADDRESS):
        accounts.authenticate(f"user{attempt}", "guess", "203.0.113.7")
        clock.now += timedelta(seconds=1)
    assert accounts.locked_out("alice", "203.0.113.7")
    assert not accounts.locked_out("alice", "198.51.100.1")


def test_a_disabled_account_cannot_log_in(accounts: AccountStore) -> None:
    accounts.disable("bob")
    assert accounts.authenticate("bob", PASSWORD, "10.0.0.1") is None
    bob = accounts.get("bob")
    assert bob is not None and bob.disabled
    with pytest.raises(AccountError, match="no active account"):
        accounts.disable("bob")
    assert [(a.name, a.disabled) for a in accounts.all()] == [("alice", False), ("bob", True)]


def test_audit_entries_newest_first(accounts: AccountStore, clock: Clock) -> None:
    accounts.audit("alice", "view_call", "CA1", "10.0.0.1")
    clock.now += timedelta(seconds=1)
    accounts.audit("bob", "view_queue", "CA1,CA2", "10.0.0.2")
    entries = accounts.audit_entries()
    assert [(e.agent, e.action, e.subject, e.address) for e in entries] == [
        ("bob", "view_queue", "CA1,CA2", "10.0.0.2"),
        ("alice", "view_call", "CA1", "10.0.0.1"),
    ]
    assert entries[0].at == "2026-11-25T09:00:01.000+00:00"
