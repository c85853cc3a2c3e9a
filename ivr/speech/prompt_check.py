"""Recognising the bot's prompts back from the audio that reached the caller (`ivr replay
--server`): proof that what a caller hears is the prompt the server meant, not silence, noise,
a clipped half or another prompt.

Each prompt's audio is decoded with PocketSphinx restricted to the sentences the server
announced in that call (plus the garbage loop), so the question is "which of these prompts is
this?" — a closed choice the bundled model answers well on long sentences, unlike open speech.
Words the dictionary lacks (names, some numbers) are left out of both sides.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ivr.nlu.normalize import normalize
from ivr.nlu.numbers import DIGIT_WORDS
from ivr.speech.codec import ulaw_to_pcm
from ivr.speech.fsg import WordGraph, fsg_text
from ivr.speech.sphinx_decoding import GARBAGE_PREFIX, UtteranceDecoder, new_decoder


@dataclass(frozen=True)
class HeardBack:
    """One prompt as the caller's end of the line heard it."""

    prompt_id: str
    heard_as: str | None
    """The prompt id the audio was recognised as; None when it matched none of them."""
    cut: bool
    """The caller talked over it (barge-in), so only its start was played."""

    @property
    def confirmed(self) -> bool:
        return self.heard_as == self.prompt_id


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
        text = fsg_text("prompts", graph.minimised(), self._known, GARBAGE_PREFIX)
        name = "prompts-" + hashlib.sha256(text.encode()).hexdigest()[:12]
        path = Path(self._folder.name) / f"{name}.fsg"
        path.write_text(text)
        results = []
        for (prompt_id, _), (ulaw, cut) in zip(prompts, audio, strict=False):
            heard = self._decode(name, path, ulaw_to_pcm(ulaw))
            match = next((pid for pid, words in sentences.items() if words and words == heard),
                         None)
            results.append(HeardBack(prompt_id, match, cut or not ulaw))
        return results

    def close(self) -> None:
        self._folder.cleanup()

    def _decode(self, name: str, path: Path, pcm: np.ndarray) -> tuple[str, ...]:
        self._utterance.start(name, str(path))
        self._utterance.decode(pcm, last=False)
        words = [word.split("(")[0] for word, _, _ in self._utterance.finish()]
        return tuple(words) if not any(w.startswith(GARBAGE_PREFIX) for w in words) else ()

    def _words(self, text: str) -> tuple[str, ...]:
        spoken = []
        for word in normalize(text):
            spoken += [DIGIT_WORDS[int(d)] for d in word] if word.isdigit() else [word]
        return tuple(word for word in spoken if self._known(word))

    def _known(self, word: str) -> bool:
        return self._decoder.lookup_word(word) is not None
