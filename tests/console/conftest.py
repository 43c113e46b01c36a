"""Headless Chromium (the OS package, driven by Playwright) against the live stack: uvicorn, worker, sandbox.

Playwright's own browser download is not assumed reachable: the browser is ``/usr/bin/chromium`` (Debian's
``chromium`` package; ``.ci/run`` installs it), or ``FOTOGEN_CHROMIUM`` when set. Each test gets a fresh
browser context; every browser console error or uncaught page error fails the test, and ``shot()`` saves
a full-page screenshot under ``.data/test-artifacts/console/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright, expect
from support.env import ROOT, new_api_key

CHROMIUM = Path(os.environ.get("FOTOGEN_CHROMIUM", "/usr/bin/chromium"))
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
ARTIFACTS = ROOT / ".data" / "test-artifacts" / "console"
#: every wait is Playwright's auto-waiting (locators, ``expect``): on a loaded machine the stack answers in
#: seconds, not milliseconds, so ``expect`` waits as long as the context's actions do (its default is 5 s)
WAIT_MS = 20_000
expect.set_options(timeout=WAIT_MS)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"The console tests need Chromium at {CHROMIUM}: `apt-get install -y chromium` (as root; .ci/run does "
            "it), or set FOTOGEN_CHROMIUM to a Chromium binary."
        )
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        await chromium.close()


@dataclass
class Console:
    """One signed-out browser tab on the console, collecting console errors."""

    page: Page
    base_url: str
    errors: list[str] = field(default_factory=list)
    #: console errors a test provoked on purpose (regexes), each allowed once
    expected: list[str] = field(default_factory=list)

    async def open(self, path: str = "") -> None:
        await self.page.goto(f"{self.base_url}/console{path}")

    async def sign_in(self, key: str) -> None:
        await self.open()
        await self.page.get_by_label("API key").fill(key)
        await self.page.get_by_role("button", name="Sign in").click()
        await self.page.locator("#nav").wait_for(state="visible")

    async def go(self, hash_path: str) -> None:
        """Navigate to ``#/<hash_path>`` and wait until the page has rendered."""
        page_id = hash_path.split("/")[0]
        await self.page.evaluate("(h) => { location.hash = h; }", f"#/{hash_path}")
        await self.page.locator(f'section.page[data-page="{page_id}"][data-ready="true"]').wait_for()

    async def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        return path

    async def images_loaded(self, selector: str) -> None:
        """Wait until every ``<img>`` matching ``selector`` (at least one) has loaded with a real size."""
        await self.page.wait_for_function(
            "(sel) => { const imgs = [...document.querySelectorAll(sel)];"
            " return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0); }",
            arg=selector,
        )

    async def no_sideways_scroll(self, name: str) -> None:
        overflow = await self.page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways at phone width ({overflow}px)"

    def unexpected_errors(self) -> list[str]:
        left = list(self.expected)
        out = []
        for error in self.errors:
            match = next((p for p in left if re.search(p, error)), None)
            if match is None:
                out.append(error)
            else:
                left.remove(match)
        return out


@pytest.fixture
async def console(browser: Browser, live_api: str) -> AsyncIterator[Console]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(WAIT_MS)
    page = await context.new_page()
    tab = Console(page=page, base_url=live_api)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            tab.errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: tab.errors.append(f"uncaught: {exc}"))
    try:
        yield tab
    finally:
        await context.close()
    assert tab.unexpected_errors() == [], "browser console errors"


@pytest.fixture
async def console_key(app: Any) -> str:
    """A fresh owner's API key: the console sees only what this test makes."""
    return await new_api_key(app)
