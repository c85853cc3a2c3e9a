"""AppState: everything one server process's request handlers share, built once by create_app.

The matcher's context indexes and the speech engine's context grammars take seconds to build,
so they are prepared on background threads at startup (`speech_ready`); a call arriving
meanwhile waits only for the matcher's.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app

from ivr.call.bot import Bot, CallAudio, build_bot, build_call_audio
from ivr.call.live import LiveSessions
from ivr.config import Mode, Settings
from ivr.dialog.state import PHASE_CONTEXTS
from ivr.errors import DatabaseError
from ivr.metrics import DATABASE_SECONDS
from ivr.nlu.hints import hint_phrases
from ivr.store import open_store
from ivr.store.accounts import AccountStore
from ivr.store.calls import CallStore
from ivr.store.console import ConsoleStore
from ivr.store.dashboard import DashboardStore
from ivr.store.dialogs import DialogStore
from ivr.store.retention import RetentionStore

log = logging.getLogger(__name__)

PURGE_EVERY_S = 24 * 3600


@dataclass
class AppState:
    """The shared, long-lived parts of a running server."""

    settings: Settings
    bot: Bot
    store: CallStore
    audio: CallAudio
    accounts: AccountStore
    console: ConsoleStore
    dashboard: DashboardStore
    live: LiveSessions
    """Gather-mode dialogs between webhooks."""
    speech_ready: threading.Event = field(default_factory=threading.Event)
    _hints: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    _hints_lock: threading.Lock = field(default_factory=threading.Lock)

    def hints(self, contexts: tuple[str, ...]) -> list[str]:
        """<Gather hints> for a context set (seconds to compute, so kept)."""
        with self._hints_lock:
            if contexts not in self._hints:
                self._hints[contexts] = hint_phrases(self.bot.grammar, contexts)
            return self._hints[contexts]


def build_app_state(settings: Settings) -> AppState:
    """Open (and upgrade) the database first: a wrong URL or password stops the start here."""
    db = open_store(settings.database_url)
    db.timed = DATABASE_SECONDS.observe
    bot = build_bot(settings, db)
    store = CallStore(db)
    app_state = AppState(settings, bot, store, build_call_audio(settings, bot),
                        AccountStore(db), ConsoleStore(db), DashboardStore(db),
                        LiveSessions(DialogStore(db), store, bot.policy))
    threading.Thread(target=_prepare_speech, args=(app_state,), name="prepare-speech",
                     daemon=True).start()
    threading.Thread(target=_purge_daily, args=(RetentionStore(db), settings.retention_days),
                     name="purge-daily", daemon=True).start()
    return app_state


def _purge_daily(retention: RetentionStore, days: int) -> None:
    """IVR_RETENTION_DAYS kept without anyone remembering to: at start, then once a day."""
    while True:
        try:
            purged = retention.purge(days)
            log.info("retention (%d days): %d turn texts, %d context packets, %d caller "
                     "numbers, %d other records deleted", days, purged.turns,
                     purged.transfers, purged.calls, purged.other)
        except DatabaseError:
            log.exception("retention: could not delete old call data; trying again tomorrow")
        time.sleep(PURGE_EVERY_S)


def _prepare_speech(app_state: AppState) -> None:
    """Build what the first calls would otherwise wait for, side by side: the matcher's
    per-context indexes (seconds for `main`; a call's first match waits for the build under way)
    and the recogniser's grammars, decoder processes and warm-up decodes, or Gather mode's
    hints. Whisper's sentence tables, the longest part, a call does without until they are
    built, so a caller during warm-up is answered in seconds, not after it."""
    context_sets = sorted({contexts for contexts in PHASE_CONTEXTS.values() if contexts})

    def prepare_recogniser() -> None:
        if app_state.settings.mode is Mode.GATHER:
            for contexts in context_sets:
                app_state.hints(contexts)
        else:
            app_state.audio.engine.prepare(context_sets)

    steps = [threading.Thread(target=_in_advance, args=(step,), name=f"prepare-{name}",
                              daemon=True)
             for name, step in (("matcher", app_state.bot.matcher.prepare),
                                ("recogniser", prepare_recogniser))]
    for step in steps:
        step.start()
    for step in steps:
        step.join()
    app_state.speech_ready.set()


def _in_advance(step: Callable[[], object]) -> None:
    try:
        step()
    except Exception:  # a startup helper: calls build what they need on demand anyway
        log.exception("could not prepare the speech grammars in advance")


def current_app_state() -> AppState:
    app_state: AppState = current_app.extensions["ivr"]
    return app_state
