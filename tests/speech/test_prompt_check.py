"""Recognising the bot's prompts back from the audio a caller received (`ivr replay
--server`): each prompt heard as itself, dead air and mix-ups reported, talked-over prompts
excused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.nlu.numbers import number_words
from ivr.speech.prompt_check import PromptListener
from ivr.speech.tts import Synthesizer
from ivr.speech.tts.prompt_audio import PromptAudio

pytestmark = pytest.mark.speech

PROMPTS = [
    ("greeting", "Thanks for calling Demo Shop. I can check an order, track a parcel, start a "
                 "return or cancel an order. What can I help you with?"),
    ("suggest_order", "Is this about order 4 8 2 1 3? Say yes, or tell me a different order "
                      "number."),
    ("goodbye", "Thank you for your feedback, and thanks for calling. Goodbye!"),
]


@pytest.fixture(scope="module")
def listener() -> Iterator[PromptListener]:
    heard = PromptListener()
    yield heard
    heard.close()


@pytest.fixture(scope="module")
def audio(synthesizer: Synthesizer, speech_cache: Path) -> dict[str, bytes]:
    prompts = PromptAudio(synthesizer, speech_cache)
    return {prompt_id: prompts.ulaw(text) for prompt_id, text in PROMPTS}


@pytest.mark.parametrize(("figure", "words"), [
    (0, "zero"), (7, "seven"), (13, "thirteen"), (27, "twenty seven"), (50, "fifty"),
    (99, "ninety nine"), (115, "one hundred fifteen"), (2026, "two thousand twenty six"),
])
def test_figures_become_the_words_the_synthesiser_says(figure: int, words: str) -> None:
    assert " ".join(number_words(figure)) == words


def test_each_prompt_is_heard_back_as_itself(listener: PromptListener,
                                             audio: dict[str, bytes]) -> None:
    heard = listener.check(PROMPTS, [(audio[pid], False) for pid, _ in PROMPTS])
    assert [h.heard_as for h in heard] == [pid for pid, _ in PROMPTS]
    assert all(h.confirmed and h.problem is None for h in heard)


def test_audio_of_another_prompt_is_a_mix_up(listener: PromptListener,
                                             audio: dict[str, bytes]) -> None:
    swapped = [(audio["goodbye"], False), (audio["suggest_order"], False),
               (audio["greeting"], False)]
    heard = listener.check(PROMPTS, swapped)
    assert heard[0].problem == "prompt greeting was heard back as goodbye"
    assert heard[1].problem is None


def test_dead_air_is_reported_and_a_talked_over_prompt_is_excused(
        listener: PromptListener, audio: dict[str, bytes]) -> None:
    silence = b"\xff" * 8000 * 3  # three seconds of μ-law silence
    heard = listener.check(PROMPTS, [(silence, False), (audio["suggest_order"][:4000], True),
                                     (b"", False)])
    assert heard[0].silent and heard[0].problem == "prompt greeting reached the caller as silence"
    assert heard[1].cut and heard[1].problem is None
    assert heard[2].cut and heard[2].problem is None  # queued behind a barge-in, never played
