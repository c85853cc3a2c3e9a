"""The databases the tests use: a real PostgreSQL server they start themselves (`initdb` into a
temporary folder, a free port on 127.0.0.1, its socket in the same folder; as root, as in CI, it
runs as the `postgres` user, since PostgreSQL refuses to run as root), and a reader that sees
what another process would."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg

from ivr.database import open_database

USER = "ivr"
PASSWORD = "test-password"


def postgres_bin() -> Path:
    """Debian's newest PostgreSQL programs (`scripts/dev test` installs `postgresql`)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda path: int(Path(path).parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql "
                           "(scripts/dev test does)")
    return Path(found[-1]).parent


class PostgresServer:
    """One throwaway cluster; `new_database()` gives each test its own database."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="ivr-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self._bin = postgres_bin()
        self._owner: pwd.struct_passwd | None = pwd.getpwnam("postgres") if os.getuid() == 0 \
            else None
        if self._owner:
            os.chown(self.folder, self._owner.pw_uid, self._owner.pw_gid)
        password_file = self.folder / "password"
        password_file.write_text(PASSWORD)
        if self._owner:
            os.chown(password_file, self._owner.pw_uid, self._owner.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", USER, "--pwfile", str(password_file),
                  "-A", "scram-sha-256", "-E", "UTF8", "--no-sync")
        self.start()

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.folder / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres", password: str = PASSWORD) -> str:
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def close(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self._bin / program), *args]
        if self._owner:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60, cwd=self.folder)


def raw_rows(database_url: str, sql: str) -> list[tuple[object, ...]]:
    """Rows read through a connection of their own, as a restarted process would read them."""
    db = open_database(database_url)
    try:
        return [tuple(row) for row in db.query(sql)]
    finally:
        db.close()


def failures_running_together(start: Callable[[], object], count: int = 4) -> list[BaseException]:
    """What `count` threads calling `start` at once raised, as servers starting together."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
