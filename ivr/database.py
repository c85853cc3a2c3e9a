"""Opening the one SQLite file that the order system and the call store share."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ivr.errors import DatabaseError


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) a SQLite file in WAL mode, or explain why it cannot be.

    WAL lets the dashboard read while calls write; autocommit (isolation_level=None) means every
    statement outside an explicit transaction is committed when it returns. synchronous=NORMAL
    is SQLite's advice for WAL: a commit survives the process crashing at any point and is
    never half-applied; only a power cut or kernel crash can lose the last commits, and it
    saves an fsync per write (webhook throughput +10 %, BENCHMARKS.md).
    """
    try:
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA busy_timeout=5000")
        connection.row_factory = sqlite3.Row
    except (sqlite3.Error, OSError) as exc:
        raise DatabaseError(
            f"cannot open the database {path}: {exc}. Check IVR_DATABASE_URL and that the "
            "folder exists and is writable."
        ) from exc
    return connection
