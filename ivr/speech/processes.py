"""Worker processes for the engines that must not run in the server's process (espeak-ng
hangs, PocketSphinx holds the GIL): started with `spawn`, so a child never inherits a copy of
the server's threads, sockets or locks, and talked to over a pipe."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess


def spawn_worker(target: Callable[[Connection], None], name: str) -> tuple[Connection,
                                                                           BaseProcess]:
    """A daemon process running `target(its end of the pipe)`, and our end of the pipe."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=target, args=(theirs,), daemon=True, name=name)
    process.start()
    theirs.close()
    return ours, process


def stop_worker(connection: Connection, process: BaseProcess) -> None:
    connection.close()
    process.kill()
    process.join(timeout=5)
