"""`ivr models download en-us`: fetch Vosk's published small English model into the cache.

Machines without internet (like our CI) cannot do this; the error then says how to install a
model by hand instead of showing a network traceback.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from ivr.errors import SpeechModelError

MODEL_NAME = "vosk-model-small-en-us-0.15"
MODEL_URL = f"https://alphacephei.com/vosk/models/{MODEL_NAME}.zip"
TIMEOUT_S = 30


def download_vosk_model(folder: Path, url: str = MODEL_URL) -> Path:
    """Download and unpack the model once; return its folder."""
    target = folder / MODEL_NAME
    if (target / "am" / "final.mdl").is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / f"{MODEL_NAME}.zip.part"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response, archive.open("wb") as out:
            shutil.copyfileobj(response, out)
        with zipfile.ZipFile(archive) as unpacked:
            unpacked.extractall(folder)
    except (urllib.error.URLError, OSError, zipfile.BadZipFile) as exc:
        raise SpeechModelError(
            f"cannot download {url} ({exc}). On a machine with internet, download and unzip "
            f"it, copy the folder here and set IVR_VOSK_MODEL to it; until then the bundled "
            f"PocketSphinx model is used") from exc
    finally:
        archive.unlink(missing_ok=True)
    return target
