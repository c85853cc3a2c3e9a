"""KeyCollector: single key presses (as media streams deliver them) → one complete entry.

The dialog wants a whole entry ("48213#", "1"). An entry is complete when the finishing key #
is pressed, when as many keys as the question expects have arrived, or when the caller has
paused for `pause_ms` (measured on the call's audio clock, so replay behaves like a live call).
"""

from __future__ import annotations

DEFAULT_PAUSE_MS = 3000
"""How long a caller may pause between keys of one entry (order numbers are read off paper)."""


class KeyCollector:
    """Collects keys for the current question."""

    def __init__(self, pause_ms: int = DEFAULT_PAUSE_MS) -> None:
        self.pause_ms = pause_ms
        self.expected = 0
        self._keys = ""
        self._last_ms = 0

    def expect(self, count: int) -> None:
        """A new question: `count` keys make a complete answer (0: until # or a pause)."""
        self.expected = count

    @property
    def pending(self) -> bool:
        return bool(self._keys)

    def press(self, key: str, now_ms: int) -> str | None:
        """Add one key; the entry if it is now complete."""
        self._keys += key
        self._last_ms = now_ms
        finished = key == "#" or (self.expected and len(self._keys) >= self.expected)
        return self._take() if finished else None

    def tick(self, now_ms: int) -> str | None:
        """The entry if the caller has stopped pressing keys."""
        if self._keys and now_ms - self._last_ms >= self.pause_ms:
            return self._take()
        return None

    def _take(self) -> str:
        entry, self._keys = self._keys, ""
        return entry
