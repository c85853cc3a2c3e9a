"""μ-law against the G.711 reference values, resampling, WAV reading of every common shape."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from ivr.errors import AudioError
from ivr.speech.codec import (
    PHONE_FRAME_BYTES,
    decode_wav,
    frames,
    pcm_to_ulaw,
    read_wav,
    resample,
    ulaw_to_pcm,
    ulaw_wav_bytes,
    wav_bytes,
)

# (sample, μ-law code) pairs from the G.711 tables (ITU-T G.711, Sun g711.c).
KNOWN_CODES = [(0, 0xFF), (-1, 0x7E), (1, 0xFF), (32767, 0x80), (-32768, 0x00),
               (1000, 0xCE), (-1000, 0x4E), (8000, 0xA0), (-8000, 0x20)]


@pytest.mark.parametrize(("sample", "code"), KNOWN_CODES)
def test_encoding_matches_the_g711_reference(sample: int, code: int) -> None:
    assert pcm_to_ulaw(np.array([sample], dtype=np.int16)) == bytes([code])


def test_decoding_known_codes() -> None:
    decoded = ulaw_to_pcm(bytes([0xFF, 0x7F, 0x80, 0x00, 0xCE]))
    assert decoded.tolist() == [0, 0, 32124, -32124, 988]


def test_every_code_survives_decode_then_encode() -> None:
    codes = bytes(range(256))
    again = pcm_to_ulaw(ulaw_to_pcm(codes))
    # 0x7F (negative zero) legitimately re-encodes as 0xFF (positive zero).
    assert [a for a, b in zip(codes, again, strict=True) if a != b] == [0x7F]


def test_round_trip_error_is_within_the_quantisation_step() -> None:
    t = np.arange(8000) / 8000
    tone = (10000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    back = ulaw_to_pcm(pcm_to_ulaw(tone)).astype(np.int32)
    error = np.abs(back - tone)
    assert error.max() <= 512  # the largest μ-law step at this amplitude is 512
    snr = 10 * np.log10((tone.astype(float) ** 2).sum() / (error.astype(float) ** 2).sum())
    assert snr > 30


def test_resampling_keeps_a_tone_and_scales_the_length() -> None:
    t = np.arange(8000) / 8000
    tone = (8000 * np.sin(2 * np.pi * 300 * t)).astype(np.int16)
    up = resample(tone, 8000, 16000)
    assert len(up) == 16000
    spectrum = np.abs(np.fft.rfft(up))
    assert np.argmax(spectrum) == 300  # 1 Hz bins over one second
    down = resample(up, 16000, 8000)
    assert np.corrcoef(down[100:-100], tone[100:-100])[0, 1] > 0.99


def test_frames_are_20_ms_and_the_last_is_padded_with_silence() -> None:
    data = bytes(range(200)) + bytes(250)
    out = frames(data)
    assert [len(f) for f in out] == [PHONE_FRAME_BYTES] * 3
    assert out[-1].endswith(b"\xff" * 30)
    assert frames(b"") == []


def _wav(samples: np.ndarray, rate: int, width: int, channels: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def _tone(rate: int, seconds: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return np.sin(2 * np.pi * 440 * t)


@pytest.mark.parametrize("rate", [8000, 11025, 16000, 22050, 44100, 48000])
@pytest.mark.parametrize(("width", "dtype", "scale", "offset"),
                         [(1, np.uint8, 100, 128), (2, "<i2", 16000, 0), (4, "<i4", 2**30, 0)])
def test_pcm_wavs_of_any_rate_and_width_read_as_8khz_mono(
        rate: int, width: int, dtype: str, scale: int, offset: int) -> None:
    samples = (_tone(rate) * scale + offset).astype(dtype)
    pcm = decode_wav(_wav(samples, rate, width, 1))
    assert abs(len(pcm) - 4000) <= 2
    assert np.argmax(np.abs(np.fft.rfft(pcm))) == 220  # 440 Hz in 2 Hz bins


def test_48khz_stereo_is_mixed_down() -> None:
    left = (_tone(48000) * 16000).astype("<i2")
    stereo = np.column_stack([left, np.zeros_like(left)]).ravel()
    pcm = decode_wav(_wav(stereo, 48000, 2, 2))
    assert len(pcm) == 4000
    assert 7000 < np.abs(pcm).max() < 9000  # half of one channel's amplitude


def test_24_bit_wav() -> None:
    values = (_tone(16000) * 2**22).astype(np.int32)
    raw = np.frombuffer(values.astype("<i4").tobytes(), dtype=np.uint8).reshape(-1, 4)[:, :3]
    pcm = decode_wav(_wav(np.ascontiguousarray(raw), 16000, 3, 1))
    assert 15000 < np.abs(pcm).max() < 17000  # half of full scale


def test_ulaw_wav_round_trip() -> None:
    tone = (_tone(8000) * 12000).astype(np.int16)
    ulaw = pcm_to_ulaw(tone)
    assert pcm_to_ulaw(decode_wav(ulaw_wav_bytes(ulaw))) == ulaw


def test_pcm_wav_writer_round_trip() -> None:
    tone = (_tone(8000) * 12000).astype(np.int16)
    assert np.array_equal(decode_wav(wav_bytes(tone, 8000)), tone)


def test_truncated_wav_keeps_what_arrived() -> None:
    whole = wav_bytes((_tone(8000) * 12000).astype(np.int16), 8000)
    assert 900 <= len(decode_wav(whole[:2000])) <= 1000


@pytest.mark.parametrize("raw", [b"", b"RIFF", b"not a wav file at all" * 10,
                                 b"RIFF\x00\x00\x00\x00WAVEjunk", wav_bytes(np.zeros(0, np.int16),
                                                                           8000)[:36]])
def test_corrupt_wavs_are_a_clear_error(raw: bytes) -> None:
    with pytest.raises(AudioError):
        decode_wav(raw)


def test_zero_length_audio_is_empty_not_an_error() -> None:
    assert len(decode_wav(wav_bytes(np.zeros(0, np.int16), 16000))) == 0


def test_missing_file_names_the_file(tmp_path) -> None:
    with pytest.raises(AudioError, match=r"nowhere\.wav"):
        read_wav(tmp_path / "nowhere.wav")
