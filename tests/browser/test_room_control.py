"""Room control in Chromium: a host removes someone from the people list and locks the room; the same seen by
the removed reader of a server-blind room; a broadcast room as its reader sees it on a phone, until the host
makes them a host too.

Each test makes its own room on one shared server. In the server-blind test the host is a client steered
from Python (tests/support/e2e_client.py), so that only the reader's page pays for deriving keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import (
    PASSWORD,
    PHONE,
    create_room,
    expect_connected,
    expect_gone,
    expect_message,
    expect_present,
    join_room,
    message_bodies,
    open_room_menu,
    send,
)
from tests.browser.test_e2e_client import join_blind_room, refused
from tests.support import e2e_client
from tests.support.e2e_client import Member, RoomKeys
from tests.support.people import Person
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

NewPage = Callable[..., Page]
# The words of the pages under test: the gone page's (views.GONE_REASONS), the server's refusal of a join to
# a locked room (errors.Locked) and the catalog's for `locked` (static/js/strings/en.js).
REMOVED = "A host removed you from the room."
LOCKED_SERVER = "This room is locked: nobody new can join it right now."
LOCKED_CATALOG = "This room is locked: nobody new can join it right now. Ask someone in it to unlock it."
READER_NOTE = "Only hosts write in this room. You can read along."


def person_menu(page: Page, alias: str) -> None:
    """Open the host's menu beside `alias` in the people list (the people panel first, on a phone)."""
    toggle = page.get_by_role("button", name=f"Actions for {alias}")
    if not toggle.is_visible():
        page.locator("#people-toggle").click()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def test_a_host_removes_someone_whose_screen_is_wiped_then_locks_the_room_against_their_return(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    ann, bob = new_page(), new_page()
    link = create_room(ann, shared_server.url, "ann", "plans")
    join_room(bob, link, "bob")
    for page in (ann, bob):
        expect_present(page, "ann", "bob")
    said = "bob says the plan out loud"
    send(bob, said)
    expect_message(ann, said, "bob", mine=False)
    # A member has no host controls: no menu beside anyone, no lock, no step down.
    expect(bob.locator("#presence .person-toggle")).to_have_count(0)
    expect(bob.locator("#lock-toggle")).to_be_hidden()
    expect(bob.locator("#step-down")).to_be_hidden()
    expect(ann.locator("#presence li").filter(has_text="ann").locator(".host")).to_have_text("Host")

    person_menu(ann, "bob")
    ann.get_by_role("button", name="Remove from room").click()
    dialog = ann.locator("#kick-dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Remove bob from the room?")
    dialog.get_by_role("button", name="Remove", exact=True).click()

    # Bob's screen is wiped and says why; nothing of the conversation is left in his document.
    expect_gone(bob, "removed", said, "plans")
    expect(bob.locator("#gone h1")).to_have_text("You were removed from the room")
    expect(bob.locator("#gone")).to_contain_text(REMOVED)
    # The room sees him leave and goes on.
    expect_present(ann, "ann")
    expect(ann.locator("#messages li.system").filter(has_text=re.compile("^bob left$"))).to_have_count(1)
    assert message_bodies(ann) == [said]

    open_room_menu(ann)
    ann.locator("#lock-toggle").click()
    expect(ann.locator("#room-locked")).to_be_visible()
    expect(ann.locator("#messages li.system").filter(has_text="The room is locked")).to_have_count(1)
    open_room_menu(ann)
    expect(ann.locator("#lock-toggle")).to_have_text("Unlock room")

    # Bob comes back with the link and the password, in his own browser: the room is locked to him.
    bob.goto(link)
    bob.fill("#alias", "bob")
    bob.fill("#password", PASSWORD)
    bob.get_by_role("button", name="Join room").click()
    expect(bob.locator("#form-error")).to_have_text(LOCKED_SERVER)
    expect(bob.locator("#chat")).to_have_count(0)
    expect_present(ann, "ann")
    assert refused(page_errors, 423) == []


def participant_id(host: Member, alias: str) -> str:
    """`alias`'s participant id, from the presence the host's socket was sent."""
    for count in range(1, 20):
        presence = host.wire.wait_events("presence", count)[-1]
        for participant in presence["participants"]:
            if participant["alias"] == alias:
                return str(participant["id"])
    raise AssertionError(f"{alias} never appeared in the host's presence")


def test_a_removed_reader_of_a_server_blind_room_is_wiped_and_its_join_page_says_the_room_is_locked(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    ann = Person(shared_server.url)
    keys = RoomKeys.new(PASSWORD)
    made = e2e_client.create(ann, "ann", "sealed plans", keys)
    assert made.status_code == 201, made.text
    room_id = made.json()["room_id"]
    host = Member.connect(ann, room_id, keys)
    try:
        bob = new_page()
        link = f"{shared_server.url}/r/{room_id}{keys.fragment}"
        join_blind_room(bob, link, "bob")
        expect_connected(bob)
        expect_present(bob, "ann", "bob")
        assert host.send("sealed words for bob")["ok"]
        expect_message(bob, "sealed words for bob", "ann", mine=False)
        # This chat opened in place of its join page (e2e/navigate.js): its report control works here too.
        open_room_menu(bob)
        bob.get_by_role("button", name="Report this room").click()
        bob.locator("#report-dialog").get_by_label("Spam").check()
        bob.locator("#report-dialog").get_by_role("button", name="Send report").click()
        expect(bob.locator("#report-sent")).to_be_visible()
        bob.locator("#report-dialog").get_by_role("button", name="Close").click()

        assert host.wire.call("kick", {"id": participant_id(host, "bob")}) == {"ok": True}
        expect_gone(bob, "removed", "sealed words for bob", "sealed plans")
        expect(bob.locator("#gone")).to_contain_text(REMOVED)

        assert host.wire.call("lock", {"locked": True})["ok"]
        join_blind_room(bob, link, "bob")
        # The page joins through the API, which answers 423 `locked`: the page says it in the catalog's words.
        expect(bob.locator("#form-error")).to_have_text(LOCKED_CATALOG)
        expect(bob.locator("#chat")).to_have_count(0)
    finally:
        host.close()
        ann.close()
    assert refused(page_errors, 423) == []


def test_a_broadcast_room_on_a_phone_the_reader_reads_until_the_host_makes_them_a_host(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    host, reader = new_page(**PHONE), new_page(**PHONE)
    host.goto(shared_server.url + "/")
    host.fill("#alias", "ann")
    host.fill("#name", "announcements")
    host.fill("#password", PASSWORD)
    host.get_by_text("Room options").tap()
    host.select_option("#kind", "broadcast")
    host.select_option("#purge", "hosts")
    host.get_by_role("button", name="Create room").tap()
    expect(host).to_have_url(re.compile(r"/share$"))
    expect(host.locator(".room-rules")).to_contain_text("Broadcast room: only hosts write")
    link = host.locator("#room-link").input_value()
    host.get_by_role("link", name="Enter the room").tap()
    expect_connected(host)
    join_room(reader, link, "bob")
    for page in (host, reader):
        expect_present(page, "ann", "bob")
        expect(page.locator("#room-kind")).to_have_text("Broadcast")

    # The reader: no composer, a note saying why, nothing wider than the phone, and the host's words arrive.
    expect(reader.locator("#composer")).to_be_hidden()
    expect(reader.locator("#reader-note")).to_have_text(READER_NOTE)
    expect(reader.locator("#reader-note")).to_be_in_viewport()
    send(host, "doors open at nine")
    expect_message(reader, "doors open at nine", "ann", mine=False)
    # Purging is the hosts' in this room: the reader's menu has Leave, and no Purge.
    reader.locator("#menu-toggle").tap()
    expect(reader.locator("#logout")).to_be_visible()
    expect(reader.locator("#purge")).to_be_hidden()
    expect(reader.locator("#lock-toggle")).to_be_hidden()
    reader.locator("#menu-toggle").tap()
    for page in (host, reader):
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]

    # The host's controls are within reach on the phone: the room menu and the menu beside the reader.
    open_room_menu(host)
    for control in ("#lock-toggle", "#step-down", "#purge"):
        expect(host.locator(control)).to_be_in_viewport()
    host.locator("#menu-toggle").tap()
    person_menu(host, "bob")
    make_host = host.get_by_role("button", name="Make host")
    expect(make_host).to_be_in_viewport()
    make_host.tap()

    # Promoted, the reader gets the composer (and the host's controls) at once, and writes.
    expect(reader.locator("#reader-note")).to_be_hidden()
    expect(reader.locator("#composer")).to_be_visible()
    expect(reader.locator("#messages li.system").filter(has_text="You are now a host of this room.")).to_have_count(1)
    expect(reader.locator("#presence .person-toggle")).to_have_count(1)  # beside ann, in the folded people list
    send(reader, "and the bar opens at ten")
    expect_message(host, "and the bar opens at ten", "bob", mine=False)
    assert page_errors == []
