"""The session's Chromium, and a teardown that always ends.

Now and then Chromium never answers a context's close (a page mid-navigation is
one known cause), and the test would wait until its timeout. A watchdog kills
the Chromium processes this test process's Playwright driver launched instead,
so the teardown ends; the next test gets a Chromium launched again.
"""

from __future__ import annotations

import os
import signal
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Error, Playwright

from tests.browser.support import launch_chromium
from tests.support.process import children_of

CLOSE_TIMEOUT = 30.0


class Chromium:
    """One Chromium for the session, launched again after a stuck teardown had to kill it."""

    def __init__(self, playwright: Playwright) -> None:
        self._playwright = playwright
        self._browser: Browser | None = None

    def current(self) -> Browser:
        if self._browser is None or not self._browser.is_connected():
            self._browser = launch_chromium(self._playwright)
        return self._browser

    def close_contexts(self, contexts: Sequence[BrowserContext], timeout: float = CLOSE_TIMEOUT) -> None:
        """Close `contexts`; if Chromium has not finished within `timeout` seconds, kill it and warn."""
        killed = threading.Event()

        def kill() -> None:
            killed.set()  # before the kill: the close it interrupts raises at once
            _kill_launched_chromium()

        watchdog = threading.Timer(timeout, kill)
        watchdog.start()
        try:
            for context in contexts:
                context.close()
        except Error:
            if not killed.is_set():
                raise
        finally:
            watchdog.cancel()
        if killed.is_set():
            # Not `is_connected()`: Playwright may not have handled the disconnection yet.
            self._browser = None
            warnings.warn(f"Chromium did not close a context within {timeout:.0f} s and was killed", stacklevel=2)

    def close(self) -> None:
        if self._browser is not None and self._browser.is_connected():
            self._browser.close()


def _kill_launched_chromium() -> None:
    """SIGKILL the Chromium processes launched by Playwright's driver (a child of this process); only those."""
    for driver in children_of(os.getpid()):
        for pid in children_of(driver):
            try:
                name = Path(f"/proc/{pid}/comm").read_text().strip()
                if "chrom" in name:
                    os.kill(pid, signal.SIGKILL)
            except OSError:  # it ended while we looked
                continue
