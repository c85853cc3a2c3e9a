"""Synthesis in isolated workers: real espeak-ng audio, 200 sentences in a row, a hung or
dead worker replaced, a sentence pyttsx3 wrote without samples said again, and the prompt
cache re-rendering only what changed."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from ivr.errors import SynthesisError
from ivr.speech.codec import PHONE_RATE, decode_wav, wav_bytes
from ivr.speech.endpoint import level_db
from ivr.speech.tts import Synthesizer, Voice
from ivr.speech.tts.espeak import WAV_HEADER_BYTES, EspeakSynthesizer, wait_for_audio
from ivr.speech.tts.prompt_audio import PromptAudio, duration_ms

pytestmark = pytest.mark.speech


def test_speech_comes_back_as_8khz_audio_of_a_plausible_length(synthesizer: Synthesizer) -> None:
    audio = synthesizer.synthesize("Your order has shipped and should arrive on Friday.")
    seconds = len(audio) / PHONE_RATE
    assert 2.0 < seconds < 6.0
    assert level_db(audio) > -35  # speech, not silence


def test_voice_and_rate_change_the_audio(synthesizer: Synthesizer) -> None:
    text = "Thanks for calling."
    slow = synthesizer.synthesize(text, Voice("en-us", 100))
    fast = synthesizer.synthesize(text, Voice("en-us", 250))
    other = synthesizer.synthesize(text, Voice("en-gb", 100))
    assert len(slow) > 1.5 * len(fast)
    assert not np.array_equal(slow, other)


@pytest.mark.slow
def test_two_hundred_sentences_in_a_row(synthesizer: Synthesizer) -> None:
    lengths = [len(synthesizer.synthesize(f"Your return number is {n:08d}.")) for n in range(200)]
    assert min(lengths) > PHONE_RATE  # every one produced over a second of speech


def test_empty_text_is_silence_without_a_worker(synthesizer: Synthesizer) -> None:
    assert len(synthesizer.synthesize("   ")) == 0


def test_a_hung_worker_is_replaced_and_the_failure_is_clear() -> None:
    impatient = EspeakSynthesizer(workers=1, deadline=0.001)
    try:
        with pytest.raises(SynthesisError, match="failed twice"):
            impatient.synthesize("This sentence cannot be spoken in a millisecond.")
        impatient.deadline = 20.0
        assert len(impatient.synthesize("But this one can.")) > PHONE_RATE // 2
    finally:
        impatient.close()


def test_a_killed_worker_is_replaced(synthesizer: Synthesizer) -> None:
    synthesizer.synthesize("warm up")
    for worker in list(synthesizer._pool.queue):
        if worker:
            worker.process.kill()
            worker.process.join()
    assert len(synthesizer.synthesize("Still speaking after a crash.")) > PHONE_RATE


def test_prompt_audio_is_cached_on_disk_by_text_and_voice(
        synthesizer: Synthesizer, tmp_path: Path) -> None:
    cache = PromptAudio(synthesizer, tmp_path)
    first = cache.ulaw("Is there anything else I can help with?")
    path = cache.path_for("Is there anything else I can help with?")
    assert path.exists()
    assert len(decode_wav(path.read_bytes())) == len(first)
    assert duration_ms(first) == len(first) // 8
    again = PromptAudio(synthesizer, tmp_path)  # a new process would find it on disk
    assert again.ulaw("Is there anything else I can help with?") == first
    other_voice = PromptAudio(synthesizer, tmp_path, Voice("en-gb", 140))
    assert other_voice.path_for("Is there anything else I can help with?") != path


def test_render_skips_what_is_cached_and_renders_what_changed(
        synthesizer: Synthesizer, tmp_path: Path) -> None:
    cache = PromptAudio(synthesizer, tmp_path)
    assert cache.render(["Hello.", "Goodbye."]) == (2, 0)
    assert cache.render(["Hello.", "Goodbye."]) == (0, 2)
    assert cache.render(["Hello.", "Goodbye for now."]) == (1, 1)


def test_a_damaged_cache_file_is_synthesised_again(
        synthesizer: Synthesizer, tmp_path: Path) -> None:
    cache = PromptAudio(synthesizer, tmp_path)
    cache.path_for("Hello.").parent.mkdir(parents=True)
    cache.path_for("Hello.").write_bytes(b"RIFF garbage")
    assert duration_ms(cache.ulaw("Hello.")) > 300


SPEECH_WAV = wav_bytes(np.full(PHONE_RATE // 2, 1000, np.int16), PHONE_RATE)


def write_later(path: Path, seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, path.write_bytes, [SPEECH_WAV])
    timer.start()
    return timer


def test_a_worker_waits_for_a_file_still_being_written(tmp_path: Path) -> None:
    """A fresh worker's first sentence can reach the disk after runAndWait returns."""
    written = tmp_path / "speech.wav"
    written.write_bytes(SPEECH_WAV)
    assert wait_for_audio(str(written))
    late = tmp_path / "late.wav"
    timer = write_later(late, 0.1)
    assert wait_for_audio(str(late))
    timer.join()


def test_a_header_with_no_samples_is_told_at_once_not_waited_out(tmp_path: Path) -> None:
    """pyttsx3 sometimes writes an empty WAV: the worker says the sentence again at once
    rather than waiting for samples that never come (here they come, too late to matter)."""
    path = tmp_path / "speech.wav"
    path.write_bytes(SPEECH_WAV[:WAV_HEADER_BYTES])
    timer = write_later(path, 1.0)
    assert not wait_for_audio(str(path))
    assert path.stat().st_size == WAV_HEADER_BYTES  # decided before the samples arrived
    timer.join()
