"""The product contract, end to end in a real browser: two people, one room, a purge that wipes both screens."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.support import (
    PASSWORD,
    PIXEL_PNG,
    create_room,
    create_room_through_api,
    expect_message,
    expect_wiped,
    join_room,
    join_room_through_api,
    message,
    purge,
    requests_leaving,
    send,
)
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

FROM_ANN = "ann says the eagle lands at noon"
FROM_BOB = "bob answers: bring the blue umbrella"
# Markdown formatting and an image, then raw HTML, which arrives as text.
RAW_HTML = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'
HOSTILE = "**bold** ![](https://example.invalid/a.png) " + RAW_HTML


@dataclass
class Room:
    link: str
    ann: Page
    bob: Page


@pytest.fixture
def room(new_page: Callable[[], Page], shared_server: RunningServer) -> Room:
    """Ann creates a room through the landing form, Bob joins by its link; both see two present."""
    ann, bob = new_page(), new_page()
    link = create_room(ann, shared_server.url, "ann", "plans", PASSWORD)
    join_room(bob, link, "bob", PASSWORD)
    for page in (ann, bob):
        expect(page.locator("#presence-count")).to_have_text("2")
    return Room(link, ann, bob)


@pytest.fixture
def chat(new_page: Callable[[], Page], shared_server: RunningServer) -> Room:
    """The same two in a room made and joined through the API, for tests of the chat page itself: `room` is the
    one that types its way in through the forms."""
    ann, bob = new_page(), new_page()
    link = create_room_through_api(ann, shared_server.url, "ann", "plans")
    join_room_through_api(bob, link, "bob")
    for page in (ann, bob):
        expect(page.locator("#presence-count")).to_have_text("2")
    return Room(link, ann, bob)


def test_two_people_talk_then_a_purge_wipes_both_screens(room: Room, page_errors: list[str]) -> None:
    send(room.ann, FROM_ANN)
    expect_message(room.ann, FROM_ANN, "ann", mine=True)
    expect_message(room.bob, FROM_ANN, "ann", mine=False)
    send(room.bob, FROM_BOB)
    expect_message(room.bob, FROM_BOB, "bob", mine=True)
    expect_message(room.ann, FROM_BOB, "bob", mine=False)

    purge(room.bob)

    for page in (room.ann, room.bob):
        expect_wiped(page, FROM_ANN, FROM_BOB)
    assert page_errors == []


def test_after_a_purge_neither_history_nor_the_link_brings_messages_back(room: Room, page_errors: list[str]) -> None:
    send(room.ann, FROM_ANN)
    expect_message(room.bob, FROM_ANN, "ann", mine=False)
    purge(room.ann)
    for page in (room.ann, room.bob):
        expect_wiped(page, FROM_ANN)

    for page in (room.ann, room.bob):
        page.go_back()
        # location.replace() kept the chat page out of history; whatever is there now is not a chat.
        expect(page.locator("#chat")).to_have_count(0)
        assert FROM_ANN not in page.content()

        response = page.goto(room.link)
        assert response is not None
        assert response.status == 404
        expect(page.locator("#gone h1")).to_have_text("This room is gone")
        expect(page.locator("#gone")).to_contain_text("does not exist, has expired, or was purged")
        assert FROM_ANN not in page.content()
    # The dead link's 404 (and its share card's, where history led back to it) is under test, not an error.
    dead = (room.link, room.link + "/share")
    assert [e for e in page_errors if not ("status of 404" in e and e.endswith(dead))] == []


def test_hostile_html_renders_inert_and_foreign_media_waits_for_a_click(
    chat: Room, shared_server: RunningServer, page_errors: list[str]
) -> None:
    # Any request to a host other than this server counts, not only the one in the message.
    sent, received = requests_leaving(chat.ann, shared_server.url), requests_leaving(chat.bob, shared_server.url)

    def fake_host(route: Route) -> None:
        route.fulfill(status=200, content_type="image/png", body=PIXEL_PNG)

    chat.bob.route("https://example.invalid/**", fake_host)

    send(chat.ann, HOSTILE)

    for page in (chat.ann, chat.bob):
        item = message(page, "bold")
        expect(item).to_have_count(1)
        expect(item.locator(".body strong")).to_have_text("bold")
        expect(item.locator(".body")).to_contain_text(RAW_HTML)
        expect(item.locator(".body script")).to_have_count(0)
        expect(item.locator(".body img")).to_have_count(0)
        expect(item.get_by_role("button", name=re.compile(r"example\.invalid"))).to_have_text(
            "Load image from example.invalid"
        )
        assert page.evaluate("() => window.__xss") is None
    assert sent == []
    assert received == []

    with chat.bob.expect_request("https://example.invalid/a.png"):
        message(chat.bob, "bold").get_by_role("button", name=re.compile(r"example\.invalid")).click()
    image = message(chat.bob, "bold").locator('.body img[src="https://example.invalid/a.png"]')
    expect(image).to_have_js_property("naturalWidth", 1)
    expect(image).to_be_visible()
    # The placeholder is spent: one click, one request, and nothing left to click again.
    expect(message(chat.bob, "bold").locator(".body").get_by_role("button")).to_have_count(0)
    assert received == ["https://example.invalid/a.png"]
    assert sent == []
    expect(message(chat.ann, "bold").get_by_role("button", name=re.compile(r"example\.invalid"))).to_have_count(1)
    assert chat.bob.evaluate("() => window.__xss") is None
    assert page_errors == []


def test_a_quick_double_enter_sends_the_message_once(chat: Room, page_errors: list[str]) -> None:
    chat.ann.fill("#text", "only once")
    chat.ann.keyboard.press("Enter")
    chat.ann.keyboard.press("Enter")
    expect(chat.ann.locator("#text")).to_have_value("")
    send(chat.ann, "and then this")
    # One socket's messages arrive in order: once this one is shown, a duplicate would be too.
    expect(message(chat.bob, "and then this")).to_have_count(1)
    expect(message(chat.bob, "only once")).to_have_count(1)
    expect(message(chat.ann, "only once")).to_have_count(1)
    assert page_errors == []


def test_incoming_messages_keep_the_composer_in_view_on_a_phone(chat: Room, page_errors: list[str]) -> None:
    chat.ann.set_viewport_size({"width": 390, "height": 700})
    chat.ann.locator("#text").focus()
    chat.ann.locator("#composer").scroll_into_view_if_needed()
    expect(chat.ann.locator("#text")).to_be_in_viewport()

    # Three lines each, and fewer than the 20 a burst may hold, so none waits for the rate limit.
    for n in range(1, 16):
        send(chat.bob, f"incoming number {n:02d} " + "with words enough to wrap on a phone " * 3)

    # Enough to overflow the list: it follows the newest message without moving the page.
    expect(message(chat.ann, "incoming number 15")).to_be_in_viewport()
    expect(message(chat.ann, "incoming number 01")).not_to_be_in_viewport()
    expect(chat.ann.locator("#text")).to_be_in_viewport()
    expect(chat.ann.locator("#text")).to_be_focused()
    assert page_errors == []
