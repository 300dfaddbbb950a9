"""A tab refused for too many sockets says why, keeps the page, and tries again later instead of at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, WebSocket, expect

from tests.browser.support import create_room, expect_connected
from tests.support.server import running_server

CROWDED = (
    "Too many tabs of this room are open in this browser, or too many connections come from your network. "
    "Close a tab; this one will try again by itself."
)
# connection.js tries again 30 to 45 seconds after the refusal.
BEFORE_RETRY_MS = 25_000
AFTER_RETRY_MS = 25_000


def test_a_tab_past_the_cap_says_why_and_connects_once_a_place_is_free(
    new_page: Callable[..., Page], tmp_path: Path, page_errors: list[str]
) -> None:
    env = {"EPHEMERAL_MAX_SOCKETS_PER_BINDING": "1"}
    with running_server(tmp_path, "gevent", env=env) as server:
        first = new_page()
        link = create_room(first, server.url, "ann", "Book club")
        second = first.context.new_page()  # the same cookie: a second tab of ann's binding
        second.clock.install()
        opened: list[WebSocket] = []
        second.on("websocket", lambda ws: opened.append(ws))
        second.goto(link)
        expect(second.locator("#status")).to_have_text(CROWDED)
        expect(second.locator("#send")).to_be_disabled()

        first.close()  # a place is free now, but the refused tab does not hammer the server to find out
        second.clock.run_for(BEFORE_RETRY_MS)
        second.evaluate("0")  # every WebSocket the page opened until now has been reported
        assert len(opened) == 1
        expect(second.locator("#status")).to_have_text(CROWDED)

        second.clock.run_for(AFTER_RETRY_MS)
        expect_connected(second)
        assert len(opened) == 2
    assert page_errors == []
