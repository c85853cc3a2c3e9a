"""StreamHandler: one Twilio media WebSocket around one VoiceCall.

Inbound messages drive the call (audio frames, single keys, marks, stop); the call's outputs
become outbound messages (paced prompt audio with a mark after each prompt, `clear` on
barge-in). When the dialog transfers or ends the call, the handler lets the last prompt play out
(an `end` mark), then asks the transport to close the socket so Twilio moves on to the
<Connect action> URL, where the stored call state decides the next TwiML.

Bad input never raises out of here: malformed messages are logged and skipped, and too many of
them, or a stream that never starts, end the stream (the caller then reaches a person through
/twilio/connect).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import StrEnum

from ivr.call.voice import Output, Play, StopPlaying, VoiceCall
from ivr.events import EndCall, Transfer
from ivr.telephony.annotations import ANNOTATE, annotation_mark
from ivr.telephony.media_stream import (
    Connected,
    DtmfDigit,
    InboundMessage,
    MarkEcho,
    Media,
    ProtocolError,
    Start,
    Stop,
    parse,
)
from ivr.telephony.outbound import OutboundAudio

log = logging.getLogger(__name__)

END_MARK = "end"
MAX_BAD_MESSAGES = 20
"""Malformed messages tolerated on one stream before we stop listening to it."""
START_TIMEOUT_S = 10.0
"""A socket that has not sent `start` by then is not Twilio, or Twilio has given up."""
END_GRACE_S = 5.0
"""Beyond the remaining prompt audio, how long to wait for the `end` mark before closing."""


class Phase(StrEnum):
    WAITING = "waiting"
    """Socket open; no valid `start` yet."""
    LIVE = "live"
    ENDING = "ending"
    """The dialog is over; the last prompt is playing."""
    CLOSED = "closed"


Admit = Callable[[Start], VoiceCall | None]
"""Checks a `start` (token, call state) and returns the call to drive, or None to refuse."""


class StreamHandler:
    """Protocol ⇄ VoiceCall for one socket. Not thread-safe: one receiving thread drives it."""

    def __init__(self, send: Callable[[str], None], admit: Admit,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._send = send
        self._admit = admit
        self._clock = clock
        self.phase = Phase.WAITING
        self.call: VoiceCall | None = None
        self.outbound: OutboundAudio | None = None
        self.call_sid = ""
        self._opened = clock()
        self._end_deadline = 0.0
        self._prompts = 0
        self._bad = 0
        self.annotate = False
        """Replay mode (asked for by a signed /twilio/voice): marks also carry what the bot
        heard and did, so `ivr replay --server` can check the same expectations as in-process."""
        self._turns_annotated = 0

    @property
    def closed(self) -> bool:
        return self.phase is Phase.CLOSED

    def receive(self, text: str | bytes) -> None:
        """One inbound WebSocket frame."""
        try:
            message = parse(text)
        except ProtocolError as exc:
            self._bad_message(str(exc))
            return
        if message is not None:
            self._dispatch(message)

    def idle(self) -> None:
        """Called when no message arrived for a while: enforce the start and end deadlines."""
        now = self._clock()
        if self.phase is Phase.WAITING and now - self._opened > START_TIMEOUT_S:
            log.warning("media stream: no valid start after %.0f s; closing", START_TIMEOUT_S)
            self.close()
        elif self.phase is Phase.ENDING and now > self._end_deadline:
            self.close()

    def disconnected(self) -> None:
        """The socket went away without `stop`. The caller may still be on the line: the call
        is recorded as handed to people, and if Twilio posts /twilio/connect they get there."""
        if self.call and self.phase is Phase.LIVE:
            log.warning("call %s: media stream dropped mid-call", self.call_sid)
            self.call.line_dropped()
        self.close()

    def close(self) -> None:
        if self.phase is Phase.CLOSED:
            return
        self.phase = Phase.CLOSED
        if self.outbound:
            self.outbound.close()
        if self.call:
            self.call.close()

    # ------------------------------------------------------------ inbound
    def _dispatch(self, message: InboundMessage) -> None:
        match message:
            case Connected():
                pass
            case Start():
                self._start(message)
            case Stop():
                self._stop()
            case _ if self.call is None or self.phase is Phase.CLOSED:
                self._bad_message(f"{type(message).__name__} before a valid start")
            case Media():
                self._deliver(self.call.audio(message.payload))
            case DtmfDigit():
                self._deliver(self.call.key(message.digit))
            case MarkEcho():
                self._mark_played(message.name)

    def _start(self, start: Start) -> None:
        if self.phase is not Phase.WAITING:
            self._bad_message("a second start on the same stream")
            return
        call = self._admit(start)
        if call is None:
            log.warning("call %s: media stream refused (bad or reused token)", start.call_sid)
            self.close()
            return
        self.call, self.call_sid, self.phase = call, start.call_sid, Phase.LIVE
        self.annotate = start.custom_parameters.get(ANNOTATE) == "1"
        self.outbound = OutboundAudio(self._send, start.stream_sid)
        self._deliver(call.start())

    def _stop(self) -> None:
        if self.call and self.phase is Phase.LIVE:
            self.call.hangup()
        self.close()

    def _mark_played(self, name: str) -> None:
        if name == END_MARK and self.phase is Phase.ENDING:
            self.close()
        elif self.call and name == f"prompt-{self._prompts}":
            self.call.prompt_finished()

    def _bad_message(self, problem: str) -> None:
        self._bad += 1
        log.warning("call %s: media stream message ignored: %s", self.call_sid or "?", problem)
        if self._bad >= MAX_BAD_MESSAGES:
            log.warning("call %s: too many bad messages; closing the stream", self.call_sid)
            self.close()

    # ------------------------------------------------------------ outbound
    def _deliver(self, outputs: list[Output]) -> None:
        assert self.outbound is not None
        if self.annotate:
            self._annotate(outputs)
        for output in outputs:
            match output:
                case Play():
                    self._prompts += 1
                    self.outbound.play(output.ulaw, f"prompt-{self._prompts}")
                case StopPlaying():
                    self.outbound.clear()
                case Transfer() | EndCall():
                    self._finish()

    def _annotate(self, outputs: list[Output]) -> None:
        """Replay mode: what the bot heard and decided goes out ahead of the prompt audio, as
        the dialog knows it the moment it acts (a caller can barge in on that prompt)."""
        assert self.outbound is not None and self.call is not None
        for turn in self.call.turns[self._turns_annotated:]:
            self.outbound.mark(annotation_mark(turn))
        self._turns_annotated = len(self.call.turns)
        for output in outputs:
            if not isinstance(output, Play | StopPlaying):
                self.outbound.mark(annotation_mark(output))

    def _finish(self) -> None:
        """The dialog is over: close once the caller has heard the last prompt."""
        assert self.outbound is not None
        self.phase = Phase.ENDING
        self.outbound.mark(END_MARK)
        self._end_deadline = self._clock() + self.outbound.pending_ms / 1000 + END_GRACE_S
