"""Telephone audio: G.711 μ-law ⇄ 16-bit PCM, 8 ⇄ 16 kHz resampling, WAV files, 20 ms frames.

Twilio carries calls as 8 kHz μ-law; recognisers and synthesisers want linear PCM, often at
16 kHz. Every conversion lives here so transports only move bytes. `audioop` left the standard
library in Python 3.13, so μ-law uses numpy lookup tables (the G.711 reference algorithm).
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import soxr

from ivr.errors import AudioError

PHONE_RATE = 8000
"""Sample rate of telephone audio (Twilio Media Streams, μ-law)."""
FRAME_MS = 20
"""Twilio sends and expects 20 ms media frames."""
PHONE_FRAME_BYTES = PHONE_RATE * FRAME_MS // 1000
"""One 20 ms μ-law frame at 8 kHz: 160 bytes."""

_BIAS = 0x84
_BIAS_14 = 0x21
_CLIP_14 = 8159
_WAVE_FORMAT_MULAW = 7
_WAVE_FORMAT_PCM = 1
_WAVE_FORMAT_EXTENSIBLE = 0xFFFE


def _decode_table() -> np.ndarray:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(codes & 0x80, -magnitude, magnitude).astype(np.int16)


def _encode_table() -> np.ndarray:
    """μ-law code for every 16-bit sample value, indexed by sample + 32768.

    Follows the G.711 reference (Sun's g711.c, as audioop did): samples are taken at 14 bits,
    so the result matches what other telephone equipment produces, code for code.
    """
    samples = np.arange(-32768, 32768, dtype=np.int32) >> 2
    mask = np.where(samples < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(samples), _CLIP_14) + _BIAS_14
    segment = np.floor(np.log2(magnitude)).astype(np.int32) - 5
    code = np.where(segment >= 8, 0x7F, (segment << 4) | ((magnitude >> (segment + 1)) & 0x0F))
    return (code ^ mask).astype(np.uint8)


_ULAW_TO_PCM = _decode_table()
_PCM_TO_ULAW = _encode_table()


def ulaw_to_pcm(data: bytes) -> np.ndarray:
    """μ-law bytes → int16 samples."""
    return _ULAW_TO_PCM[np.frombuffer(data, dtype=np.uint8)]


def pcm_to_ulaw(samples: np.ndarray) -> bytes:
    """int16 samples → μ-law bytes."""
    return bytes(_PCM_TO_ULAW[samples.astype(np.int32) + 32768])


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """int16 samples at one rate → int16 samples at another (soxr, high quality)."""
    if from_rate == to_rate or samples.size == 0:
        return samples.astype(np.int16, copy=False)
    out = soxr.resample(samples.astype(np.float32) / 32768.0, from_rate, to_rate)
    return to_int16(out)


def to_int16(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] → int16, clipped rather than wrapped."""
    return np.clip(np.round(samples * 32768.0), -32768, 32767).astype(np.int16)


def frames(data: bytes, frame_bytes: int = PHONE_FRAME_BYTES) -> list[bytes]:
    """Split audio into fixed frames; the last one is padded with μ-law silence (0xFF)."""
    out = [data[i:i + frame_bytes] for i in range(0, len(data), frame_bytes)]
    if out and len(out[-1]) < frame_bytes:
        out[-1] = out[-1] + b"\xff" * (frame_bytes - len(out[-1]))
    return out


def read_wav(path: Path | str, rate: int = PHONE_RATE) -> np.ndarray:
    """Any common WAV (PCM 8/16/24/32-bit, float, μ-law; any channels; any rate) → mono int16.

    Raise AudioError naming the file when it is not a readable WAV, rather than a traceback.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise AudioError(f"{path}: cannot read ({exc.strerror})") from exc
    try:
        return decode_wav(raw, rate)
    except AudioError as exc:
        raise AudioError(f"{path}: {exc}") from exc


def decode_wav(raw: bytes, rate: int = PHONE_RATE) -> np.ndarray:
    """WAV bytes → mono int16 at `rate`."""
    fmt = _parse_fmt(raw)
    audio_format, channels, source_rate, bits = fmt
    data = _data_chunk(raw)
    width = bits // 8
    if channels < 1 or source_rate < 1000 or width < 1:
        raise AudioError(f"unsupported WAV header (channels {channels}, rate {source_rate})")
    usable = len(data) - len(data) % (width * channels)
    data = data[:usable]
    if audio_format == _WAVE_FORMAT_MULAW and width == 1:
        samples = ulaw_to_pcm(data).astype(np.float32) / 32768.0
    elif audio_format == 3 and width == 4:
        samples = np.frombuffer(data, dtype="<f4").astype(np.float32)
    elif audio_format == _WAVE_FORMAT_PCM:
        samples = _pcm_samples(data, width)
    else:
        raise AudioError(f"unsupported WAV encoding {audio_format} with {bits} bits")
    mono = samples.reshape(-1, channels).mean(axis=1) if channels > 1 else samples
    pcm = to_int16(mono)
    return resample(pcm, source_rate, rate)


def _pcm_samples(data: bytes, width: int) -> np.ndarray:
    match width:
        case 1:
            return (np.frombuffer(data, dtype=np.uint8).astype(np.float32) - 128) / 128.0
        case 2:
            return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
        case 3:
            bytes3 = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
            value = bytes3[:, 0] | (bytes3[:, 1] << 8) | (bytes3[:, 2] << 16)
            value = np.where(value & 0x800000, value - 0x1000000, value)
            return value.astype(np.float32) / 8388608.0
        case 4:
            return np.frombuffer(data, dtype="<i4").astype(np.float32) / 2147483648.0
    raise AudioError(f"unsupported sample width {width * 8} bits")


def _chunks(raw: bytes) -> dict[bytes, bytes]:
    if len(raw) < 12 or raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise AudioError("not a WAV file (no RIFF/WAVE header)")
    chunks: dict[bytes, bytes] = {}
    pos = 12
    while pos + 8 <= len(raw):
        name = raw[pos:pos + 4]
        size = int.from_bytes(raw[pos + 4:pos + 8], "little")
        chunks.setdefault(name, raw[pos + 8:pos + 8 + size])  # a truncated chunk keeps its part
        pos += 8 + size + (size & 1)
    return chunks


def _parse_fmt(raw: bytes) -> tuple[int, int, int, int]:
    fmt = _chunks(raw).get(b"fmt ")
    if fmt is None or len(fmt) < 16:
        raise AudioError("WAV file has no format chunk")
    audio_format = int.from_bytes(fmt[0:2], "little")
    channels = int.from_bytes(fmt[2:4], "little")
    rate = int.from_bytes(fmt[4:8], "little")
    bits = int.from_bytes(fmt[14:16], "little")
    if audio_format == _WAVE_FORMAT_EXTENSIBLE and len(fmt) >= 26:
        audio_format = int.from_bytes(fmt[24:26], "little")
    return audio_format, channels, rate, bits


def _data_chunk(raw: bytes) -> bytes:
    data = _chunks(raw).get(b"data")
    if data is None:
        raise AudioError("WAV file has no audio data chunk")
    return data


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """Mono int16 samples → a 16-bit PCM WAV file's bytes."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def ulaw_wav_bytes(ulaw: bytes) -> bytes:
    """8 kHz μ-law bytes → a μ-law WAV file (format 7), the telephone band as it is carried."""
    fmt = (_WAVE_FORMAT_MULAW.to_bytes(2, "little") + (1).to_bytes(2, "little")
           + PHONE_RATE.to_bytes(4, "little") + PHONE_RATE.to_bytes(4, "little")
           + (1).to_bytes(2, "little") + (8).to_bytes(2, "little") + (0).to_bytes(2, "little"))
    body = (b"WAVE" + b"fmt " + len(fmt).to_bytes(4, "little") + fmt
            + b"data" + len(ulaw).to_bytes(4, "little") + ulaw + (b"\0" if len(ulaw) & 1 else b""))
    return b"RIFF" + len(body).to_bytes(4, "little") + body
