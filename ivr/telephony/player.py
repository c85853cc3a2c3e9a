"""Playing Twilio against a running server: `ivr replay CALL.yaml --server URL`.

RemoteCall is the caller's side of a scripted call, spoken over the same wire Twilio uses:
signed form POSTs to /twilio/voice, /twilio/connect and /twilio/status, and the bidirectional
media WebSocket with 20 ms μ-law frames paced in real time (with `fast`, the caller's own
speech is sent as fast as the socket takes it; silences and waits stay real-time so the
server's timers mean what they do on a phone). Marks are echoed when the audio before them
would have finished playing; `clear` drops unplayed bot audio. It offers the same interface as
VoiceCall, so one ScriptRunner checks the same expectations in-process and over the wire (the
server annotates marks with what it heard and did because our /twilio/voice asks, signed).
"""

from __future__ import annotations

import base64
import contextlib
import json
import queue
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import numpy as np
from simple_websocket import Client, ConnectionClosed
from twilio.request_validator import RequestValidator

from ivr.call.voice import CallerTurn, Output, Play, StopPlaying
from ivr.errors import IvrError
from ivr.events import Ask, EndCall, Say, Transfer
from ivr.speech.codec import ulaw_to_pcm
from ivr.telephony.annotations import ANNOTATE, read_annotation
from ivr.telephony.outbound import FRAME_S

SPEECH_RMS = 200.0
"""Frames louder than this are the caller talking (line noise in scripts is far quieter)."""
ANSWER_TIMEOUT_S = 30.0
HTTP_TIMEOUT_S = 30.0


class PlayerError(IvrError):
    """The server did not behave like something Twilio could talk to."""


