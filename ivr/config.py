"""Settings from the environment, validated once at startup with every problem reported together.

Each field is one IVR_* or TWILIO_* variable; the README's configuration table lists them. A
server that starts with bad settings fails later in a call, where the caller pays for it: so we
fail here instead, naming each variable and what it accepts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ivr.errors import ConfigError
from ivr.hours import BusinessHours

T = TypeVar("T")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout: grammars/, prompts/ and var/ live here unless configured elsewhere."""


class Mode(StrEnum):
    """How Twilio calls reach the dialog."""

    STREAM = "stream"
    GATHER = "gather"


class VoiceDetector(StrEnum):
    """What decides which frames of caller audio hold speech."""

    SILERO = "silero"
    """The energy endpointer and Silero VAD must both hear speech (ivr.speech.vad)."""
    ENERGY = "energy"
    """The energy endpointer alone."""


class LogFormat(StrEnum):
    """How log lines are written."""

    TEXT = "text"
    """`LEVEL logger: message`, for people reading a terminal."""
    JSON = "json"
    """One JSON object per line, for a log collector."""


class SttEngine(StrEnum):
    """Which local recogniser turns caller audio into text."""

    WHISPER = "whisper"
    VOSK = "vosk"
    POCKETSPHINX = "pocketsphinx"


