"""Shared fixtures: the real grammar (loaded once), a fresh demo database per test, the policy,
and a scripted-call helper that drives a CallSession the way a transport would."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ivr.call.bot import grammar_and_matcher
from ivr.call.session import CallSession
from ivr.commerce.demo import reset_demo
from ivr.commerce.embedded import EmbeddedOrderService
from ivr.config import PROJECT_ROOT, Settings
from ivr.database import SqliteDatabase
from ivr.dialog.escalation import DialogSettings
from ivr.dialog.policy import Policy
from ivr.dialog.prompts import PromptCatalog
from ivr.events import Action, Ask, Dtmf, Heard, NoInput, Say, Transfer
from ivr.nlu.frustration import FrustrationDetector
from ivr.nlu.grammar import Grammar
from ivr.nlu.matcher import Matcher
from tests.databases import PostgresServer

GRAMMAR_DIR = PROJECT_ROOT / "grammars" / "en"
PROMPTS_FILE = PROJECT_ROOT / "prompts" / "en.yaml"
ANA = "+15550100001"
BEN = "+15550100002"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with the most slow tests first, each file's own order kept: `scripts/dev test`
    hands whole files to its processes in this order, and a long file handed out last would
    keep the run waiting for it alone."""
    slow = Counter(item.path for item in items if item.get_closest_marker("slow"))
    items.sort(key=lambda item: -slow[item.path])


@pytest.fixture(scope="session")
def grammar() -> Grammar:
    return grammar_and_matcher(GRAMMAR_DIR)[0]


@pytest.fixture(scope="session")
def matcher() -> Matcher:
    return grammar_and_matcher(GRAMMAR_DIR)[1]


@pytest.fixture(scope="session")
def frustration() -> FrustrationDetector:
    return grammar_and_matcher(GRAMMAR_DIR)[2]


@pytest.fixture(scope="session")
def prompts() -> PromptCatalog:
    return PromptCatalog.load(PROMPTS_FILE)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "ivr.db"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole run, started on first use."""
    server = PostgresServer()
    yield server
    server.close()


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the test's own, for tests that stop and start it."""
    server = PostgresServer()
    yield server
    server.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, db_path: Path) -> str:
    """A new, empty database of each kind the store supports."""
    if request.param == "sqlite":
        return f"sqlite:///{db_path}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()


@pytest.fixture
def orders(db_path: Path) -> EmbeddedOrderService:
    service = EmbeddedOrderService(SqliteDatabase(db_path))
    reset_demo(service)
    return service


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return Settings.from_env({"IVR_DATABASE_URL": f"sqlite:///{db_path}"})


@pytest.fixture
def policy(matcher: Matcher, frustration: FrustrationDetector, orders: EmbeddedOrderService,
           prompts: PromptCatalog) -> Policy:
    return Policy(matcher, frustration, orders, prompts,
                  settings=DialogSettings(shop_name="Demo Shop"))


class ScriptedCall:
    """A call driven step by step; every step returns the bot's actions."""

    def __init__(self, policy: Policy, caller: str) -> None:
        self.session = CallSession(policy, "CAtest", caller)
        self.log: list[Action] = []
        self.greeting = self._record(self.session.start())

    def _record(self, actions: list[Action]) -> list[Action]:
        self.log.extend(actions)
        return actions

    def say(self, text: str, confidence: float = 1.0, rejected: bool = False) -> list[Action]:
        return self._record(self.session.handle(Heard(text, confidence, rejected)))

    def speaks(self, language: str) -> list[Action]:
        """A turn the recogniser heard as another language than English."""
        return self._record(self.session.handle(Heard("", 0.0, True, language)))

    def keys(self, digits: str) -> list[Action]:
        return self._record(self.session.handle(Dtmf(digits)))

    def silence(self) -> list[Action]:
        return self._record(self.session.handle(NoInput()))

    @property
    def state(self):  # type: ignore[no-untyped-def]
        return self.session.state

    def spoken(self) -> str:
        """Everything the bot said so far, as one text."""
        return " ".join(a.text for a in self.log if isinstance(a, Say | Ask))

    def transfer(self) -> Transfer | None:
        return next((a for a in self.log if isinstance(a, Transfer)), None)


def prompt_ids(actions: list[Action]) -> list[str]:
    return [a.prompt_id for a in actions if isinstance(a, Say | Ask)]


@pytest.fixture
def call(policy: Policy) -> Callable[..., ScriptedCall]:
    def start(caller: str = "") -> ScriptedCall:
        return ScriptedCall(policy, caller)

    return start
