"""History from peers in Chromium: a late joiner is handed what the room's screens show, only where the room chose it.

In a standard room and in a server-blind room (the newcomer on a phone): the shared messages come marked "shared by"
their sharer, after a note that the server did not verify them; an unsent message never comes back, an edited one
comes as edited. In a room that did not choose it, a late joiner sees nothing of what was said before.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import (
    PASSWORD,
    PHONE,
    create_room_to_share_card,
    enter_from_share_card,
    expect_connected,
    expect_present,
    join_room,
    send,
    tap_socket,
)
from tests.browser.test_e2e_client import join_blind_room
from tests.browser.test_message_actions import act, message
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

NewPage = Callable[..., Page]
SHARED_NOTE = "The server did not verify them"


def choose_history(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.locator("#room-options summary").click()
    page.get_by_role("switch", name="History from peers").check()


def expect_shared(page: Page, text: str, by: str) -> None:
    """One message whose own text (not a quote of it) says `text`, marked as shared by `by` ("shared" alone when
    `by` wrote it)."""
    shown = message(page, text)
    expect(shown).to_have_count(1)
    expect(shown).to_have_class(re.compile(r"\bshared\b"))
    author = shown.locator(".alias").inner_text()
    expect(shown.locator(".shared-by")).to_have_text("shared" if author == by else f"shared by {by}")


def test_a_late_joiner_is_handed_what_the_room_said_in_a_room_that_chose_it(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    ann, bob, cat = new_page(), new_page(), new_page()
    choose_history(ann, shared_server.url)
    link = create_room_to_share_card(ann, shared_server.url, "ann", "handover", PASSWORD, fresh=False)
    expect(ann.locator(".room-rules")).to_contain_text("Newcomers are shown earlier messages by someone already here.")
    enter_from_share_card(ann, link)
    join_room(bob, link, "bob")
    expect_present(ann, "ann", "bob")
    send(ann, "the meeting is at **nine**")
    send(bob, "taken back soon")
    send(bob, "bring the blue folder")
    act(bob, "taken back soon", "Unsend")
    bob.locator("#unsend-dialog").get_by_role("button", name="Unsend").click()
    expect(message(ann, "taken back soon")).to_have_count(0)

    join_room(cat, link, "cat")
    expect_present(cat, "ann", "bob", "cat")
    expect(cat.locator("#messages li.system").filter(has_text="ann shared 2 earlier messages")).to_contain_text(
        SHARED_NOTE
    )
    expect_shared(cat, "the meeting is at nine", "ann")
    expect(message(cat, "the meeting is at nine").locator(".body strong")).to_have_text("nine")
    expect_shared(cat, "bring the blue folder", "ann")
    assert "taken back soon" not in cat.content()
    # Only the sharer's screen handed it on; the conversation goes on live, and nothing live is marked shared.
    expect(cat.locator("#messages li.system").filter(has_text="shared")).to_have_count(1)
    send(cat, "thanks, both")
    for page in (ann, bob):
        expect(message(page, "thanks, both")).not_to_have_class(re.compile(r"\bshared\b"))
    assert page_errors == []


def test_a_late_joiner_sees_nothing_said_before_in_a_room_that_did_not_choose_it(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    ann, cat = new_page(), new_page()
    tap = tap_socket(ann)
    link = create_room_to_share_card(ann, shared_server.url, "ann", "no history", PASSWORD)
    enter_from_share_card(ann, link)
    expect_connected(ann)
    send(ann, "before you came")
    join_room(cat, link, "cat")
    expect_present(ann, "ann", "cat")
    send(ann, "after you came")
    expect(message(cat, "after you came")).to_have_count(1)
    assert "before you came" not in cat.content()
    # Ann's page did not even try: the server would have refused it, and no ack of a share came back.
    assert [ack for ack in tap.acks() if "shared" in ack or ack.get("error") == "forbidden"] == []
    assert page_errors == []


def test_in_a_server_blind_room_a_phone_opens_the_envelopes_it_is_handed(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    ann, cat = new_page(), new_page(**PHONE)
    choose_history(ann, shared_server.url)
    ann.fill("#alias", "ann")
    ann.fill("#name", "sealed handover")
    ann.fill("#password", PASSWORD)
    ann.get_by_role("switch", name="Server-blind (end-to-end encrypted)").check()
    ann.get_by_role("button", name="Create room").click()
    expect(ann.locator("#room-link")).to_have_value(re.compile(r"#k=[A-Za-z0-9_-]{43}$"))
    link = ann.locator("#room-link").input_value()
    ann.get_by_role("link", name="Enter the room").click()
    expect_connected(ann)
    send(ann, "sealed first draft")
    act(ann, "sealed first draft", "Edit")
    ann.fill("#text", "sealed *final* draft")
    ann.press("#text", "Enter")
    expect(message(ann, "sealed final draft")).to_have_count(1)
    send(ann, "and a second line")

    join_blind_room(cat, link, "cat")
    expect_connected(cat)
    expect_shared(cat, "sealed final draft", "ann")
    expect(message(cat, "sealed final draft").locator(".edited")).to_have_text("edited")
    expect(message(cat, "sealed final draft").locator(".body em")).to_have_text("final")
    expect_shared(cat, "and a second line", "ann")
    assert "first draft" not in cat.content()
    expect(cat.locator("#messages li.system").filter(has_text="could not be opened")).to_have_count(0)
    assert page_errors == []