@dataclass(frozen=True)
class Settings:
    """Everything the server and the command line need to know about their environment."""

    database_url: str
    """IVR_DATABASE_URL: `postgresql://user[:password]@host[:port]/db` for servers sharing one
    database, or a SQLite file (`sqlite:///path` or a plain path), the embedded default."""
    grammar_dir: Path
    """Folder of grammar YAML files (IVR_GRAMMAR_DIR)."""
    prompts_file: Path
    """The prompt catalogue (IVR_PROMPTS)."""
    shop_name: str = "Demo Shop"
    """Said in the greeting (IVR_SHOP_NAME)."""
    max_failures: int = 3
    """Silences or misunderstandings in a row before a transfer (IVR_MAX_FAILURES)."""
    confirm_below: float = 0.6
    """Order numbers heard with less confidence are read back (IVR_CONFIRM_BELOW)."""
    agent_queue: str = "support"
    """The queue transfers join (IVR_AGENT_QUEUE)."""
    twilio_auth_token: str = ""
    """Signs every Twilio webhook (TWILIO_AUTH_TOKEN); without it every webhook is refused."""
    public_url: str = ""
    """The URL Twilio uses to reach us (IVR_PUBLIC_URL), for signatures and stream URLs."""
    mode: Mode = Mode.STREAM
    """stream (local speech) or gather (Twilio's speech) (IVR_MODE)."""
    stt: SttEngine = SttEngine.WHISPER
    """whisper, pocketsphinx or vosk (IVR_STT)."""
    whisper_model: str = "tiny.en"
    """A folder holding a CTranslate2 Whisper model, or a model name: tiny.en and base work
    offline (IVR_WHISPER_MODEL)."""
    vosk_model: Path | None = None
    """Folder of a Vosk model (IVR_VOSK_MODEL)."""
    cache_dir: Path = PROJECT_ROOT / "var" / "cache"
    """Rendered prompt audio and compiled speech grammars (IVR_CACHE_DIR)."""
    tts_voice: str = "en-us"
    """espeak-ng voice the bot speaks with, e.g. en-us, en-gb+f3 (IVR_TTS_VOICE)."""
    tts_rate: int = 160
    """Speaking rate in words per minute (IVR_TTS_RATE)."""
    end_silence_ms: int = 600
    """Silence that ends a caller's turn (IVR_END_SILENCE_MS)."""
    incomplete_silence_ms: int = 0
    """Silence that ends it when the words so far are not yet a whole request
    (IVR_INCOMPLETE_SILENCE_MS); 0: off, every turn ends after end_silence_ms."""
    vad: VoiceDetector = VoiceDetector.SILERO
    """What tells speech from noise (IVR_VAD): silero or energy."""
    dev_unsigned_webhooks: bool = False
    """Accept unsigned Twilio webhooks (IVR_DEV_UNSIGNED_WEBHOOKS=1): development only, and
    announced loudly at startup and on /healthz."""
    business_hours: BusinessHours = field(default_factory=BusinessHours.always)
    """When agents answer (IVR_BUSINESS_HOURS, e.g. `Mon-Fri 09:00-17:00`, in IVR_TIMEZONE);
    empty: always."""
    callback_after_s: int = 120
    """Seconds in the queue before the caller is offered a callback (IVR_CALLBACK_AFTER_S)."""
    agent_number: str = ""
    """An agent's phone (E.164) to dial directly instead of a queue (IVR_AGENT_NUMBER)."""
    webhook_speech: str = "play"
    """How webhook TwiML speaks: `play` our rendered audio or `say` with Twilio's voice
    (IVR_WEBHOOK_SPEECH)."""
    secret_key: str = ""
    """Signs console session cookies (IVR_SECRET_KEY); empty: a random key kept in the
    database, made on first start and shared by every server using it."""
    retention_days: int = 90
    """What callers said and their numbers are deleted from calls older than this
    (IVR_RETENTION_DAYS); outcomes, durations and intents stay."""
    metrics_token: str = ""
    """Bearer token GET /metrics asks for (IVR_METRICS_TOKEN); empty: only loopback may read
    it."""
    log_format: LogFormat = field(default_factory=lambda: LogFormat.TEXT)
    """text or json: one JSON object per line (IVR_LOG_FORMAT)."""
    workers: int = 1
    """gunicorn worker processes `ivr serve` starts (IVR_WORKERS); each loads the models."""
    host: str = "127.0.0.1"
    """Address `ivr serve` listens on (IVR_HOST)."""
    port: int = 8080
    """Port `ivr serve` listens on (IVR_PORT)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every variable; raise one ConfigError listing all problems."""
        env = os.environ if env is None else env
        reader = _Reader(env)
        zone = reader.get("IVR_TIMEZONE", _zone, "UTC")
        settings = cls(
            database_url=reader.get("IVR_DATABASE_URL", _database_url,
                                     str(PROJECT_ROOT / "var" / "ivr.db")),
            grammar_dir=reader.get("IVR_GRAMMAR_DIR", _existing_dir,
                                   str(PROJECT_ROOT / "grammars" / "en")),
            prompts_file=reader.get("IVR_PROMPTS", _existing_file,
                                    str(PROJECT_ROOT / "prompts" / "en.yaml")),
            shop_name=reader.get("IVR_SHOP_NAME", _non_empty, "Demo Shop"),
            max_failures=reader.get("IVR_MAX_FAILURES", _int_between(1, 10), "3"),
            confirm_below=reader.get("IVR_CONFIRM_BELOW", _fraction, "0.6"),
            agent_queue=reader.get("IVR_AGENT_QUEUE", _non_empty, "support"),
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", "").strip(),
            public_url=reader.get("IVR_PUBLIC_URL", _http_url, ""),
            mode=reader.get("IVR_MODE", Mode, "stream"),
            stt=reader.get("IVR_STT", SttEngine, "whisper"),
            whisper_model=reader.get("IVR_WHISPER_MODEL", _non_empty, "tiny.en"),
            vosk_model=reader.get("IVR_VOSK_MODEL", _optional(_existing_dir), ""),
            cache_dir=reader.get("IVR_CACHE_DIR", Path, str(PROJECT_ROOT / "var" / "cache")),
            tts_voice=reader.get("IVR_TTS_VOICE", _non_empty, "en-us"),
            tts_rate=reader.get("IVR_TTS_RATE", _int_between(80, 400), "160"),
            end_silence_ms=reader.get("IVR_END_SILENCE_MS", _int_between(200, 3000), "600"),
            incomplete_silence_ms=reader.get("IVR_INCOMPLETE_SILENCE_MS",
                                             _int_between(0, 5000), "0"),
            vad=reader.get("IVR_VAD", VoiceDetector, "silero"),
            dev_unsigned_webhooks=reader.get("IVR_DEV_UNSIGNED_WEBHOOKS", _flag, "0"),
            business_hours=reader.get("IVR_BUSINESS_HOURS",
                                      lambda raw: BusinessHours.parse(raw, zone), ""),
            callback_after_s=reader.get("IVR_CALLBACK_AFTER_S", _int_between(10, 3600), "120"),
            agent_number=reader.get("IVR_AGENT_NUMBER", _e164, ""),
            webhook_speech=reader.get("IVR_WEBHOOK_SPEECH", _one_of("play", "say"), "play"),
            secret_key=reader.get("IVR_SECRET_KEY", _secret, ""),
            retention_days=reader.get("IVR_RETENTION_DAYS", _int_between(1, 3650), "90"),
            metrics_token=env.get("IVR_METRICS_TOKEN", "").strip(),
            log_format=reader.get("IVR_LOG_FORMAT", LogFormat, "text"),
            workers=reader.get("IVR_WORKERS", _int_between(1, 64), "1"),
            host=reader.get("IVR_HOST", _non_empty, "127.0.0.1"),
            port=reader.get("IVR_PORT", _int_between(1, 65535), "8080"),
        )
        reader.raise_problems()
        return settings


