"""How `telephone.mllr` is made: a transform that moves PocketSphinx's wideband model towards
speech heard over a phone line, estimated from real people's telephone recordings.

PocketSphinx's bundled model was trained on 16 kHz speech; a call brings 8 kHz μ-law, so the
model's top mel filters hear nothing and every cepstrum is off. Maximum-likelihood linear
regression (MLLR) fits one affine transform of the model's Gaussian means (per feature stream)
to adaptation audio; PocketSphinx applies it when it loads the model, so decoding costs
nothing more.

The adaptation audio is Asterisk's English prompts (Allison Smith for Digium, CC-BY-SA-3.0):
about fourteen minutes of a real person recorded for the telephone, sent here through the same
μ-law round trip a call takes. No fixture audio goes into it. With it the fixture manifest's
synthetic callers are understood much more often; PocketSphinx's own test recordings of four
other real speakers are heard about as well as without it (BENCHMARKS.md, "Telephone transform").
The tools are sphinxtrain's (Debian packages sphinxtrain, sphinxbase-utils and pocketsphinx);
the recordings are Debian's asterisk-core-sounds-en-wav; what they say is in
`telephone_prompts.txt`. Run `python -m ivr.speech.stt.pocketsphinx.telephone_adaptation` to
estimate it again.
"""

from __future__ import annotations

import argparse
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ivr.errors import SpeechModelError
from ivr.nlu.numbers import DIGIT_WORDS
from ivr.speech.codec import PHONE_RATE, pcm_to_ulaw, read_wav, resample, ulaw_to_pcm
from ivr.speech.stt.pocketsphinx.decoding import MODEL_RATE, TELEPHONE_TRANSFORM, new_decoder

PROMPTS_FILE = Path(__file__).with_name("telephone_prompts.txt")
SOUNDS_DIR = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
SPHINXTRAIN = Path("/usr/lib/sphinxtrain")
FRONT_END = ["-lowerf", "130", "-upperf", "6800", "-nfilt", "25", "-transform", "dct",
             "-lifter", "22", "-remove_noise", "yes"]
"""The bundled model's feature settings (its feat.params), which sphinx_fe must match."""
FEATURES = ["-feat", "1s_c_d_dd", "-svspec", "0-12/13-25/26-38", "-cmn", "current",
            "-agc", "none"]
INSTALL_HINT = ("install Debian's sphinxtrain, sphinxbase-utils, pocketsphinx and "
                "asterisk-core-sounds-en-wav")


@dataclass(frozen=True)
class Prompt:
    """One recording and the words said in it."""

    name: str
    words: tuple[str, ...]


def spoken_words(text: str) -> tuple[str, ...]:
    """A prompt's text as dictionary words: "Press 1, or 2." -> press one or two."""
    text = re.sub(r"\d", lambda digit: f" {DIGIT_WORDS[int(digit.group())]} ", text.lower())
    return tuple(re.sub(r"[^a-z' ]", " ", text.replace("-", " ")).split())


def read_prompts(path: Path, known: Callable[[str], bool]) -> list[Prompt]:
    """The prompts of a "name: text" list whose words the dictionary knows (a word it lacks
    cannot be aligned); comment lines start with #, and a text in brackets describes a sound
    rather than saying words."""
    prompts = []
    for line in path.read_text().splitlines():
        name, colon, text = line.partition(":")
        words = spoken_words(text)
        spoken = colon and not line.startswith("#") and "[" not in text
        if spoken and words and all(map(known, words)):
            prompts.append(Prompt(name.strip(), words))
    return prompts


def over_the_phone(pcm: np.ndarray, rate: int) -> np.ndarray:
    """A recording as a call delivers it: 8 kHz, through μ-law and back."""
    return ulaw_to_pcm(pcm_to_ulaw(resample(pcm, rate, PHONE_RATE)))


def mixture_weights(sendump: Path) -> np.ndarray:
    """The model's mixture weights (senones x streams x densities) from PocketSphinx's
    quantised `sendump`, which sphinxtrain cannot read (after sphinxtrain's sendump.py)."""
    with sendump.open("rb") as file:
        def text() -> str | None:
            length = struct.unpack("<I", file.read(4))[0]
            return file.read(length)[:-1].decode() if length else None

        text()  # the title
        header = {}
        while (line := text()) is not None:
            key, _, value = line.partition(" ")
            header[key] = value
        if header.get("cluster_count", "0") != "0":
            raise SpeechModelError(f"{sendump}: clustered mixture weights are not supported")
        shift, streams = int(header.get("mixw_shift", "10")), int(header["feature_count"])
        densities, senones = struct.unpack("<II", file.read(8))
        quantised = np.frombuffer(file.read(streams * densities * senones), np.uint8)
    # each byte is a negated log weight (base 1.0001) shifted right by mixw_shift
    logs = quantised.reshape(streams, densities, senones).astype(np.float64) * (1 << shift)
    return np.power(1.0001, -logs).transpose(2, 0, 1)