@dataclass
class Webhooks:
    """Signed Twilio-style form POSTs to one server."""

    base_url: str
    auth_token: str
    public_url: str = ""
    """The URL Twilio signs for, where it is not the server's own address (a load balancer in
    front of several servers); empty: base_url."""

    def post(self, path: str, params: dict[str, str],
             headers: dict[str, str] | None = None) -> tuple[int, str]:
        url = self.base_url.rstrip("/") + path
        signed_for = (self.public_url or self.base_url).rstrip("/") + path
        signature = RequestValidator(self.auth_token).compute_signature(signed_for, params)
        request = urllib.request.Request(
            url, data=urllib.parse.urlencode(params).encode(), method="POST",
            headers={"X-Twilio-Signature": signature, **(headers or {}),
                     "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")
        except OSError as exc:
            raise PlayerError(f"cannot reach {url}: {exc}") from exc


@dataclass
class _Playout:
    """The bot's audio as the caller's phone would play it (wall clock)."""

    until: float = 0.0
    pending_marks: list[tuple[float, str]] = field(default_factory=list)


class RemoteCall:
    """One call played against a server, driven like a VoiceCall."""

    def __init__(self, webhooks: Webhooks, caller: str, fast: bool = False,
                 final_status: bool = True) -> None:
        self.webhooks = webhooks
        self.caller = caller
        self.fast = fast
        self.final_status = final_status
        """Post the `completed` status callback at the end (off: the caller stays queued)."""
        self.call_sid = "CA" + uuid.uuid4().hex
        self.stream_sid = "MZ" + uuid.uuid4().hex
        self.turns: list[CallerTurn] = []
        self.bot_audio = bytearray()
        self.latencies_ms: list[float] = []
        """Caller's last speech frame → first bot audio frame after it, per turn."""
        self.gaps_ms: list[float] = []
        """Silences inside a prompt: the server's audio fell behind real time."""
        self._prompt_begun = False
        self.after_stream = ""
        """The TwiML /twilio/connect answered when the stream ended."""
        self._outcome: str | None = None
        self._ws: Client | None = None
        self._inbox: queue.Queue[str | None] = queue.Queue()
        self._frames = 0
        self._clock_start = 0.0
        self._playout = _Playout()
        self._last_speech_at: float | None = None
        self._closed = False
        self._answered = False
        self._prompts_announced = 0
        """Say/Ask annotations seen; each prompt's audio ends with a `prompt-N` mark."""
        self._prompts_received = 0
        self.prompts: list[tuple[str, str]] = []
        """(prompt id, text) of every prompt the server announced, in order."""
        self.prompt_audio: list[tuple[bytes, bool]] = []
        """Each prompt's audio as it arrived, and whether a `clear` cut it short."""
        self._segment = bytearray()
        self._segment_cut = False

    # ------------------------------------------------------------ the Line interface
    @property
    def now_ms(self) -> int:
        return self._frames * 20

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def prompt_playing(self) -> bool:
        """A prompt announced but not fully received, or received but not yet heard."""
        return (self._prompts_announced > self._prompts_received
                or time.monotonic() < self._playout.until or bool(self._playout.pending_marks))

    @property
    def outcome(self) -> str | None:
        return self._outcome

    def start(self) -> list[Output]:
        status, body = self.webhooks.post("/twilio/voice", self._form(
            CallStatus="ringing", IvrReplay="1"))
        if status != 200:
            raise PlayerError(f"/twilio/voice answered {status}: {body[:200]}")
        stream_url, parameters = _stream_of(body)
        self._ws = Client.connect(stream_url)
        threading.Thread(target=self._receive, args=(self._ws,), daemon=True).start()
        self._send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        self._send({"event": "start", "sequenceNumber": "1", "streamSid": self.stream_sid,
                    "start": {"streamSid": self.stream_sid, "accountSid": "AC" + "0" * 32,
                              "callSid": self.call_sid, "tracks": ["inbound"],
                              "customParameters": parameters,
                              "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000,
                                              "channels": 1}}})
        self._clock_start = time.monotonic()
        return self._until_answer()

    def audio(self, ulaw: bytes) -> list[Output]:
        if self._closed:
            return []
        loud = _rms(ulaw) > SPEECH_RMS
        if not (self.fast and loud):
            self._pace()
        self._frames += 1
        self._send({"event": "media", "streamSid": self.stream_sid,
                    "media": {"track": "inbound", "chunk": str(self._frames),
                              "timestamp": str(self.now_ms),
                              "payload": base64.b64encode(ulaw).decode()}})
        if loud:
            self._last_speech_at = time.monotonic()
        return self._drain()

    def keys(self, digits: str) -> list[Output]:
        outputs: list[Output] = []
        for digit in digits:
            self._send({"event": "dtmf", "streamSid": self.stream_sid,
                        "dtmf": {"track": "inbound_track", "digit": digit}})
            outputs += self._drain()
        return outputs + self._until_answer()

    def hangup(self) -> list[Output]:
        if not self._closed:
            self._send({"event": "stop", "streamSid": self.stream_sid,
                        "stop": {"accountSid": "AC" + "0" * 32, "callSid": self.call_sid}})
            self._outcome = self._outcome or "caller_hung_up"
            self._close_socket()
        return []

    def close(self) -> None:
        """End the call as Twilio would: stream closed, /twilio/connect, final status."""
        self._close_socket()
        if not self.after_stream and self._outcome != "caller_hung_up":
            status, self.after_stream = self.webhooks.post(
                "/twilio/connect", self._form(CallStatus="in-progress"))
            if status != 200:
                raise PlayerError(f"/twilio/connect answered {status}")
        if self.final_status:
            self.end()

    def end(self) -> None:
        """Twilio's final status callback: the call is over."""
        self.webhooks.post("/twilio/status", self._form(
            CallStatus="completed", CallDuration=str(max(1, self.now_ms // 1000)),
            SequenceNumber="9"))

    # ------------------------------------------------------------ plumbing
    def _form(self, **extra: str) -> dict[str, str]:
        return {"CallSid": self.call_sid, "AccountSid": "AC" + "0" * 32,
                "From": self.caller or "anonymous", "To": "+15550109999",
                "Direction": "inbound", "ApiVersion": "2010-04-01", **extra}

    def _send(self, message: dict[str, object]) -> None:
        if self._ws is None or self._closed:
            return
        try:
            self._ws.send(json.dumps(message))
        except (ConnectionClosed, OSError):  # closed by the server
            self._closed = True

    def _receive(self, ws: Client) -> None:
        try:
            while True:
                self._inbox.put(ws.receive())
        except ConnectionClosed:
            self._inbox.put(None)

    def _pace(self) -> None:
        due = self._clock_start + self._frames * FRAME_S
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        elif delay < -1.0:  # we stalled (a slow machine): do not burst to catch up
            self._clock_start -= delay

    def _until_answer(self) -> list[Output]:
        """Keep the line open (real-time silence) until the bot asks, transfers or ends."""
        outputs: list[Output] = []
        self._answered = False
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        silence = bytes([0xFF]) * 160
        while not self._answered and not self._closed and time.monotonic() < deadline:
            outputs += self.audio(silence)
        return outputs

    def _drain(self) -> list[Output]:
        outputs: list[Output] = []
        while True:
            try:
                text = self._inbox.get_nowait()
            except queue.Empty:
                break
            if text is None:
                self._closed = True
                break
            outputs += self._on_message(json.loads(text))
        self._echo_due_marks()
        return outputs

    def _on_message(self, message: dict[str, object]) -> list[Output]:
        event = message.get("event")
        if event == "media":
            payload = base64.b64decode(str(message["media"]["payload"]))  # type: ignore[index]
            self._bot_audio(payload)
        elif event == "clear":
            self._segment_cut = True
            self._playout.until = time.monotonic()
            self._echo_due_marks(everything=True)
            return [StopPlaying()]
        elif event == "mark":
            return self._on_mark(str(message["mark"]["name"]))  # type: ignore[index]
        return []

    def _bot_audio(self, payload: bytes) -> None:
        now = time.monotonic()
        if self._last_speech_at is not None:
            self.latencies_ms.append((now - self._last_speech_at) * 1000)
            self._last_speech_at = None
        mid_prompt = self._prompts_announced > self._prompts_received and self._prompt_begun
        if mid_prompt and now > self._playout.until + FRAME_S:
            self.gaps_ms.append((now - self._playout.until) * 1000)
        self._prompt_begun = True
        self._playout.until = max(self._playout.until, now) + len(payload) / 8000
        self.bot_audio += payload
        self._segment += payload

    def _on_mark(self, name: str) -> list[Output]:
        self._playout.pending_marks.append((self._playout.until, name))
        if name.startswith("prompt-"):
            self._prompts_received += 1
            self._prompt_begun = False
            self.prompt_audio.append((bytes(self._segment), self._segment_cut))
            self._segment, self._segment_cut = bytearray(), False
        item = read_annotation(name)
        match item:
            case CallerTurn():
                self.turns.append(item)
                return []
            case Say() | Ask():
                self._answered = self._answered or isinstance(item, Ask)
                self._prompts_announced += 1
                self.prompts.append((item.prompt_id, item.text))
                return [Play(item.prompt_id, item.text, b""), item]
            case Transfer() | EndCall():
                self._answered = True
                self._outcome = "transferred" if isinstance(item, Transfer) else item.outcome
                return [item]
            case None:
                return []
        return [item]

    def _echo_due_marks(self, everything: bool = False) -> None:
        now = time.monotonic()
        due = [m for m in self._playout.pending_marks if everything or m[0] <= now]
        self._playout.pending_marks = [m for m in self._playout.pending_marks if m not in due]
        for _, name in due:
            self._send({"event": "mark", "streamSid": self.stream_sid,
                        "sequenceNumber": "0", "mark": {"name": name}})

    def _close_socket(self) -> None:
        if self._ws is not None:
            # the server may have closed it first (and the socket's file with it)
            with contextlib.suppress(ConnectionClosed, OSError):
                self._ws.close()
            self._ws = None
        self._closed = True


def _stream_of(twiml: str) -> tuple[str, dict[str, str]]:
    """The <Connect><Stream> URL and its <Parameter>s from /twilio/voice's answer."""
    try:
        stream = ET.fromstring(twiml).find("./Connect/Stream")
    except ET.ParseError as exc:
        raise PlayerError(f"/twilio/voice did not answer TwiML: {exc}") from exc
    if stream is None or not stream.get("url"):
        raise PlayerError("/twilio/voice did not answer <Connect><Stream> (is IVR_MODE=stream?)")
    parameters = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
    if parameters.get(ANNOTATE) != "1":
        raise PlayerError("the server did not turn on replay annotations")
    return str(stream.get("url")), parameters


def _rms(ulaw: bytes) -> float:
    pcm = ulaw_to_pcm(ulaw).astype(np.float64)
    return float(np.sqrt(np.mean(pcm * pcm))) if len(pcm) else 0.0
