"""flite's voices for the audio fixtures: real speech at the asked pace, clear errors."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from ivr.errors import AudioError
from ivr.speech.codec import PHONE_RATE
from ivr.speech.tts.flite import flite_speech, is_flite_voice

pytestmark = pytest.mark.speech


def test_flite_voices_are_named_with_a_prefix() -> None:
    assert is_flite_voice("flite:slt")
    assert not is_flite_voice("en-gb+f3")


def test_speech_comes_at_the_telephone_rate_and_at_the_asked_pace() -> None:
    slow = flite_speech("where is my order", "flite:slt", 120)
    fast = flite_speech("where is my order", "flite:slt", 220)
    assert slow.dtype == np.int16
    assert 0.5 * PHONE_RATE < len(fast) < len(slow) / 1.4
    assert np.abs(slow.astype(np.int32)).max() > 3000  # speech, not silence


def test_an_unknown_voice_is_refused_rather_than_replaced() -> None:
    with pytest.raises(AudioError, match=r"no voice .nosuch.*slt"):
        flite_speech("hello", "flite:nosuch", 160)


def test_without_flite_the_error_says_how_to_install_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(AudioError, match="apt-get install flite"):
        flite_speech("hello", "flite:slt", 160)
