from __future__ import annotations

import pytest

from ivr.nlu.frustration import FrustrationDetector


@pytest.mark.parametrize(("text", "frustrated"), [
    ("this is ridiculous", True),
    ("Oh for fuck's sake", True),
    ("I'm so fed up with this", True),
    ("you're useless", True),
    ("stupid robot", True),
    ("I've told you this already", True),
    ("where is my parcel", False),
    ("I want to return it, it's damaged", False),
    ("thank you", False),
    ("", False),
])
def test_frustration(frustration: FrustrationDetector, text: str, frustrated: bool) -> None:
    assert frustration.is_frustrated(text) is frustrated
