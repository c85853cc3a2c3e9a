"""Choosing and loading the speech recogniser a process uses (IVR_STT, IVR_WHISPER_MODEL,
IVR_VOSK_MODEL).

Only this module and the adapters import the engines, and only when asked to, so the dialog,
the matcher and `ivr nlu` never pay for loading a speech model.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ivr.config import Settings, SttEngine
from ivr.errors import SpeechModelError
from ivr.nlu.grammar import Grammar
from ivr.nlu.matcher import Matcher
from ivr.speech.stt import SpeechEngine

_engines: dict[tuple[str, str, int], SpeechEngine] = {}
_lock = threading.Lock()


def speech_engine(settings: Settings, grammar: Grammar, matcher: Matcher) -> SpeechEngine:
    """The process's shared engine for these settings, loaded on first use. Whisper chooses
    among its readings with the matcher; the others leave that to ivr.speech.consensus."""
    kind = settings.stt
    model = settings.whisper_model if kind is SttEngine.WHISPER else settings.vosk_model
    key = (str(kind), str(model or ""), id(grammar))
    with _lock:
        if key not in _engines:
            _engines[key] = _load(kind, settings, grammar, matcher)
        return _engines[key]


def engine_label(settings: Settings) -> str:
    """The engine and its model, as a report names them."""
    match settings.stt:
        case SttEngine.WHISPER:
            return f"whisper ({settings.whisper_model})"
        case SttEngine.VOSK:
            return f"vosk ({settings.vosk_model or 'no model set'})"
    return "pocketsphinx (its bundled en-us model)"


def _load(kind: SttEngine, settings: Settings, grammar: Grammar,
          matcher: Matcher) -> SpeechEngine:
    if kind is SttEngine.WHISPER:
        from ivr.speech.stt.whisper.engine import WhisperEngine

        return WhisperEngine(settings.whisper_model, Path(settings.cache_dir), grammar, matcher)
    if kind is SttEngine.VOSK:
        from ivr.speech.stt.vosk.engine import DOWNLOAD_HINT, VoskEngine

        if settings.vosk_model is None:
            raise SpeechModelError(f"IVR_STT=vosk needs a model: {DOWNLOAD_HINT}")
        from ivr.speech.vocabulary import caller_sentences

        return VoskEngine(settings.vosk_model,
                          lambda contexts, known: caller_sentences(grammar, contexts, known))
    from ivr.speech.stt.pocketsphinx.engine import PocketSphinxEngine

    return PocketSphinxEngine(grammar, Path(settings.cache_dir))
