"""TwiML documents for each step of a call, built with twilio-python's VoiceResponse.

Each function returns the XML text of one complete <Response>. Spoken parts are `Speech`
values: our own rendered audio (<Play> of a URL) or Twilio's voice (<Say>), decided by the
caller of these functions. URLs are absolute: Twilio resolves relative ones against the
request URL, which behind a proxy is not always ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from twilio.twiml.voice_response import Gather, VoiceResponse

LANGUAGE = "en-US"
MAX_HINTS = 500
"""Twilio's limit on <Gather hints>."""


@dataclass(frozen=True)
class Speech:
    """One thing to say: a URL of our own audio, or text for Twilio's <Say>."""

    text: str
    audio_url: str | None = None


def _speak(target: VoiceResponse | Gather, speech: Sequence[Speech]) -> None:
    for part in speech:
        if part.audio_url:
            target.play(part.audio_url)
        else:
            target.say(part.text, language=LANGUAGE)


def connect_stream(action_url: str, stream_url: str, parameters: dict[str, str]) -> str:
    """Hand the call to our media WebSocket; when we close it, Twilio posts `action_url`."""
    response = VoiceResponse()
    connect = response.connect(action=action_url)
    stream = connect.stream(url=stream_url)
    for name, value in parameters.items():
        stream.parameter(name=name, value=value)
    return str(response)


def gather(speech: Sequence[Speech], action_url: str, *, hints: Sequence[str], num_digits: int,
           timeout_s: int, speech_timeout_s: int) -> str:
    """Say the prompts and listen (speech or keys); no input still posts to `action_url`."""
    response = VoiceResponse()
    options: dict[str, object] = {
        "input": "speech dtmf", "action": action_url, "method": "POST",
        "action_on_empty_result": True, "timeout": timeout_s,
        "speech_timeout": speech_timeout_s, "language": LANGUAGE, "finish_on_key": "#",
    }
    if hints:
        options["hints"] = ", ".join(hints[:MAX_HINTS])
    if num_digits:
        options["num_digits"] = num_digits
    listen = response.gather(**options)
    _speak(listen, speech)
    return str(response)


def say_then_hangup(speech: Sequence[Speech]) -> str:
    response = VoiceResponse()
    _speak(response, speech)
    response.hangup()
    return str(response)


def enqueue(speech: Sequence[Speech], queue: str, wait_url: str, action_url: str) -> str:
    """Put the caller in the agents' queue; `wait_url` entertains them meanwhile."""
    response = VoiceResponse()
    _speak(response, speech)
    response.enqueue(queue, wait_url=wait_url, wait_url_method="POST", action=action_url,
                     method="POST")
    return str(response)


def offer_callback(speech: Sequence[Speech], action_url: str, timeout_s: int) -> str:
    """Ask for a single key (1 books a callback); silence posts the action too."""
    response = VoiceResponse()
    listen = response.gather(input="dtmf", num_digits=1, action=action_url, method="POST",
                             timeout=timeout_s, action_on_empty_result=True)
    _speak(listen, speech)
    return str(response)


def hold(speech: Sequence[Speech], hold_music_url: str, callback: Sequence[Speech] = (),
         callback_url: str = "") -> str:
    """The queue's wait TwiML: position, hold audio, and optionally the callback offer.

    Twilio requests the wait URL again when this document finishes, so it need not loop.
    """
    response = VoiceResponse()
    _speak(response, speech)
    if callback and callback_url:
        listen = response.gather(input="dtmf", num_digits=1, action=callback_url,
                                 method="POST", timeout=1)
        _speak(listen, callback)
    response.play(hold_music_url)
    return str(response)


def dial_queue(briefing: Sequence[Speech], queue: str, pickup_url: str) -> str:
    """The agent's line: the briefing, then the first caller waiting in `queue`
    (`pickup_url` plays to that caller just before the bridge)."""
    response = VoiceResponse()
    _speak(response, briefing)
    dial = response.dial()
    dial.queue(queue, url=pickup_url, method="POST")
    return str(response)


def dial_number(number: str, briefing_url: str, speech: Sequence[Speech] = ()) -> str:
    """Direct transfer to one agent's phone; `briefing_url` (Twilio's "whisper") plays to the
    agent on answer."""
    response = VoiceResponse()
    _speak(response, speech)
    dial = response.dial()
    dial.number(number, url=briefing_url, method="POST")
    return str(response)


def say(speech: Sequence[Speech]) -> str:
    """Just words (the briefing to an agent), then Twilio carries on (bridges)."""
    response = VoiceResponse()
    _speak(response, speech)
    return str(response)


def empty() -> str:
    return str(VoiceResponse())
