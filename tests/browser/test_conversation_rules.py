"""Mentions, notifications, disappearing messages and vanish on leave in Chromium, every screen following.

Notifications: the context grants the permission (a headless browser cannot be asked), and the page's
`Notification` is wrapped to record each one and each request for permission before the real one runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import (
    PASSWORD,
    create_room_to_share_card,
    enter_from_share_card,
    expect_connected,
    expect_present,
    join_room,
    message,
    open_room_menu,
    send,
    set_hidden,
)
from tests.browser.test_e2e_client import create_blind_room, join_blind_room
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

NewPage = Callable[..., Page]
MENTION = re.compile(r"\bmention\b")

RECORD_NOTIFICATIONS = """
(() => {
  const Real = window.Notification;
  window.__notifications = [];
  window.__asked = 0;
  class Recorded extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notifications.push({ title, ...options });
    }
    static requestPermission(...args) {
      window.__asked += 1;
      return Real.requestPermission(...args);
    }
  }
  window.Notification = Recorded;
})();
"""


def notifications(page: Page) -> list[dict[str, Any]]:
    return page.evaluate("() => window.__notifications")


def test_a_mention_in_a_server_blind_room_marks_the_message_the_title_and_a_notification_that_says_nothing_of_it(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    ann = new_page(permissions=["notifications"])
    ann.add_init_script(RECORD_NOTIFICATIONS)
    bob = new_page()
    link = create_blind_room(ann, shared_server.url, "ann", "night shift")
    ann.get_by_role("link", name="Enter the room").click()
    expect_connected(ann)
    join_blind_room(bob, link, "bob")
    expect_connected(bob)
    expect_present(ann, "ann", "bob")

    # Off until turned on: a message to a hidden tab counts in its title, and nothing else happens.
    set_hidden(ann, True)
    send(bob, "the van is late")
    expect(ann).to_have_title("(1) Ephemeral")
    assert notifications(ann) == []
    assert ann.evaluate("() => window.__asked") == 0
    set_hidden(ann, False)

    open_room_menu(ann)
    switch = ann.get_by_role("switch", name="Notify me of new messages")
    expect(switch).to_have_attribute("aria-checked", "false")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    assert ann.evaluate("() => window.__asked") == 0  # granted already: the browser is not asked again

    set_hidden(ann, True)
    send(bob, "@Ann the keys are under the mat")
    mention = message(ann, "the keys are under the mat")
    expect(mention).to_have_class(MENTION)
    expect(mention.locator(".mentions-you")).to_have_text("mentions you")
    expect(ann).to_have_title("(@1) Ephemeral")
    send(bob, "and the code is 4711")
    expect(ann).to_have_title("(@2) Ephemeral")
    shown = notifications(ann)
    assert [(n["title"], n["body"], n["tag"]) for n in shown] == [
        ("Ephemeral", "Someone mentioned you in a room", "ephemeral"),
        ("Ephemeral", "New message in a room", "ephemeral"),
    ]
    said = repr(shown)
    for secret in ("keys", "mat", "4711", "bob", "night shift"):
        assert secret not in said
    # Bob's own page marks nothing: the mention is of ann.
    expect(message(bob, "the keys are under the mat")).not_to_have_class(MENTION)

    # Back in view, the title is plain again; turned off, nothing more is shown.
    set_hidden(ann, False)
    expect(ann).to_have_title("Ephemeral")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "false")
    set_hidden(ann, True)
    send(bob, "one more")
    expect(ann).to_have_title("(1) Ephemeral")
    assert len(notifications(ann)) == 2
    assert page_errors == []


def test_messages_disappear_from_every_screen_and_a_leavers_vanish_when_they_leave(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    """The screens' own timers take the messages away: each screen's clock is moved on past the thirty seconds.

    Playwright's clock stands in for the page's timers and runs in real time until it is moved on, so nothing
    waits thirty seconds; until it is moved, every message is still there.
    """
    ann, bob, cat = new_page(), new_page(), new_page()
    for page in (ann, bob):
        page.clock.install()
    ann.goto(shared_server.url + "/")
    ann.locator("#room-options summary").click()
    ann.select_option("#disappear", "30")
    ann.get_by_role("switch", name="Vanish on leave").check()
    link = create_room_to_share_card(ann, shared_server.url, "ann", "plans", PASSWORD, fresh=False)
    expect(ann.locator(".room-rules")).to_contain_text("Messages disappear 30 seconds after they arrive.")
    expect(ann.locator(".room-rules")).to_contain_text("Someone's messages vanish when they leave.")
    enter_from_share_card(ann, link)
    join_room(bob, link, "bob")
    join_room(cat, link, "cat")
    for page in (ann, bob, cat):
        expect_present(page, "ann", "bob", "cat")

    send(bob, "gone in thirty")
    send(cat, "cat was here")
    send(ann, "ann stays a while")
    for page in (ann, bob):
        for text in ("gone in thirty", "cat was here", "ann stays a while"):
            expect(message(page, text)).to_have_count(1)

    # Cat leaves: her message leaves the other screens at once; the rest stay until their time.
    open_room_menu(cat)
    cat.click("#logout")
    for page in (ann, bob):
        expect_present(page, "ann", "bob")
        expect(message(page, "cat was here")).to_have_count(0)
        expect(message(page, "gone in thirty")).to_have_count(1)

    # Thirty seconds after each arrived, every message has left every screen, and nothing of them is in the page.
    for page in (ann, bob):
        expect(message(page, "ann stays a while")).to_have_count(1)
        page.clock.fast_forward(30_000)
    for page in (ann, bob):
        expect(page.locator("#messages li.message")).to_have_count(0)
        html = page.content()
        assert "gone in thirty" not in html and "ann stays a while" not in html
    assert page_errors == []
