"""The telephone-channel transform: how it is estimated (sphinxtrain on Asterisk's recordings of a
real person), and that the shipped one does not make PocketSphinx hear other real people worse
(the manifest's recordings of people, from PocketSphinx's own test data)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from pocketsphinx import Decoder, get_model_path
from rapidfuzz.distance import Levenshtein

from ivr.config import PROJECT_ROOT
from ivr.errors import SpeechModelError
from ivr.speech.codec import PHONE_FRAME_BYTES, PHONE_RATE, pcm_to_ulaw, read_wav, ulaw_to_pcm
from ivr.speech.fixtures import Utterance, load_manifest
from ivr.speech.stt.pocketsphinx.decoding import (
    MODEL_RATE,
    TELEPHONE_TRANSFORM,
    UtteranceDecoder,
    new_decoder,
)
from ivr.speech.stt.pocketsphinx.telephone_adaptation import (
    PROMPTS_FILE,
    SOUNDS_DIR,
    Prompt,
    estimate,
    mixture_weights,
    over_the_phone,
    read_prompts,
    spoken_words,
    write_s3_array,
)

pytestmark = pytest.mark.speech

MODEL = Path(get_model_path()) / "en-us"
PEOPLE = [u for u in load_manifest(PROJECT_ROOT / "audio_fixtures" / "manifest.yaml")
          if u.recorded]
"""Four real speakers' recordings in the telephone band (audio_fixtures/RECORDINGS.md)."""


def test_prompt_text_becomes_dictionary_words() -> None:
    assert spoken_words("Press 1, or 2 to re-record.") == (
        "press", "one", "or", "two", "to", "re", "record")


def test_prompts_are_kept_only_when_every_word_can_be_aligned(tmp_path: Path) -> None:
    listing = tmp_path / "prompts.txt"
    listing.write_text("# a comment: not a prompt\n"
                       "auth-thankyou: Thank you.\n"
                       "beep: [this is a simple beep tone]\n"
                       "vm-zorg: Zorgblat received.\n"
                       "no colon here\n")
    prompts = read_prompts(listing, lambda word: word != "zorgblat")
    assert prompts == [Prompt("auth-thankyou", ("thank", "you"))]


@pytest.fixture(scope="module")
def prompts() -> list[Prompt]:
    """The shipped prompt list, as the adaptation reads it."""
    decoder = new_decoder(adapted=False)
    return read_prompts(PROMPTS_FILE, lambda word: decoder.lookup_word(word) is not None)


def test_the_shipped_prompt_list_is_what_the_transform_was_estimated_from(
        prompts: list[Prompt]) -> None:
    assert len(prompts) == 317
    assert Prompt("auth-thankyou", ("thank", "you")) in prompts


def test_the_bundled_mixture_weights_read_as_probabilities() -> None:
    weights = mixture_weights(MODEL / "en-us" / "sendump")
    assert weights.shape == (5126, 3, 128)  # senones, streams, densities
    assert weights.min() > 0
    # quantised to bytes, so each senone's weights per stream sum to nearly one
    assert np.allclose(weights.sum(axis=2), 1.0, atol=0.1)


def test_arrays_are_written_in_sphinxtrains_file_format(tmp_path: Path) -> None:
    array = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 7
    path = tmp_path / "mixture_weights"
    write_s3_array(path, array)
    raw = path.read_bytes()
    start = raw.index(b"endhdr\n") + len(b"endhdr\n")
    assert raw.startswith(b"s3\n") and start % 4 == 0
    magic, *shape, size = struct.unpack("=iIIII", raw[start:start + 20])
    assert (magic, shape, size) == (0x11223344, [2, 3, 4], 24)
    assert np.allclose(np.frombuffer(raw[start + 20:], "<f4").reshape(2, 3, 4), array)


def test_over_the_phone_is_8_khz_mu_law() -> None:
    speech = np.random.default_rng(1).normal(0, 3000, MODEL_RATE).astype(np.int16)
    line = over_the_phone(speech, MODEL_RATE)
    assert len(line) == PHONE_RATE
    assert np.array_equal(line, ulaw_to_pcm(pcm_to_ulaw(line)))  # only μ-law's levels


def test_a_transform_is_estimated_from_recordings(prompts: list[Prompt], tmp_path: Path) -> None:
    out = tmp_path / "telephone.mllr"
    assert estimate(prompts[:40], SOUNDS_DIR, out, log=lambda _: None) == 40
    streams = _transform(out)
    assert len(streams) == 3
    assert not np.allclose(streams[0][0], np.eye(13), atol=0.01)  # it moved the means
    Decoder(mllr=str(out), loglevel="FATAL")  # PocketSphinx loads it


def test_no_recordings_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SpeechModelError, match="no prompt recordings"):
        estimate([Prompt("auth-thankyou", ("thank", "you"))], tmp_path, tmp_path / "out",
                 log=lambda _: None)


def test_the_shipped_transform_is_a_full_transform_of_each_stream() -> None:
    for matrix, bias in _transform(TELEPHONE_TRANSFORM):
        assert matrix.shape == (13, 13) and bias.shape == (13,)


@pytest.mark.slow
def test_real_people_over_the_phone_are_heard_no_worse_with_the_transform() -> None:
    """The transform learnt one person's telephone voice; other people must not pay for it.
    Through the worker's own decoding (20 ms chunks, telephone cepstral means, comfort noise)
    with PocketSphinx's general English language model, words heard wrong over four other
    speakers' recordings: 34 of 98 with the transform and without it. A transform that had
    learnt its speaker rather than the line would lose many more."""
    errors = {}
    for adapted in (True, False):
        utterance = UtteranceDecoder(new_decoder(adapted))
        errors[adapted] = sum(Levenshtein.distance(person.text.split(), _heard(utterance, person))
                              for person in PEOPLE)
    assert errors[True] <= errors[False] + 3, errors


def _transform(path: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """PocketSphinx's MLLR file: class count, stream count, then per stream its length, the
    matrix, the bias and the variance scale."""
    numbers = path.read_text().split()
    assert numbers[0] == "1"
    position, streams = 2, []
    for _ in range(int(numbers[1])):
        length = int(numbers[position])
        values = np.array(numbers[position + 1:position + 1 + length * (length + 2)], float)
        streams.append((values[:length * length].reshape(length, length),
                        values[length * length:length * (length + 1)]))
        position += 1 + length * (length + 2)
    assert position == len(numbers)
    return streams


def _heard(utterance: UtteranceDecoder, person: Utterance) -> list[str]:
    """A recording decoded as a call's audio is, in 20 ms frames."""
    line = read_wav(person.wav(PROJECT_ROOT / "audio_fixtures"))
    utterance.start("general", str(MODEL / "en-us.lm.bin"))
    for frame in np.array_split(line, len(line) // PHONE_FRAME_BYTES):  # a byte per sample
        utterance.feed(frame)
    return [word for word, _, _ in utterance.finish().words]
