"""Per-context artefacts an engine builds once and shares between calls (PocketSphinx's language
models, Vosk's phrase lists).

Building `main`'s takes seconds, so each key is built under a lock of its own: a call that needs
another context never waits for it, and two calls that need the same one build it once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class BuiltOnce(Generic[Key, Value]):
    """Values by key, each built by `build` the first time it is asked for."""

    def __init__(self, build: Callable[[Key], Value]) -> None:
        self._build = build
        self._values: dict[Key, Value] = {}
        self._locks: dict[Key, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Key) -> Value:
        with self._lock:
            building = self._locks.setdefault(key, threading.Lock())
        with building:
            if key not in self._values:
                self._values[key] = self._build(key)
            return self._values[key]
