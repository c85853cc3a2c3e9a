"""Choosing and loading the speech recogniser a process uses (IVR_STT, IVR_VOSK_MODEL).

Only this module and the adapters import the engines, and only when asked to, so the dialog,
the matcher and `ivr nlu` never pay for loading a speech model.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ivr.config import Settings, SttEngine
from ivr.errors import SpeechModelError
from ivr.nlu.grammar import Grammar
from ivr.speech.stt import SpeechEngine

_engines: dict[tuple[str, str, int], SpeechEngine] = {}
_lock = threading.Lock()


def chosen_engine(settings: Settings) -> SttEngine:
    """IVR_STT if set; otherwise Vosk when a model is configured, else PocketSphinx."""
    if settings.stt is not None:
        return settings.stt
    return SttEngine.VOSK if settings.vosk_model else SttEngine.POCKETSPHINX


def speech_engine(settings: Settings, grammar: Grammar) -> SpeechEngine:
    """The process's shared engine for these settings, loaded on first use."""
    kind = chosen_engine(settings)
    key = (str(kind), str(settings.vosk_model or ""), id(grammar))
    with _lock:
        if key not in _engines:
            _engines[key] = _load(kind, settings, grammar)
        return _engines[key]


def _load(kind: SttEngine, settings: Settings, grammar: Grammar) -> SpeechEngine:
    if kind is SttEngine.VOSK:
        from ivr.speech.vosk_stt import DOWNLOAD_HINT, VoskEngine

        if settings.vosk_model is None:
            raise SpeechModelError(f"IVR_STT=vosk needs a model: {DOWNLOAD_HINT}")
        from ivr.speech.language_model import caller_sentences

        return VoskEngine(settings.vosk_model,
                          lambda contexts, known: caller_sentences(grammar, contexts, known))
    from ivr.speech.pocketsphinx_stt import PocketSphinxEngine

    return PocketSphinxEngine(grammar, Path(settings.cache_dir))
