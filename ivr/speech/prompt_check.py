"""Recognising the bot's prompts back from the audio that reached the caller (`ivr replay
--server`): proof that what a caller hears is the prompt the server meant, not silence, noise,
a clipped half or another prompt.

Each prompt's audio is decoded with PocketSphinx restricted to the sentences the server
announced in that call, so the question is "which of these prompts is this?" — a closed choice
the bundled model answers well on long sentences, unlike open speech. There is no garbage loop:
silence or noise either finds no path or comes out as the wrong prompt.
Words the dictionary lacks (names, some numbers) are left out of both sides.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ivr.nlu.numbers import number_words
from ivr.speech.codec import ulaw_to_pcm
from ivr.speech.stt.pocketsphinx.decoding import UtteranceDecoder, new_decoder
from ivr.speech.stt.pocketsphinx.fsg import WordGraph, fsg_text


@dataclass(frozen=True)
class HeardBack:
    """One prompt as the caller's end of the line heard it."""

    prompt_id: str
    heard_as: str | None
    """The prompt id the audio was recognised as; None when it matched none of them."""
    cut: bool
    """The caller talked over it (barge-in), so only its start was played."""
    silent: bool
    """Its audio was (nearly) silence: the caller heard dead air."""

    @property
    def confirmed(self) -> bool:
        return self.heard_as == self.prompt_id

    @property
    def problem(self) -> str | None:
        """Dead air, or another prompt than the one announced; None when all is well (a
        prompt merely not recognised is not proof of a fault with this model)."""
        if self.cut:
            return None
        if self.silent:
            return f"prompt {self.prompt_id} reached the caller as silence"
        if self.heard_as not in (None, self.prompt_id):
            return f"prompt {self.prompt_id} was heard back as {self.heard_as}"
        return None


SILENT_RMS = 100.0
"""Quieter than this (16-bit RMS) is dead air, not a prompt (speech is in the thousands)."""
MIN_SIMILARITY = 0.75
"""Share of words in common (difflib's ratio) for audio to count as a prompt: the search may
stop a word or two short of a sentence's end when it runs out of audio."""


def _closest(heard: tuple[str, ...], sentences: dict[str, tuple[str, ...]]) -> str | None:
    scored = [(difflib.SequenceMatcher(None, heard, words).ratio(), prompt_id)
              for prompt_id, words in sentences.items() if words and heard]
    best = max(scored, default=(0.0, None))
    return best[1] if best[0] >= MIN_SIMILARITY else None


class PromptListener:
    """Decodes prompt audio against the prompts of one call."""

    def __init__(self) -> None:
        self._decoder = new_decoder()
        self._utterance = UtteranceDecoder(self._decoder)
        self._folder = tempfile.TemporaryDirectory(prefix="ivr-heard-back-")

    def check(self, prompts: Sequence[tuple[str, str]],
              audio: Sequence[tuple[bytes, bool]]) -> list[HeardBack]:
        """prompts: (id, text) as announced; audio: (μ-law, cut short) of each, in order."""
        sentences = {prompt_id: self._words(text) for prompt_id, text in prompts}
        graph = WordGraph()
        for words in sentences.values():
            if words:
                graph.add(words)
        text = fsg_text("prompts", graph.minimised())
        name = "prompts-" + hashlib.sha256(text.encode()).hexdigest()[:12]
        path = Path(self._folder.name) / f"{name}.fsg"
        path.write_text(text)
        results = []
        for (prompt_id, _), (ulaw, cut) in zip(prompts, audio, strict=False):
            pcm = ulaw_to_pcm(ulaw)
            heard = self._decode(name, path, pcm)
            loudness = float(np.sqrt(np.mean(pcm.astype(np.float64) ** 2))) if len(pcm) else 0.0
            # no audio at all: a prompt queued behind one the caller talked over, never played
            results.append(HeardBack(prompt_id, _closest(heard, sentences), cut or not ulaw,
                                     silent=loudness < SILENT_RMS))
        return results

    def close(self) -> None:
        self._folder.cleanup()

    def _decode(self, name: str, path: Path, pcm: np.ndarray) -> tuple[str, ...]:
        self._utterance.start(name, str(path))
        self._utterance.decode(pcm, last=False)
        return tuple(word for word, _, _ in self._utterance.finish().words)

    def _words(self, text: str) -> tuple[str, ...]:
        spoken: list[str] = []
        for word in re.findall(r"[a-z0-9']+", text.lower()):  # as written: every word is said
            spoken += number_words(int(word)) if word.isdigit() else [word.strip("'")]
        return tuple(word for word in spoken if self._known(word))

    def _known(self, word: str) -> bool:
        return self._decoder.lookup_word(word) is not None
