"""OutboundAudio: the bot's audio to Twilio, paced in real time on its own thread.

Twilio plays whatever it is sent, in order, buffering the rest. We keep a short lead
(`lead_ms`, 300 ms) in Twilio's buffer and hold the remainder ourselves: the lead rides out a
busy server's scheduling jitter (with 100 ms, 20 concurrent calls heard an occasional
30-60 ms gap), while a barge-in still drops the unplayed prompt at once (our queue plus a
`clear` for Twilio's buffer) and marks report what the caller has actually heard. Sending
runs on a thread per stream: a slow recogniser on the receiving side never starves the
caller's audio, and the sender's own lateness is measured (`underrun_ms`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ivr.speech.codec import FRAME_MS, PHONE_FRAME_BYTES
from ivr.telephony.media_stream import clear_message, mark_message, media_message

log = logging.getLogger(__name__)
FRAME_S = FRAME_MS / 1000


@dataclass(frozen=True)
class _Mark:
    name: str


class OutboundAudio:
    """Queues μ-law and marks for one stream and sends them no faster than real time."""

    def __init__(self, send: Callable[[str], None], stream_sid: str, lead_ms: int = 300,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._send = send
        self._sid = stream_sid
        self._lead_s = lead_ms / 1000
        self._clock = clock
        self._queue: deque[bytes | _Mark] = deque()
        self._wake = threading.Condition()
        self._buffer_end = 0.0
        """When Twilio will have played everything sent so far (our clock)."""
        self._closed = False
        self.frames_sent = 0
        self.underrun_ms = 0.0
        """Total time Twilio's buffer ran dry while we still had audio queued: caller-audible
        gaps caused by us falling behind real time."""
        self.max_underrun_ms = 0.0
        self._thread = threading.Thread(target=self._run, name=f"outbound-{stream_sid[-6:]}",
                                        daemon=True)
        self._thread.start()

    def play(self, ulaw: bytes, mark: str) -> None:
        """Queue a prompt, then a mark Twilio echoes once the caller has heard all of it."""
        with self._wake:
            self._restart_if_idle()
            for offset in range(0, len(ulaw), PHONE_FRAME_BYTES):
                self._queue.append(ulaw[offset:offset + PHONE_FRAME_BYTES])
            self._queue.append(_Mark(mark))
            self._wake.notify()

    def _restart_if_idle(self) -> None:
        """Silence between prompts is not lateness: a prompt queued into an idle stream starts
        its schedule now."""
        if not self._queue:
            self._buffer_end = max(self._buffer_end, self._clock())

    def mark(self, name: str) -> None:
        """A mark after whatever is queued (echoed at once if nothing is)."""
        with self._wake:
            self._queue.append(_Mark(name))
            self._wake.notify()

    def clear(self) -> None:
        """Barge-in: drop queued audio (marks are kept so they still echo) and Twilio's buffer."""
        with self._wake:
            marks = [item for item in self._queue if isinstance(item, _Mark)]
            self._queue.clear()
            self._send(clear_message(self._sid))
            self._buffer_end = self._clock()
            for item in marks:
                self._send(mark_message(self._sid, item.name))

    @property
    def pending_ms(self) -> int:
        """Audio queued here and in Twilio's buffer, not yet heard."""
        with self._wake:
            queued = sum(1 for item in self._queue if isinstance(item, bytes)) * FRAME_MS
            buffered = max(0.0, self._buffer_end - self._clock()) * 1000
        return int(queued + buffered)

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        try:
            self._send_loop()
        except Exception as exc:  # the socket went away: the receiving side ends the call
            log.info("stream %s: outbound audio stopped: %s", self._sid, exc)
            with self._wake:
                self._closed = True
                self._queue.clear()

    def _send_loop(self) -> None:
        with self._wake:
            while not self._closed:
                if not self._queue:
                    self._wake.wait()
                    continue
                now = self._clock()
                ahead = self._buffer_end - now
                if ahead > self._lead_s:
                    self._wake.wait(ahead - self._lead_s)
                    continue
                self._send_next(now)

    def _send_next(self, now: float) -> None:
        item = self._queue.popleft()
        if isinstance(item, _Mark):
            self._send(mark_message(self._sid, item.name))
            return
        if now > self._buffer_end:
            gap_ms = (now - self._buffer_end) * 1000
            self.underrun_ms += gap_ms
            self.max_underrun_ms = max(self.max_underrun_ms, gap_ms)
        self._buffer_end = max(self._buffer_end, now) + len(item) / PHONE_FRAME_BYTES * FRAME_S
        self._send(media_message(self._sid, item))
        self.frames_sent += 1
