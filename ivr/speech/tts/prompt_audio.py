"""Prompt audio: every sentence the bot says as 8 kHz μ-law, cached on disk by text and voice.

Fixed prompts are rendered ahead of time (`ivr prompts render`) so a call never waits for them;
a sentence with call-specific words (an order number, an RMA) is synthesised when first needed
and cached too. The cache key is the voice plus the exact text, so editing a prompt or changing
the voice re-renders only what changed. Files are μ-law WAVs, playable as they are (Twilio's
<Play> accepts them).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path

from ivr.errors import AudioError
from ivr.speech.codec import decode_wav, pcm_to_ulaw, ulaw_wav_bytes
from ivr.speech.tts import Synthesizer, Voice

MEMORY_ITEMS = 512
"""Prompts kept in memory as well as on disk."""


class PromptAudio:
    """Text → μ-law audio, through memory, then disk, then the synthesiser."""

    def __init__(self, synthesizer: Synthesizer, cache_dir: Path,
                 voice: Voice | None = None) -> None:
        self.synthesizer = synthesizer
        self.voice = voice or synthesizer.voice
        self.folder = cache_dir / "prompts"
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def path_for(self, text: str) -> Path:
        """Where the audio of `text` in the current voice is cached."""
        key = hashlib.sha256(f"{self.voice.key}\n{text}".encode()).hexdigest()
        return self.folder / f"{key[:32]}.wav"

    def is_cached(self, text: str) -> bool:
        return self.path_for(text).exists()

    def ulaw(self, text: str) -> bytes:
        """The sentence as 8 kHz μ-law bytes, synthesised only if no cache has it."""
        path = self.path_for(text)
        with self._lock:
            if path.name in self._memory:
                self._memory.move_to_end(path.name)
                return self._memory[path.name]
        audio = self._from_disk(path)
        if audio is None:
            audio = self._synthesize(text)
            self._store(path, audio)
        with self._lock:
            self._memory[path.name] = audio
            while len(self._memory) > MEMORY_ITEMS:
                self._memory.popitem(last=False)
        return audio

    def render(self, texts: Iterable[str],
               progress: Callable[[Iterable[str]], Iterable[str]] = iter) -> tuple[int, int]:
        """Make sure every text is cached; returns (newly rendered, already cached)."""
        rendered = cached = 0
        for text in progress(list(texts)):
            if self.is_cached(text):
                cached += 1
            else:
                self._store(self.path_for(text), self._synthesize(text))
                rendered += 1
        return rendered, cached

    def _synthesize(self, text: str) -> bytes:
        return pcm_to_ulaw(self.synthesizer.synthesize(text, self.voice))

    def _from_disk(self, path: Path) -> bytes | None:
        try:
            return pcm_to_ulaw(decode_wav(path.read_bytes()))
        except (OSError, AudioError):
            return None  # absent or damaged: synthesise again and overwrite

    def _store(self, path: Path, audio: bytes) -> None:
        """Write atomically, so a crash or a concurrent call never sees half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        temporary.write_bytes(ulaw_wav_bytes(audio))
        temporary.replace(path)


def duration_ms(ulaw: bytes) -> int:
    """How long 8 kHz μ-law audio plays."""
    return len(ulaw) // 8
