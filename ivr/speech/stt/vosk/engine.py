"""Vosk (Kaldi), the engine for production accuracy, with a per-context phrase-list grammar.

The model folder comes from IVR_VOSK_MODEL (or `ivr models download en-us`). It is loaded once
per process; each utterance gets its own KaldiRecognizer restricted to the grammar's sentences
for the current contexts (phrase_list.py: Vosk learns which word may follow which from
them) plus "[unk]", so anything else comes back as unknown instead of a forced guess. The
intent matcher then checks the words against the grammar's sentences. Small Vosk models want
16 kHz audio, so phone audio is resampled on the way in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import soxr
import vosk

from ivr.built_once import BuiltOnce
from ivr.errors import SpeechModelError
from ivr.speech.codec import PHONE_RATE
from ivr.speech.stt import Transcript, WordTiming
from ivr.speech.stt.vosk.phrase_list import covering_phrases

UNKNOWN = "[unk]"
DOWNLOAD_HINT = ("get one with `ivr models download en-us` (needs internet) or download "
                 "vosk-model-small-en-us from https://alphacephei.com/vosk/models, unzip it and "
                 "set IVR_VOSK_MODEL to its folder")

Sentences = Callable[[Sequence[str], Callable[[str], bool]], Iterable[Sequence[str]]]
"""The sentences a caller may say in a context set, of the words the model knows (the second
argument says which)."""


class VoskEngine:
    """A loaded Vosk model and the phrase lists of each context set."""

    name = "vosk"

    def __init__(self, model_dir: Path, sentences: Sentences) -> None:
        if not (model_dir / "am" / "final.mdl").is_file():
            raise SpeechModelError(f"{model_dir} is not a Vosk model folder (no am/final.mdl); "
                                   f"{DOWNLOAD_HINT}")
        vosk.SetLogLevel(-1)
        try:
            self.model = vosk.Model(str(model_dir))
        except Exception as exc:  # vosk raises a bare Exception for any broken model
            raise SpeechModelError(f"the Vosk model in {model_dir} is broken ({exc}); "
                                   f"{DOWNLOAD_HINT}") from exc
        self.rate = _model_rate(model_dir)
        self._sentences = sentences
        self._grammars: BuiltOnce[tuple[str, ...], str] = BuiltOnce(self._phrase_list)

    def recognizer(self) -> VoskRecognizer:
        return VoskRecognizer(self)

    def prepare(self, context_sets: Iterable[Sequence[str]]) -> None:
        """Build the phrase list of every context set before the first call needs one."""
        for contexts in context_sets:
            self.grammar(contexts)

    def grammar(self, contexts: Sequence[str]) -> str:
        """The JSON phrase list for a context set, built once."""
        return self._grammars.get(tuple(contexts))

    def _phrase_list(self, contexts: tuple[str, ...]) -> str:
        """The sentences that hold every pair of neighbouring words of the contexts' sentences
        the model can say, plus [unk]."""
        phrases = covering_phrases(self._sentences(contexts, self._knows))
        if not phrases:  # Vosk would build no decoding graph and crash
            raise SpeechModelError(f"the Vosk model knows no sentence of "
                                   f"{'+'.join(contexts)} (is it an English model?)")
        if self._knows(UNKNOWN):
            phrases.append(UNKNOWN)
        return json.dumps(phrases, ensure_ascii=False)

    def _knows(self, word: str) -> bool:
        return bool(self.model.vosk_model_find_word(word) >= 0)


def _model_rate(model_dir: Path) -> int:
    """The sample rate the model was trained on (from conf/mfcc.conf; 16 kHz if unstated)."""
    conf = model_dir / "conf" / "mfcc.conf"
    if conf.is_file():
        for line in conf.read_text().splitlines():
            if line.startswith("--sample-frequency="):
                return int(float(line.split("=", 1)[1]))
    return 16000


class VoskRecognizer:
    """One call's recogniser; a fresh KaldiRecognizer per utterance carries its grammar."""

    def __init__(self, engine: VoskEngine) -> None:
        self.engine = engine
        self._kaldi: Any = None
        self._resampler: soxr.ResampleStream | None = None
        self._words: list[dict[str, Any]] = []
        self._heard = ""

    def start(self, contexts: Sequence[str]) -> None:
        self._kaldi = vosk.KaldiRecognizer(self.engine.model, self.engine.rate,
                                           self.engine.grammar(contexts))
        self._kaldi.SetWords(True)
        self._resampler = soxr.ResampleStream(PHONE_RATE, self.engine.rate, 1, dtype="int16")
        self._words = []
        self._heard = ""

    def feed(self, pcm: np.ndarray) -> str:
        if self._kaldi is None:
            return ""
        self._accept(pcm, last=False)
        partial = json.loads(self._kaldi.PartialResult()).get("partial", "")
        self._heard = " ".join([*(w["word"] for w in self._words), partial]).strip()
        return self._heard

    def heard_so_far(self) -> str:
        return self._heard if self._kaldi is not None else ""

    def finish(self) -> Transcript:
        if self._kaldi is None:
            return Transcript("", 0.0)
        self._accept(np.zeros(0, np.int16), last=True)
        self._collect(self._kaldi.FinalResult())
        self._kaldi = None
        timings = tuple(WordTiming(w["word"], int(w["start"] * 1000), int(w["end"] * 1000),
                                   float(w.get("conf", 1.0))) for w in self._words)
        known = [t for t in timings if t.word != UNKNOWN]
        if not timings:
            return Transcript("", 0.0)
        if len(known) * 2 < len(timings):  # mostly unknown words: not something we listen for
            return Transcript("", 0.0, timings, rejected=True)
        confidence = sum(t.confidence for t in known) / len(known)
        return Transcript(" ".join(t.word for t in known), confidence, timings)

    def close(self) -> None:
        self._kaldi = None

    def _accept(self, pcm: np.ndarray, last: bool) -> None:
        assert self._resampler is not None
        audio = self._resampler.resample_chunk(pcm.astype(np.int16), last=last)
        if len(audio) and self._kaldi.AcceptWaveform(audio.tobytes()):
            self._collect(self._kaldi.Result())  # Vosk ended a segment of its own: keep it

    def _collect(self, result: str) -> None:
        self._words.extend(json.loads(result).get("result", []))
