"""The product contract, end to end in a real browser: two people, one room, a purge that wipes both screens."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Dialog, Locator, Page, Request, Route, expect

from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
FROM_ANN = "ann says the eagle lands at noon"
FROM_BOB = "bob answers: bring the blue umbrella"
HOSTILE = (
    '<b>bold</b> <img src="https://example.invalid/x.png"> '
    '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'
)
# The smallest valid PNG: one transparent pixel.
PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@dataclass
class Room:
    link: str
    ann: Page
    bob: Page


def create_room(page: Page, server: RunningServer, alias: str, name: str, password: str) -> str:
    """Fill the landing form; returns the invite link the chat page shows."""
    page.goto(server.url + "/")
    page.fill("#alias", alias)
    page.fill("#name", name)
    page.fill("#password", password)
    page.get_by_role("button", name="Create room").click()
    expect(page).to_have_url(re.compile(r"/r/[^/]+/share$"))
    link = page.locator("#room-link").input_value()
    assert link.startswith(server.url + "/r/")
    page.get_by_role("link", name="Enter the room").click()
    expect(page).to_have_url(link)
    return link


def join_room(page: Page, link: str, alias: str, password: str) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name="Join this room")).to_be_visible()
    page.fill("#alias", alias)
    page.fill("#password", password)
    page.get_by_role("button", name="Join room").click()
    expect(page).to_have_url(link)


def send(page: Page, text: str) -> None:
    page.fill("#text", text)
    page.press("#text", "Enter")
    # The composer clears only when the server acked the message.
    expect(page.locator("#text")).to_have_value("")


def message(page: Page, text: str) -> Locator:
    return page.locator("#messages li.message").filter(has_text=text)


def expect_message(page: Page, text: str, alias: str, mine: bool) -> None:
    item = message(page, text)
    expect(item).to_have_count(1)
    expect(item.locator(".alias")).to_have_text(alias)
    if mine:
        expect(item).to_have_class(re.compile(r"\bmine\b"))
    else:
        expect(item).not_to_have_class(re.compile(r"\bmine\b"))


def purge(page: Page) -> None:
    """Click Purge and accept the browser's confirm dialog."""

    def accept(dialog: Dialog) -> None:
        assert dialog.type == "confirm"
        dialog.accept()

    page.once("dialog", accept)
    page.click("#purge")


def expect_wiped(page: Page, *texts: str) -> None:
    expect(page).to_have_url(re.compile(r"/gone\?reason=purged$"))
    expect(page.locator("#gone h1")).to_have_text("This room is gone")
    expect(page.locator("#gone")).to_contain_text("Every message is gone from every screen")
    html = page.content()
    for text in texts:
        assert text not in html


@pytest.fixture
def room(new_page: Callable[[], Page], live_server: RunningServer) -> Room:
    """Ann creates a room through the landing form, Bob joins by its link; both see two present."""
    ann, bob = new_page(), new_page()
    link = create_room(ann, live_server, "ann", "plans", PASSWORD)
    join_room(bob, link, "bob", PASSWORD)
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


def foreign_requests(page: Page) -> list[str]:
    """Every URL `page` asks example.invalid for, from now on."""
    seen: list[str] = []

    def record(request: Request) -> None:
        if "example.invalid" in request.url:
            seen.append(request.url)

    page.on("request", record)
    return seen


def test_hostile_html_renders_inert_and_foreign_media_waits_for_a_click(room: Room, page_errors: list[str]) -> None:
    sent, received = foreign_requests(room.ann), foreign_requests(room.bob)

    def fake_host(route: Route) -> None:
        route.fulfill(status=200, content_type="image/png", body=PIXEL_PNG)

    room.bob.route("https://example.invalid/**", fake_host)

    send(room.ann, HOSTILE)

    for page in (room.ann, room.bob):
        item = message(page, "bold")
        expect(item).to_have_count(1)
        expect(item.locator(".body b")).to_have_text("bold")
        expect(item.locator(".body script")).to_have_count(0)
        expect(item.get_by_role("button", name=re.compile(r"example\.invalid"))).to_have_text(
            "Load image from example.invalid"
        )
        assert page.evaluate("() => window.__xss") is None
    assert sent == []
    assert received == []

    with room.bob.expect_request("https://example.invalid/x.png"):
        message(room.bob, "bold").get_by_role("button", name=re.compile(r"example\.invalid")).click()
    image = message(room.bob, "bold").locator('.body img[src="https://example.invalid/x.png"]')
    expect(image).to_have_js_property("naturalWidth", 1)
    assert received == ["https://example.invalid/x.png"]
    assert sent == []
    assert room.bob.evaluate("() => window.__xss") is None
    assert page_errors == []


def test_a_quick_double_enter_sends_the_message_once(room: Room, page_errors: list[str]) -> None:
    room.ann.fill("#text", "only once")
    room.ann.keyboard.press("Enter")
    room.ann.keyboard.press("Enter")
    expect(room.ann.locator("#text")).to_have_value("")
    send(room.ann, "and then this")
    # One socket's messages arrive in order: once this one is shown, a duplicate would be too.
    expect(message(room.bob, "and then this")).to_have_count(1)
    expect(message(room.bob, "only once")).to_have_count(1)
    expect(message(room.ann, "only once")).to_have_count(1)
    assert page_errors == []


def test_incoming_messages_keep_the_composer_in_view_on_a_phone(room: Room, page_errors: list[str]) -> None:
    room.ann.set_viewport_size({"width": 390, "height": 700})
    room.ann.locator("#text").focus()
    room.ann.locator("#composer").scroll_into_view_if_needed()
    expect(room.ann.locator("#text")).to_be_in_viewport()

    for n in range(1, 13):
        send(room.bob, f"incoming number {n:02d}")

    # Enough to overflow the list: it follows the newest message without moving the page.
    expect(message(room.ann, "incoming number 12")).to_be_in_viewport()
    expect(message(room.ann, "incoming number 01")).not_to_be_in_viewport()
    expect(room.ann.locator("#text")).to_be_in_viewport()
    expect(room.ann.locator("#text")).to_be_focused()
    assert page_errors == []
