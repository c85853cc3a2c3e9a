"""The console in a real browser (Debian's chromium, driven by Playwright): an agent logs in,
a scripted call played over the media stream asks for a person and appears in the queue
within two seconds, the agent opens it, reads the context and transcript and closes it; a
supervisor sees the dashboard; a caller's markup stays text. Screenshots of the queue and the
dashboard are kept in test-artifacts/ (IVR_TEST_ARTIFACTS) for people to look at."""

from __future__ import annotations

import io
import os
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright

from ivr.call_script import ScriptRunner, load_script
from ivr.config import PROJECT_ROOT
from ivr.store.calls import NextStep
from ivr.telephony.player import RemoteCall, Webhooks
from tests.web.conftest import (
    PASSWORD,
    TOKEN,
    CallerVoices,
    add_staff,
    app_state,
    live_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(os.environ.get("IVR_TEST_ARTIFACTS", PROJECT_ROOT / "test-artifacts"))
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Without the background-networking flags chromium keeps dialling Google, which this closed
network refuses."""
QUEUE_DEADLINE_S = 2.0
HOSTILE = '<img src=x onerror="window.owned=1"><script>window.owned=1</script>'


def chromium_path() -> str:
    path = os.environ.get("IVR_TEST_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail(
            "chromium is not installed: run scripts/dev test, which installs Debian's "
            "chromium package (or point IVR_TEST_CHROMIUM at a Chromium binary)"
        )
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def live(make_app: Callable[..., Flask]) -> Iterator[tuple[Flask, str]]:
    app = make_app(IVR_PUBLIC_URL="")
    add_staff(app)
    with live_server(app) as base:
        yield app, base


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/console/")
    expect(page).to_have_url(f"{base}/console/login?next=/console/")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("header")).to_contain_text(name)


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_an_agent_takes_a_transfer_from_a_replayed_call(
    live: tuple[Flask, str], page: Page, shared_cache: Path
) -> None:
    app, base = live
    log_in(page, base, "bob")
    expect(page.locator("#queue tbody")).to_contain_text("Nobody has been transferred")

    script = load_script(PROJECT_ROOT / "audio_fixtures" / "calls" / "asks_for_agent.yaml")
    call = RemoteCall(Webhooks(base, TOKEN), script.caller, fast=True, final_status=False)
    voices = CallerVoices(shared_cache / "caller")
    with ThreadPoolExecutor(max_workers=1) as pool:  # the caller, while the agent watches
        played = pool.submit(ScriptRunner(call, voices.ulaw, io.StringIO()).run, script)
        row = page.locator(f"#queue tr[data-sid='{call.call_sid}']")
        try:
            row.wait_for(state="visible", timeout=60_000)
            shown_at = datetime.now(UTC)
        finally:
            problems = played.result(timeout=120)
            voices.synthesizer.close()
    assert problems == []
    transfer = app_state(app).store.transfer(call.call_sid)
    assert transfer is not None
    delay = shown_at - datetime.fromisoformat(transfer.requested_at)
    assert delay.total_seconds() <= QUEUE_DEADLINE_S, delay
    expect(row).to_contain_text("waiting")
    expect(row).to_contain_text("Ana Lopez")
    expect(row).to_contain_text("***0001")
    expect(row).to_contain_text("caller request")
    expect(page.locator("#waiting-count")).to_have_text("1 waiting")
    screenshot(page, "console-queue.png")

    row.get_by_role("link", name="Open").click()
    expect(page.locator("h1")).to_have_text("Call from ***0001 — Ana Lopez")
    expect(page.locator("#reason")).to_have_text("caller request")
    expect(page.locator("#state")).to_have_text("waiting")
    transcript = page.locator("#transcript")
    expect(transcript).to_contain_text("Hi Ana, thanks for calling Demo Shop.")
    expect(transcript).to_contain_text("[keys] 0")
    page.select_option("select[name=disposition]", "resolved")
    page.fill("textarea[name=note]", "Explained the delivery date.")
    page.click("text=Close transfer")
    expect(page.locator(".flash")).to_have_text("Transfer closed.")
    expect(page.locator(f"#queue tr[data-sid='{call.call_sid}']")).to_contain_text("closed")
    call.end()


def test_a_supervisor_reads_the_dashboard(live: tuple[Flask, str], page: Page) -> None:
    app, base = live
    store = app_state(app).store
    store.open_call("CAdone", "+15550100001", "gather")
    store.add_turn(
        "CAdone", "caller", "what is your return policy", intent="return_policy", confidence=0.9
    )
    store.finish_dialog("CAdone", "completed", NextStep.HANGUP)
    store.add_survey("CAdone", 4)
    log_in(page, base, "alice")
    page.click("text=Dashboard")
    expect(page.locator("#calls")).to_have_text("1")
    expect(page.locator("#containment")).to_have_text("100%")
    expect(page.locator("#satisfaction")).to_have_text("4.0")
    for chart in ("outcomes-chart", "intents-chart", "satisfaction-chart", "confidence-chart"):
        expect(page.locator(f"svg#{chart}")).to_be_visible()
    screenshot(page, "console-dashboard.png")
    with page.expect_download() as download:
        page.click("#csv")
    assert download.value.suggested_filename.startswith("ivr-calls-")


def test_a_callers_markup_is_shown_as_text(live: tuple[Flask, str], page: Page) -> None:
    app, base = live
    store = app_state(app).store
    store.open_call("CAbad", "+15550100777", "gather")
    store.add_turn("CAbad", "caller", HOSTILE, intent=None, confidence=0.4)
    store.add_transfer(
        "CAbad", "support", "no_match", {"customer": HOSTILE, "intent": None, "frustrated": True}
    )
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, base, "bob")
    row = page.locator("#queue tr[data-sid='CAbad']")
    expect(row).to_contain_text(HOSTILE)  # drawn by the polling script, as text
    time.sleep(1.5)  # at least one poll has redrawn the table
    expect(row).to_contain_text(HOSTILE)
    row.get_by_role("link", name="Open").click()
    expect(page.locator("#transcript")).to_contain_text(HOSTILE)
    assert page.evaluate("window.owned === undefined")
    assert page.locator("#transcript img, #queue img").count() == 0
    assert dialogs == []
