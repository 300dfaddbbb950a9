"""The browser tests' teardown ends even when Chromium stops answering."""

from __future__ import annotations

import warnings

from playwright.sync_api import Page

from tests.browser.chromium import Chromium


class StuckContext:
    """A context whose close waits on a promise that never settles, as a Chromium that stopped answering does."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def close(self) -> None:
        self.page.evaluate("() => new Promise(() => {})")


def test_a_close_chromium_never_answers_kills_it_and_the_next_test_gets_a_new_one(chromium: Chromium) -> None:
    stuck = chromium.current()
    page = stuck.new_context().new_page()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        chromium.close_contexts([StuckContext(page)], timeout=2)  # type: ignore[list-item]
    assert [str(w.message) for w in seen] == ["Chromium did not close a context within 2 s and was killed"]
    relaunched = chromium.current()
    assert relaunched is not stuck
    relaunched.new_context().new_page().goto("about:blank")
