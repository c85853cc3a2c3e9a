"""The project's exception family: each message says what is wrong and what to do about it."""

from __future__ import annotations


class IvrError(Exception):
    """Base of every error we raise on purpose; anything else is a bug."""


class ConfigError(IvrError):
    """Settings from the environment are missing or invalid (all problems in one message)."""


class GrammarError(IvrError):
    """A grammar file cannot be loaded; the message names the file and line."""


class PromptError(IvrError):
    """The prompt catalogue is missing a prompt or a variable the dialog needs."""


class OrderServiceError(IvrError):
    """The shop's order system failed; the caller is apologised to and transferred."""


class DatabaseError(IvrError):
    """The database cannot be opened or has an unexpected shape."""


class AudioError(IvrError):
    """Audio cannot be read: not a WAV, an unsupported encoding, or an unreadable file."""


class SpeechModelError(IvrError):
    """A speech recognition model is missing or broken; the message says how to get one."""


class SynthesisError(IvrError):
    """Speech synthesis failed or timed out (espeak-ng missing, a hung engine)."""
