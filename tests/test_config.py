from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import LogFormat, Mode, Settings, SttEngine, VoiceDetector
from ivr.errors import ConfigError


def test_defaults_need_no_environment() -> None:
    settings = Settings.from_env({})
    assert settings.mode is Mode.STREAM and settings.stt is SttEngine.WHISPER
    assert settings.whisper_model == "tiny.en"
    assert settings.max_failures == 3 and settings.agent_queue == "support"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("/var/ivr.db")
    assert settings.incomplete_silence_ms == 0  # half-said requests: off unless set
    assert settings.vad is VoiceDetector.SILERO


def test_values_are_parsed(tmp_path: Path) -> None:
    settings = Settings.from_env({
        "IVR_DATABASE_URL": f"sqlite:///{tmp_path}/a.db", "IVR_MODE": "gather",
        "IVR_STT": "pocketsphinx", "IVR_MAX_FAILURES": "5", "IVR_CONFIRM_BELOW": "0.4",
        "IVR_PUBLIC_URL": "https://ivr.example.com/", "IVR_PORT": "9000",
        "IVR_INCOMPLETE_SILENCE_MS": "1500", "IVR_VAD": "energy", "IVR_RETENTION_DAYS": "30",
        "IVR_LOG_FORMAT": "json", "IVR_WORKERS": "4",
    })
    assert (settings.retention_days, settings.log_format, settings.workers) == (
        30, LogFormat.JSON, 4)
    assert settings.vad is VoiceDetector.ENERGY
    assert settings.database_url == f"sqlite:///{tmp_path}/a.db"
    assert settings.mode is Mode.GATHER and settings.stt is SttEngine.POCKETSPHINX
    assert settings.public_url == "https://ivr.example.com"
    assert (settings.max_failures, settings.confirm_below, settings.port) == (5, 0.4, 9000)
    assert (settings.end_silence_ms, settings.incomplete_silence_ms) == (600, 1500)


def test_every_problem_is_reported_together() -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env({"IVR_MAX_FAILURES": "0", "IVR_CONFIRM_BELOW": "2",
                           "IVR_STT": "kaldi", "IVR_DATABASE_URL": "postgresql://db:5432",
                           "IVR_VAD": "webrtc",
                           "IVR_GRAMMAR_DIR": "/nonexistent", "IVR_SECRET_KEY": "hunter2"})
    message = str(error.value)
    for name in ("IVR_MAX_FAILURES", "IVR_CONFIRM_BELOW", "IVR_STT", "IVR_DATABASE_URL",
                 "IVR_GRAMMAR_DIR", "IVR_SECRET_KEY", "IVR_VAD"):
        assert name in message
    assert "names a host and a database" in message


@pytest.mark.parametrize(("raw", "url"), [
    ("postgresql://ivr:pw@db.internal:5433/calls", "postgresql://ivr:pw@db.internal:5433/calls"),
    ("postgres://db/ivr", "postgres://db/ivr"),
    ("/srv/ivr/ivr.db", "sqlite:////srv/ivr/ivr.db"),
    ("sqlite:///var/ivr.db", "sqlite:///var/ivr.db"),
])
def test_the_database_is_postgresql_or_a_sqlite_file(raw: str, url: str) -> None:
    assert Settings.from_env({"IVR_DATABASE_URL": raw}).database_url == url


def test_another_kind_of_database_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"IVR_DATABASE_URL.*postgresql://"):
        Settings.from_env({"IVR_DATABASE_URL": "mysql://db/ivr"})
