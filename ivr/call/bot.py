"""The bot (grammar, matcher, order system and the policy that answers) and the audio calls
share (recogniser, prompt audio, endpointing): built once per process from Settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ivr.commerce.demo import ensure_demo
from ivr.commerce.embedded import EmbeddedOrderService
from ivr.config import Settings, VoiceDetector
from ivr.database import Database, open_database
from ivr.dialog.escalation import DialogSettings
from ivr.dialog.policy import Policy
from ivr.dialog.prompts import PromptCatalog
from ivr.nlu.frustration import FrustrationDetector
from ivr.nlu.grammar import Grammar
from ivr.nlu.loader import load_grammar
from ivr.nlu.matcher import Matcher
from ivr.speech.endpoint import EndpointSettings
from ivr.speech.engines import speech_engine
from ivr.speech.stt import SpeechEngine
from ivr.speech.tts import Voice
from ivr.speech.tts.espeak import EspeakSynthesizer
from ivr.speech.tts.prompt_audio import PromptAudio


@lru_cache(maxsize=4)
def grammar_and_matcher(folder: Path) -> tuple[Grammar, Matcher, FrustrationDetector]:
    """Load a grammar once per process: expansion takes seconds, matching a fraction of a ms."""
    grammar = load_grammar(folder)
    return grammar, Matcher(grammar), FrustrationDetector(grammar)


@dataclass(frozen=True)
class Bot:
    """What every call, in any transport, asks to understand and answer a caller."""

    grammar: Grammar
    matcher: Matcher
    orders: EmbeddedOrderService
    policy: Policy


def build_bot(settings: Settings, db: Database | None = None) -> Bot:
    """Load grammar and prompts (failing fast on errors), open the order system (in `db`, or
    the database settings name), make the policy."""
    grammar, matcher, frustration = grammar_and_matcher(settings.grammar_dir)
    prompts = PromptCatalog.load(settings.prompts_file)
    orders = EmbeddedOrderService(db or open_database(settings.database_url))
    ensure_demo(orders)
    dialog = DialogSettings(settings.shop_name, settings.max_failures, settings.confirm_below,
                            settings.agent_queue)
    policy = Policy(matcher, frustration, orders, prompts, settings=dialog)
    return Bot(grammar, matcher, orders, policy)


@dataclass(frozen=True)
class CallAudio:
    """What audio calls share on top of Bot: the recogniser and the prompt audio."""

    engine: SpeechEngine
    prompt_audio: PromptAudio
    endpoint: EndpointSettings


def build_call_audio(settings: Settings, bot: Bot) -> CallAudio:
    """Load the speech engine (once per process) and the synthesiser with its prompt cache."""
    synthesizer = EspeakSynthesizer(Voice(settings.tts_voice, settings.tts_rate))
    return CallAudio(speech_engine(settings, bot.grammar, bot.matcher),
                     PromptAudio(synthesizer, Path(settings.cache_dir)),
                     EndpointSettings(end_silence_ms=settings.end_silence_ms,
                                      incomplete_silence_ms=settings.incomplete_silence_ms,
                                      confirm_speech=settings.vad is VoiceDetector.SILERO))
