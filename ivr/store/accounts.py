"""Console accounts (agents and supervisors), login attempts and the audit log.

Passwords are stored as scrypt hashes (ivr.store.passwords). Failed logins are counted per
name and per address, so guessing is slowed down whichever of the two an attacker varies.
Every view of a transcript or of customer data is written to `audit_log`: who, when, what.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ivr.errors import DatabaseError, IvrError
from ivr.store.base import Store
from ivr.store.passwords import DUMMY_HASH, hash_password, verify_password

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,39}")
MIN_PASSWORD_LENGTH = 10
LOCKOUT_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_NAME = 5
"""Wrong passwords for one name (since its last good login) within the window."""
MAX_FAILURES_PER_ADDRESS = 20
"""Wrong passwords from one address, whatever the name, within the window."""


class AccountError(IvrError):
    """An account cannot be created or changed as asked; the message says why."""


class Role(StrEnum):
    """What a console user may see: agents work calls, supervisors also see the dashboard."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"


@dataclass(frozen=True)
class Agent:
    """A console user."""

    name: str
    role: Role
    created_at: str
    disabled: bool

    @property
    def supervisor(self) -> bool:
        return self.role is Role.SUPERVISOR


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    at: str
    agent: str
    action: str
    subject: str
    address: str


class AccountStore(Store):
    """Agents, their login attempts and the audit log."""


    def add(self, name: str, password: str, role: Role) -> Agent:
        if not NAME_PATTERN.fullmatch(name):
            raise AccountError(f"{name!r} is not a usable name: use 2-40 letters, digits, "
                               "dots, dashes or underscores, starting with a letter or digit")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
        hashed = hash_password(password)
        now = self._now()
        with self._write() as db:
            if db.execute("SELECT 1 FROM agents WHERE name = ?", (name,)).fetchone():
                raise AccountError(f"an account named {name!r} exists already")
            db.execute("INSERT INTO agents (name, password_hash, role, created_at) "
                       "VALUES (?, ?, ?, ?)", (name, hashed, str(role), now))
        return Agent(name, role, now, disabled=False)

    def disable(self, name: str) -> None:
        """Stop an account from logging in (its audit history stays)."""
        if not self._execute("UPDATE agents SET disabled_at = ? WHERE name = ? "
                             "AND disabled_at IS NULL", self._now(), name):
            raise AccountError(f"no active account named {name!r}")

    def get(self, name: str) -> Agent | None:
        row = self._one("SELECT * FROM agents WHERE name = ?", name)
        if row is None:
            return None
        return Agent(row["name"], Role(row["role"]), row["created_at"],
                     row["disabled_at"] is not None)

    def all(self) -> list[Agent]:
        rows = self._all("SELECT name FROM agents ORDER BY name")
        return [agent for row in rows if (agent := self.get(row["name"])) is not None]

    def authenticate(self, name: str, password: str, address: str) -> Agent | None:
        """The agent if the password is right and the account active; every attempt is kept."""
        row = self._one("SELECT password_hash, disabled_at FROM agents WHERE name = ?", name)
        stored = row["password_hash"] if row else DUMMY_HASH
        good = verify_password(password, stored) and row is not None and not row["disabled_at"]
        self._execute("INSERT INTO login_attempts (name, address, at, succeeded) "
                      "VALUES (?, ?, ?, ?)", name, address, self._now(), int(good))
        return self.get(name) if good else None

    def locked_out(self, name: str, address: str) -> bool:
        """Too many recent failures for this name or from this address: refuse to check more."""
        since = (datetime.fromisoformat(self._now()) - LOCKOUT_WINDOW).isoformat()
        by_name = self._one(
            "SELECT COUNT(*) AS n FROM login_attempts WHERE name = ? AND succeeded = 0 "
            "AND at > ? AND at > COALESCE((SELECT MAX(at) FROM login_attempts "
            "WHERE name = ? AND succeeded = 1), '')", name, since, name)
        by_address = self._one(
            "SELECT COUNT(*) AS n FROM login_attempts WHERE address = ? AND succeeded = 0 "
            "AND at > ?", address, since)
        return bool((by_name and by_name["n"] >= MAX_FAILURES_PER_NAME)
                    or (by_address and by_address["n"] >= MAX_FAILURES_PER_ADDRESS))

    def session_secret(self) -> str:
        """The key that signs console sessions: made once, then shared by every server on
        this database (whichever made it first)."""
        self._execute("INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?) "
                      "ON CONFLICT DO NOTHING", "console-session", secrets.token_urlsafe(48),
                      self._now())
        row = self._one("SELECT value FROM server_secrets WHERE name = ?", "console-session")
        if row is None:
            raise DatabaseError("the console session key could not be stored")
        return str(row["value"])

    def audit(self, agent: str, action: str, subject: str = "", address: str = "") -> None:
        self._execute("INSERT INTO audit_log (at, agent, action, subject, address) "
                      "VALUES (?, ?, ?, ?, ?)", self._now(), agent, action, subject, address)

    def audit_entries(self, limit: int = 500) -> list[AuditEntry]:
        rows = self._all("SELECT at, agent, action, subject, address FROM audit_log "
                         "ORDER BY id DESC LIMIT ?", limit)
        return [AuditEntry(r["at"], r["agent"], r["action"], r["subject"], r["address"])
                for r in rows]
