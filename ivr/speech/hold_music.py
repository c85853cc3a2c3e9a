"""Hold music: a quiet, slowly repeating arpeggio, synthesised so the project ships no audio
files with licences to track. Telephone band (8 kHz μ-law); soft, so a caller can still hear
the queue announcements over it without reaching for the volume."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ivr.speech.codec import PHONE_RATE, pcm_to_ulaw, ulaw_wav_bytes

_NOTES_HZ = (261.63, 329.63, 392.00, 523.25, 392.00, 329.63)
"""C major, up and down: calm and unmistakably 'please hold'."""
_NOTE_S = 0.5
_LEVEL = 0.12


@lru_cache(maxsize=1)
def hold_music_wav(seconds: int = 20) -> bytes:
    """`seconds` of hold music as a μ-law WAV file."""
    note_samples = int(_NOTE_S * PHONE_RATE)
    t = np.arange(note_samples) / PHONE_RATE
    envelope = np.minimum(1.0, t / 0.05) * np.exp(-3.0 * t)
    notes = [np.sin(2 * np.pi * hz * t) * envelope for hz in _NOTES_HZ]
    phrase = np.concatenate(notes)
    repeats = max(1, int(seconds / (_NOTE_S * len(_NOTES_HZ))))
    samples = np.tile(phrase, repeats) * _LEVEL * 32767
    return ulaw_wav_bytes(pcm_to_ulaw(samples.astype(np.int16)))
