"""The dashboard in headless Chromium: every page loads without console errors or broken images,
the slider and the buttons work, live updates arrive, and a screenshot of each page is kept.

Chromium comes from the machine's packages (`apt-get install -y chromium`), driven by Playwright
from PyPI; without either the tests skip, saying why. Screenshots go to `build/screenshots/`
(or `$DASHBOARD_SCREENSHOTS`); `DASHBOARD_DOCS_SCREENSHOT=docs/dashboard.png` also writes the
README's picture of the jobs page.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulator.testing import EmulatorServer

from .helpers import Receiver, data_url
from .test_dashboard import ART, VSAI, Demo, jobs_of_render, photo_bytes, play_demo

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - playwright is a test dependency
    sync_playwright = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("DASHBOARD_SCREENSHOTS") or ROOT / "build" / "screenshots")
WAIT = 10_000  # ms: the longest any step may take

pytestmark = [
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed"),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"no Chromium at {CHROMIUM}: apt-get install -y chromium (or set CHROMIUM=path)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    with Receiver() as receiver, EmulatorServer() as emu:
        yield play_demo(emu, receiver)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page that fails the test on any console error or uncaught exception."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(WAIT)
    errors: list[str] = []
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    opened.on("dialog", lambda dialog: dialog.accept())
    yield opened
    context.close()
    assert errors == [], errors


def settle(page: Page) -> None:
    """Every lazy image scrolled into view and loaded, then back to the top."""
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function(
        "[...document.images].every((img) => img.complete)", polling=100, timeout=WAIT
    )
    page.evaluate("window.scrollTo(0, 0)")
    broken = page.evaluate("[...document.images].filter((i) => i.naturalWidth === 0).length")
    assert broken == 0


def shoot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"dashboard-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_every_page_loads_cleanly_and_is_captured(demo: Demo, page: Page) -> None:
    job = jobs_of_render(demo, demo.staged)[0]
    delivery = demo.emu.deliveries(VSAI)[0]
    pages = {
        "jobs": "/_emulator/",
        "job": f"/_emulator/ui/jobs/{job.id}",
        "webhooks": "/_emulator/ui/webhooks",
        "webhook": f"/_emulator/ui/webhooks/{delivery.id}",
        "accounts": "/_emulator/ui/accounts",
        "faults": "/_emulator/ui/faults",
        "requests": "/_emulator/ui/requests",
    }
    for name, path in pages.items():
        response = page.goto(demo.emu.url + path)
        assert response is not None and response.status == 200, path
        settle(page)
        assert page.locator("#clock-text").inner_text().startswith("manual clock")
        assert shoot(page, name).stat().st_size > 10_000
    docs = os.environ.get("DASHBOARD_DOCS_SCREENSHOT")
    if docs:
        page.goto(demo.emu.url + "/_emulator/")
        settle(page)
        page.evaluate(  # mostly the result, a strip of the source
            """document.querySelectorAll(".ba").forEach((pair) => {
                pair.querySelector("input").value = 25;
                pair.style.setProperty("--pos", "25%");
            }); window.scrollTo(0, 0);"""
        )
        page.screenshot(path=docs)


def test_the_slider_shows_before_and_after(demo: Demo, page: Page) -> None:
    page.goto(demo.emu.url + "/_emulator/")
    slider = page.locator(".ba input[type=range]").first
    pair = page.locator(".ba").first
    slider.fill("15")
    assert pair.evaluate("el => el.style.getPropertyValue('--pos')") == "15%"
    clip = pair.locator("img.before").evaluate("el => getComputedStyle(el).clipPath")
    assert "85%" in clip
    slider.fill("90")
    assert pair.evaluate("el => el.style.getPropertyValue('--pos')") == "90%"


def test_header_links_lead_somewhere(demo: Demo, page: Page) -> None:
    page.goto(demo.emu.url + "/_emulator/")
    hrefs = page.locator("header a").evaluate_all("links => links.map((a) => a.href)")
    vendor_links = [h for h in hrefs if "/_emulator/docs/" in h]
    assert len(vendor_links) == len(demo.emu.app.vendors)
    for href in hrefs:
        assert page.request.get(href).status == 200, href
    page.get_by_role("link", name="Webhooks").click()
    page.wait_for_url("**/_emulator/ui/webhooks")
    assert page.locator("h1").inner_text().startswith("Webhook deliveries")


def test_resend_button_sends_the_webhook_again(demo: Demo, page: Page) -> None:
    delivery = demo.emu.deliveries(VSAI)[0]
    before = len(demo.receiver.requests)
    page.goto(f"{demo.emu.url}/_emulator/ui/webhooks/{delivery.id}")
    page.get_by_role("button", name="resend now").click()
    page.wait_for_function(
        "document.getElementById('notice').textContent.startsWith('resent: 200')"
    )
    assert len(demo.receiver.requests) == before + 1
    page.locator("table.list tr", has_text="2026-01-01").nth(1).wait_for()  # the 2nd attempt


@pytest.fixture
def fresh() -> Iterator[EmulatorServer]:
    with EmulatorServer() as emu:
        yield emu


def test_clock_buttons_and_live_updates(fresh: EmulatorServer, page: Page) -> None:
    page.goto(fresh.url + "/_emulator/")
    clock = page.locator("#clock-text")
    assert "00:00:00" in clock.inner_text()
    page.get_by_role("button", name="+10 s").click()
    page.wait_for_function("document.getElementById('clock-text').textContent.includes('00:00:10')")
    page.get_by_role("button", name="+1 min").click()
    page.wait_for_function("document.getElementById('clock-text').textContent.includes('00:01:10')")
    # a job made by a client shows up by itself (server-sent events), then runs on the buttons
    render = {
        "config": {"type": "staging", "add_furniture": {"room_type": "kitchen", "style": "luxury"}},
        "image_url": data_url(photo_bytes(300, 200)),
    }
    headers = {"Authorization": "Api-Key live"}
    httpx.post(f"{fresh.base_url(VSAI)}/renders", json=render, headers=headers).raise_for_status()
    page.locator(".card .state.s-queued").wait_for()
    page.get_by_role("button", name="next event").click()  # the job's end: its only timer
    page.locator(".card .state.s-succeeded").wait_for()
    page.locator(".card .ba img.after").wait_for()
    assert "nothing is planned" not in page.locator("#notice").inner_text()
    page.get_by_role("button", name="next event").click()
    page.wait_for_function(
        "document.getElementById('notice').textContent.startsWith('nothing is planned')"
    )


def test_accounts_are_editable(fresh: EmulatorServer, page: Page) -> None:
    fresh.client.accounts()
    httpx.post(f"{fresh.url}/_emulator/accounts", json={"vendor": ART, "api_key": "edit-me"})
    page.goto(fresh.url + "/_emulator/ui/accounts")
    form = page.locator("form[data-key='edit-me']")
    form.locator("input[name=credits]").fill("42")
    form.locator("input[name=blocked]").check()
    form.get_by_role("button", name="save").click()
    page.wait_for_function("document.getElementById('notice').textContent === 'account saved'")
    account = next(a for a in fresh.client.accounts() if a.api_key == "edit-me")
    assert account.credits == 42 and account.blocked
    # a new account from the form below the table
    create = page.locator("form[data-form='new-account']")
    create.locator("select[name=vendor]").select_option(VSAI)
    create.locator("input[name=api_key]").fill("made-in-the-page")
    create.locator("input[name=credits]").fill("7")
    create.get_by_role("button", name="save").click()
    page.locator("form[data-key='made-in-the-page']").wait_for()
    made = next(a for a in fresh.client.accounts() if a.api_key == "made-in-the-page")
    assert made.credits == 7
    shoot(page, "accounts-edited")


def test_fault_rules_are_added_and_removed(fresh: EmulatorServer, page: Page) -> None:
    page.goto(fresh.url + "/_emulator/ui/faults")
    form = page.locator("form[data-form='fault']")
    form.locator("select[name=vendor]").select_option(ART)
    form.locator("input[name=operation]").fill("request_render")
    form.locator("input[name=status]").fill("429")
    form.locator("input[name=times]").fill("2")
    form.get_by_role("button", name="add").click()
    page.locator("table.list td", has_text="request_render").wait_for()
    rules = fresh.client.faults() if hasattr(fresh.client, "faults") else None
    listed = httpx.get(f"{fresh.url}/_emulator/faults").json()
    assert [(r["operation"], r["status"], r["times"]) for r in listed] == [
        ("request_render", 429, 2)
    ], rules
    page.get_by_role("button", name="remove").click()
    page.get_by_text("No fault rules").wait_for()
    assert httpx.get(f"{fresh.url}/_emulator/faults").json() == []

    form.locator("select[name=vendor]").select_option(ART)
    form.locator("select[name=action]").select_option("rate_limit")
    form.locator("input[name=retry_after]").fill("30")
    form.locator("input[name=probability]").fill("0.5")
    form.get_by_role("button", name="add").click()
    page.locator("table.list td", has_text="rate_limit").wait_for()
    [rule] = httpx.get(f"{fresh.url}/_emulator/faults").json()
    assert (rule["action"], rule["status"], rule["retry_after"], rule["probability"]) == (
        "rate_limit",
        429,
        30,
        0.5,
    )


def test_reset_forgets_everything(fresh: EmulatorServer, page: Page) -> None:
    httpx.post(f"{fresh.url}/_emulator/accounts", json={"vendor": ART, "api_key": "gone"})
    fresh.advance(30)
    page.goto(fresh.url + "/_emulator/ui/accounts")
    assert page.locator("form[data-key='gone']").count() == 1
    page.get_by_role("button", name="reset everything").click()  # the dialog is accepted
    page.get_by_text("No accounts yet").wait_for()
    page.wait_for_function("document.getElementById('clock-text').textContent.includes('00:00:00')")
    assert fresh.client.accounts() == []
