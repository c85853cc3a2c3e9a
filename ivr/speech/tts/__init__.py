"""Speech synthesis: the Synthesizer protocol the call path speaks through, and the voice it
speaks in. espeak.py is the synthesiser (espeak-ng through pyttsx3, in worker processes);
flite.py speaks fixtures in flite's voices; prompt_audio.py caches every prompt as μ-law."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class Voice:
    """Which espeak-ng voice speaks, and how fast."""

    name: str = "en-us"
    """An espeak-ng voice name, optionally with a variant: "en-us", "en-gb+f3"."""
    rate: int = 160
    """Words per minute."""

    @property
    def key(self) -> str:
        """Identifies the voice in prompt-cache keys: a new voice re-renders every prompt."""
        return f"espeak-ng:{self.name}:{self.rate}"


class Synthesizer(Protocol):
    """Text to speech for the phone."""

    voice: Voice
    """The voice used when a request names none."""

    def synthesize(self, text: str, voice: Voice | None = None) -> np.ndarray:
        """8 kHz int16 audio of `text`; SynthesisError when it cannot be spoken."""

    def close(self) -> None:
        """Give back what the synthesiser holds (worker processes)."""