class _Reader:
    """Parses variables one by one and collects what is wrong instead of stopping at the first."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        self.problems: list[str] = []

    def get(self, name: str, parse: Callable[[str], T], default: str) -> T:
        raw = self._env.get(name, "").strip() or default
        try:
            return parse(raw)
        except (ValueError, TypeError) as exc:
            self.problems.append(f"{name}={raw!r}: {exc}")
            return parse(default)

    def raise_problems(self) -> None:
        if self.problems:
            listing = "\n  ".join(self.problems)
            raise ConfigError(f"invalid configuration (fix these variables):\n  {listing}")


def _optional(parse: Callable[[str], T]) -> Callable[[str], T | None]:
    return lambda raw: parse(raw) if raw else None


def _non_empty(raw: str) -> str:
    if not raw:
        raise ValueError("must not be empty")
    return raw


def _int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = int(raw)
        if not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return value

    return parse


def _flag(raw: str) -> bool:
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be 1 or 0")


def _one_of(*choices: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in choices:
            raise ValueError(f"must be one of: {', '.join(choices)}")
        return raw

    return parse


def _zone(raw: str) -> ZoneInfo:
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("must be a time zone name such as Europe/London") from exc


def _e164(raw: str) -> str:
    if raw and not re.fullmatch(r"\+[1-9]\d{6,14}", raw):
        raise ValueError("must be a phone number in E.164 form, like +15550100200")
    return raw


def _secret(raw: str) -> str:
    if raw and len(raw) < 32:
        raise ValueError("must be at least 32 characters (or unset: a random key is kept "
                         "beside the database)")
    return raw


def _fraction(raw: str) -> float:
    value = float(raw)
    if not 0.0 <= value <= 1.0:
        raise ValueError("must be a number from 0 to 1")
    return value


def _http_url(raw: str) -> str:
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL such as https://ivr.example.com")
    return raw.rstrip("/")


def _existing_dir(raw: str) -> Path:
    path = Path(raw)
    if not path.is_dir():
        raise ValueError("must be an existing folder")
    return path


def _existing_file(raw: str) -> Path:
    path = Path(raw)
    if not path.is_file():
        raise ValueError("must be an existing file")
    return path


def _database_url(raw: str) -> str:
    if raw.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(raw)
        if not parts.hostname or not parts.path.strip("/"):
            raise ValueError("a PostgreSQL URL names a host and a database: "
                             "postgresql://user[:password]@host[:port]/database")
        return raw
    if "://" in raw and not raw.startswith("sqlite:///"):
        raise ValueError("use postgresql://user[:password]@host[:port]/database, "
                         "sqlite:///path/to/ivr.db or a file path")
    return "sqlite:///" + raw.removeprefix("sqlite:///")
