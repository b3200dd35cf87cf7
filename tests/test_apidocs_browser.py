"""The API docs pages (/_emulator/docs/<slug>) in headless Chromium: every operation of the
served openapi.json is listed, and the page logs no console error (no missing favicon either).

Skips like tests/test_dashboard_browser.py when Playwright or Chromium is missing.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from emulator.testing import EmulatorServer

from .test_dashboard_browser import WAIT, browser, pytestmark  # noqa: F401 (a fixture, marks)

try:
    from playwright.sync_api import Browser
except ImportError:  # pragma: no cover - playwright is a test dependency
    Browser = object  # type: ignore[assignment,misc]

METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server:
        yield server


def _slugs(emu: EmulatorServer) -> list[str]:
    return [*sorted(httpx.get(f"{emu.url}/_emulator/health").json()["vendors"]), "_emulator"]


def _operations(emu: EmulatorServer, slug: str) -> dict[str, str]:
    """operationId -> "METHOD path" of every operation in the served document."""
    doc = httpx.get(f"{emu.url}/{slug}/openapi.json").json()
    return {
        op["operationId"]: f"{method.upper()} {path}"
        for path, methods in doc["paths"].items()
        for method, op in methods.items()
        if method in METHODS
    }


def test_every_docs_page_lists_every_operation(
    emu: EmulatorServer,
    browser: Browser,  # noqa: F811 (the fixture imported above)
) -> None:
    slugs = _slugs(emu)
    assert len(slugs) >= 6, slugs
    context = browser.new_context()
    try:
        for slug in slugs:
            page = context.new_page()
            page.set_default_timeout(WAIT)
            errors: list[str] = []
            page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
            response = page.goto(f"{emu.url}/_emulator/docs/{slug}")
            assert response is not None and response.status == 200, slug
            page.wait_for_selector("details.op")
            page.wait_for_load_state("networkidle")
            shown = page.eval_on_selector_all(
                "details.op",
                "nodes => nodes.map(n => [n.id, n.querySelector('.method').textContent"
                " + ' ' + n.querySelector('.path').textContent])",
            )
            expected = _operations(emu, slug)
            assert dict(shown) == expected, slug
            assert "[object HTMLDetailsElement]" not in page.inner_text("main"), slug
            assert errors == [], (slug, errors)
            page.close()
    finally:
        context.close()
