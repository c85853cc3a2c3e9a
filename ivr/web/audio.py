"""Our audio at URLs Twilio can <Play>: rendered prompts and hold music.

Prompt files are named by a hash of voice + text (ivr.speech.tts.prompt_audio), so their URLs are
unguessable, never change meaning, and can be cached forever. Twilio fetches them with a plain
GET, so they are not signature-checked; nothing else is served from here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from flask import Blueprint, Response, abort, send_from_directory
from flask.typing import ResponseReturnValue

from ivr.errors import SynthesisError
from ivr.speech.hold_music import hold_music_wav
from ivr.telephony.twiml import Speech
from ivr.web.app_state import AppState, current_app_state
from ivr.web.urls import absolute

log = logging.getLogger(__name__)
audio = Blueprint("audio", __name__, url_prefix="/twilio/audio")

_PROMPT_FILE = re.compile(r"^[0-9a-f]{32}\.wav$")
_FOREVER = 365 * 24 * 3600


def spoken(app_state: AppState, texts: Sequence[str]) -> list[Speech]:
    """How webhook TwiML says these texts: our voice when configured, else Twilio's <Say>."""
    if app_state.settings.webhook_speech == "say":
        return [Speech(text) for text in texts]
    return [_rendered(app_state, text) for text in texts]


def _rendered(app_state: AppState, text: str) -> Speech:
    prompt_audio = app_state.audio.prompt_audio
    try:
        prompt_audio.ulaw(text)  # renders and caches on disk if needed
    except SynthesisError:
        log.exception("cannot synthesise a webhook prompt; Twilio will say it instead")
        return Speech(text)
    name = prompt_audio.path_for(text).name
    return Speech(text, absolute(f"/twilio/audio/{name}"))


def hold_music_url() -> str:
    return absolute("/twilio/audio/hold.wav")


@audio.get("/<name>")
def audio_file(name: str) -> ResponseReturnValue:
    if name == "hold.wav":
        response = Response(hold_music_wav(), mimetype="audio/wav")
        response.cache_control.public = True
        response.cache_control.max_age = _FOREVER
        return response
    if not _PROMPT_FILE.match(name):
        abort(404)
    folder = current_app_state().audio.prompt_audio.folder
    return send_from_directory(folder, name, mimetype="audio/wav", max_age=_FOREVER)