def write_s3_array(path: Path, array: np.ndarray) -> None:
    """A three-dimensional float array in sphinxtrain's binary file format."""
    head = b"s3\nversion 1.0\n"
    padding = b" " * (-(len(head) + len(b"endhdr\n")) % 4)  # data on a 4-byte boundary
    with path.open("wb") as file:
        file.write(head + padding + b"endhdr\n" + struct.pack("=i", 0x11223344))
        file.write(struct.pack("=IIII", *array.shape, array.size))
        array.astype("<f4").tofile(file)


def estimate(prompts: Iterable[Prompt], sounds: Path, out: Path,
             log: Callable[[str], None] = print) -> int:
    """Estimate the transform from the prompts' recordings into `out`; the number of prompts
    used. Raises SpeechModelError naming what is missing."""
    from pocketsphinx import get_model_path  # noqa: PLC0415 - the adaptation tool only

    tools = [shutil.which("sphinx_fe"), shutil.which("pocketsphinx_mdef_convert"),
             SPHINXTRAIN / "bw", SPHINXTRAIN / "mllr_solve"]
    if not all(tool and Path(tool).exists() for tool in tools):
        raise SpeechModelError(f"the adaptation tools are missing: {INSTALL_HINT}")
    prompts = [p for p in prompts if (sounds / f"{p.name}.wav").exists()]
    if not prompts:
        raise SpeechModelError(f"no prompt recordings in {sounds}: {INSTALL_HINT}")
    model = Path(get_model_path()) / "en-us"
    with tempfile.TemporaryDirectory(prefix="ivr-adapt-") as folder:
        work = Path(folder)
        log(f"putting {len(prompts)} recordings through the phone line")
        for prompt in prompts:
            line = over_the_phone(read_wav(sounds / f"{prompt.name}.wav", PHONE_RATE), PHONE_RATE)
            (work / f"{prompt.name}.raw").write_bytes(
                resample(line, PHONE_RATE, MODEL_RATE).tobytes())
        (work / "fileids").write_text("".join(f"{p.name}\n" for p in prompts))
        (work / "transcription").write_text(
            "".join(f"<s> {' '.join(p.words)} </s> ({p.name})\n" for p in prompts))
        hmm = model / "en-us"
        write_s3_array(work / "mixture_weights", mixture_weights(hmm / "sendump"))
        steps: list[list[str | Path]] = [
            ["pocketsphinx_mdef_convert", "-text", hmm / "mdef", work / "mdef.txt"],
            ["sphinx_fe", *FRONT_END, "-samprate", str(MODEL_RATE), "-raw", "yes",
             "-input_endian", "little", "-c", work / "fileids", "-di", work, "-do", work,
             "-ei", "raw", "-eo", "mfc"],
            [SPHINXTRAIN / "bw", "-hmmdir", hmm, "-moddeffn", work / "mdef.txt",
             "-mixwfn", work / "mixture_weights", "-ts2cbfn", ".ptm.", *FEATURES,
             "-dictfn", model / "cmudict-en-us.dict", "-fdictfn", hmm / "noisedict",
             "-ctlfn", work / "fileids", "-lsnfn", work / "transcription", "-cepdir", work,
             "-accumdir", work],
            [SPHINXTRAIN / "mllr_solve", "-meanfn", hmm / "means", "-varfn", hmm / "variances",
             "-outmllrfn", out, "-accumdir", work],
        ]
        for step in steps:
            tool = Path(step[0]).name
            log(f"running {tool}")
            done = subprocess.run([str(part) for part in step], capture_output=True, text=True,
                                  check=False)
            if done.returncode != 0:
                raise SpeechModelError(f"{tool} failed: {done.stderr[-600:]}")
    return len(prompts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=TELEPHONE_TRANSFORM)
    parser.add_argument("--sounds", type=Path, default=SOUNDS_DIR)
    args = parser.parse_args(argv)
    decoder = new_decoder(adapted=False)
    prompts = read_prompts(PROMPTS_FILE, lambda word: decoder.lookup_word(word) is not None)
    try:
        used = estimate(prompts, args.sounds, args.out)
    except SpeechModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} from {used} recordings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
