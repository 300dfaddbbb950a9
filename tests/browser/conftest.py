"""Browser fixtures: Debian's Chromium through Playwright's sync API, a fresh server per test.

Playwright's sync API runs its own event loop on the main thread; nothing here
touches asyncio.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.browser.chromium import Chromium
from tests.browser.support import TIMEOUT_MS, chromium_path
from tests.support.server import RunningServer, running_server

# Generous waits: a loaded CI machine is slow, and a passing expect() returns at once.
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright: Playwright) -> Iterator[Chromium]:
    """One headless Chromium per session; without one the tests skip, or fail when CI is set."""
    if chromium_path() is None:
        reason = "Chromium is not on PATH (install Debian's chromium: sh scripts/install-system-deps.sh)"
        if "CI" in os.environ:
            pytest.fail(f"browser tests must run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    keeper = Chromium(playwright)
    yield keeper
    keeper.close()


@pytest.fixture
def browser(chromium: Chromium) -> Browser:
    return chromium.current()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[RunningServer]:
    """A fresh gevent server process per test, so no room, session or rate limit leaks between tests."""
    with running_server(tmp_path, "gevent", env={"EPHEMERAL_BCRYPT_COST": "4"}) as server:
        yield server


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One server for a module whose tests each make their own room, well within one address's creation burst."""
    with running_server(tmp_path_factory.mktemp("server"), "gevent", env={"EPHEMERAL_BCRYPT_COST": "4"}) as server:
        yield server


@pytest.fixture
def page_errors() -> list[str]:
    """Console errors and uncaught exceptions from every page `new_page` made; a test asserts it is empty."""
    return []


@pytest.fixture
def new_page(chromium: Chromium, page_errors: list[str]) -> Iterator[Callable[..., Page]]:
    """Each call is a new person: a page in its own browser context (own cookie jar), closed at teardown.

    Keyword arguments go to `browser.new_context` (permissions, color_scheme, viewport, is_mobile, ...).
    """
    contexts: list[BrowserContext] = []

    def make(**context_options: Any) -> Page:
        # English unless a test asks for another language: the pages follow the browser's Accept-Language.
        context = chromium.current().new_context(**{"locale": "en-US", **context_options})
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        person = len(contexts)

        def on_console(message: ConsoleMessage) -> None:
            where = message.location.get("url", "")
            # The browser asks for /favicon.ico on its own; the app has none.
            if message.type == "error" and not where.endswith("/favicon.ico"):
                page_errors.append(f"page {person} console: {message.text} at {where}")

        def on_page_error(error: Error) -> None:
            page_errors.append(f"page {person} uncaught: {error.message}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        return page

    yield make
    chromium.close_contexts(contexts)
