"""Per-key artefacts built once and shared between calls (the matcher's context indexes,
PocketSphinx's language models, Vosk's phrase lists, Whisper's sentence tables).

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
        """The value, built now if need be, or when another thread is building it, once it
        has."""
        building = self._lock_of(key)
        with building:
            return self._built(key)

    def get_unless_building(self, key: Key) -> Value | None:
        """The value (built now if need be), or None while another thread is building it: for
        what a caller can do without rather than wait for, as a call during a server's
        warm-up does without Whisper's grammar search."""
        if key in self._values:  # built: no lock to contend for with other readers
            return self._values[key]
        building = self._lock_of(key)
        if not building.acquire(blocking=False):
            return None
        try:
            return self._built(key)
        finally:
            building.release()

    def building(self, key: Key) -> bool:
        """Whether a thread is building the value now."""
        lock = self._locks.get(key)
        return lock is not None and lock.locked() and key not in self._values

    def built_keys(self) -> frozenset[Key]:
        return frozenset(self._values)

    def _lock_of(self, key: Key) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(key, threading.Lock())

    def _built(self, key: Key) -> Value:
        """Called holding the key's lock."""
        if key not in self._values:
            self._values[key] = self._build(key)
        return self._values[key]
