"""Message actions in Chromium: reply, react, edit, unsend and typing, and every other screen following.

A standard room with two pages on a wide screen; then a server-blind room whose reader is on a phone and
acts by tapping, and whose other member is steered from Python (tests/support/e2e_client.py), so that only
the phone's page pays for deriving keys. Both tests make their own room on one shared server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from ephemeral_client import crypto
from playwright.sync_api import Locator, Page, expect

from tests.browser.support import (
    PASSWORD,
    PHONE,
    TIMEOUT_MS,
    SocketTap,
    expect_connected,
    expect_present,
    pair_up,
    send,
    severe_violations,
)
from tests.browser.test_e2e_client import join_blind_room
from tests.support import e2e_client
from tests.support.e2e_client import Member, RoomKeys
from tests.support.people import Person
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

NewPage = Callable[..., Page]
REMOVED = "Message removed"


def message(page: Page, text: str) -> Locator:
    """The message whose own text (not a quote of it) holds `text`."""
    return page.locator("#messages li.message").filter(has=page.locator(".body", has_text=text))


def expect_message(page: Page, text: str, alias: str, mine: bool) -> None:
    item = message(page, text)
    expect(item).to_have_count(1)
    expect(item.locator(".alias")).to_have_text(alias)
    expect(item.locator(".head .you")).to_have_count(1 if mine else 0)


def act(page: Page, text: str, action: str, tap: bool = False) -> None:
    """Open the actions of the message showing `text` and choose `action` (a button's name) in its menu."""
    entry = message(page, text)
    toggle = entry.locator(".message-toggle")
    choice = entry.locator(".message-menu").get_by_role("button", name=action, exact=True)
    if tap:
        toggle.tap()
        choice.tap()
    else:
        toggle.click()
        choice.click()


def chip(page: Page, text: str, emoji: str) -> Locator:
    return message(page, text).locator(f'.chip[data-emoji="{emoji}"]')


def expect_chip(page: Page, text: str, emoji: str, count: int, mine: bool) -> None:
    found = chip(page, text, emoji)
    expect(found).to_have_count(1)
    expect(found.locator(".chip-count")).to_have_text(str(count))
    expect(found).to_have_attribute("aria-pressed", "true" if mine else "false")


def expect_removed(page: Page, *texts: str) -> None:
    """The marker where the message was, and none of `texts` anywhere in the document."""
    expect(page.locator("#messages li.message .removed")).to_have_text([REMOVED])
    html = page.content()
    for text in texts:
        assert text not in html, f"{text!r} is still in the page after unsend"


def typing_relayed(page: Page, tap: SocketTap) -> list[bool]:
    """The `on` of every `typing` the server relayed to `page`, once the last of them says off."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        relayed = [event["on"] for event in tap.events("typing")]
        if relayed and relayed[-1] is False:
            return relayed
        page.wait_for_timeout(50)  # lets Playwright deliver the frames it holds
    raise AssertionError(f"no typing off relayed: {tap.events('typing')}")


def test_reply_react_edit_unsend_and_typing_in_a_standard_room_follow_on_the_other_screen(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    pair = pair_up(new_page, shared_server.url)
    ann, bob = pair.ann, pair.bob
    original = "meet at the north gate"
    send(ann, original)
    expect_message(bob, original, "ann", mine=False)

    # Reply: the composer says to whom; while bob types, ann sees it, and it stops when he sends.
    act(bob, original, "Reply")
    expect(bob.locator("#compose-mode-text")).to_have_text(f"Replying to ann: {original}")
    bob.fill("#text", "agreed")
    expect(ann.locator("#typing")).to_have_text("bob is typing…")
    bob.press("#text", "Enter")
    expect(bob.locator("#compose-mode")).to_be_hidden()
    for page, mine in ((ann, False), (bob, True)):
        expect_message(page, "agreed", "bob", mine=mine)
        expect(message(page, "agreed").locator(".quote")).to_have_text(f"In reply to ann {original}")
    expect(ann.locator("#typing")).to_have_text("")
    # One "on" went out for the typing and one "off" for the send, not one per keystroke.
    assert typing_relayed(ann, pair.ann_socket) == [True, False]
    # The quote jumps to the original.
    message(ann, "agreed").locator(".quote").click()
    expect(message(ann, original)).to_be_focused()

    # React, from the keyboard: counts on both screens, one's own pressed, toggled off again.
    message(ann, "agreed").locator(".message-toggle").focus()
    ann.keyboard.press("Enter")
    expect(message(ann, "agreed").get_by_role("button", name="React with 👍")).to_be_focused()
    ann.keyboard.press("Enter")
    expect_chip(ann, "agreed", "👍", 1, mine=True)
    expect_chip(bob, "agreed", "👍", 1, mine=False)
    chip(bob, "agreed", "👍").click()
    expect_chip(bob, "agreed", "👍", 2, mine=True)
    expect_chip(ann, "agreed", "👍", 2, mine=True)
    expect(chip(ann, "agreed", "👍")).to_have_attribute("title", "you, bob")
    chip(ann, "agreed", "👍").click()
    expect_chip(ann, "agreed", "👍", 1, mine=False)
    expect_chip(bob, "agreed", "👍", 1, mine=True)
    expect(chip(ann, "agreed", "👍")).to_have_attribute("title", "bob")

    # Edit: the source comes back into the composer; both screens show the new text, marked edited.
    act(bob, "agreed", "Edit")
    expect(bob.locator("#text")).to_have_value("agreed")
    expect(bob.locator("#compose-mode-text")).to_have_text("Editing your message")
    bob.fill("#text", "agreed, at **nine**")
    bob.press("#text", "Enter")
    for page in (ann, bob):
        expect(message(page, "agreed, at nine").locator(".body strong")).to_have_text("nine")
        expect(message(page, "agreed, at nine").locator(".edited")).to_have_text("edited")
        expect_chip(page, "agreed, at nine", "👍", 1, mine=page is bob)
    expect(bob.locator("#text")).to_have_value("")

    # Unsend, after asking: a marker in its place on both screens, and its text nowhere, not even in the quote.
    act(ann, original, "Unsend")
    ann.locator("#unsend-dialog").get_by_role("button", name="Unsend").click()
    for page in (ann, bob):
        expect_removed(page, original)
        expect(message(page, "agreed, at nine").locator(".quote")).to_have_text(f"ann {REMOVED}")
    # All of it, with a reply being written and a message's menu open, passes axe.
    act(ann, "agreed, at nine", "Reply")
    message(ann, "agreed, at nine").locator(".message-toggle").click()
    expect(ann.locator("#compose-mode")).to_be_visible()
    assert severe_violations(ann, "a reply being written, a menu open") == []
    assert page_errors == []


def seal_edit(member: Member, message_id: str, text: str) -> dict[str, Any]:
    """The member's next envelope, as the new text of its message `message_id`."""
    body = {"a": member.alias, "t": text, "ts": int(time.time() * 1000)}
    envelope = crypto.seal_edit(
        member.keys.message_key, member.room_id, member.participant_id, message_id, member.sid, member.n, body
    )
    member.n += 1
    return envelope


def test_on_a_phone_a_server_blind_room_reacts_replies_edits_and_unsends_by_tapping(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    ann = Person(shared_server.url)
    keys = RoomKeys.new(PASSWORD)
    made = e2e_client.create(ann, "ann", "sealed plans", keys)
    assert made.status_code == 201, made.text
    room_id = made.json()["room_id"]
    host = Member.connect(ann, room_id, keys)
    try:
        bob = new_page(**PHONE)
        join_blind_room(bob, f"{shared_server.url}/r/{room_id}{keys.fragment}", "bob")
        expect_connected(bob)
        expect_present(bob, "ann", "bob")
        said = host.send("<p>the sealed plan</p>")
        assert said["ok"], said
        expect_message(bob, "the sealed plan", "ann", mine=False)

        # React by tapping: the phone shows its chip, the other member gets the count by participant id.
        act(bob, "the sealed plan", "React with ❤️", tap=True)
        expect_chip(bob, "the sealed plan", "❤️", 1, mine=True)
        # A long press on the chip says who reacted (the browser's own menu stays shut).
        chip(bob, "the sealed plan", "❤️").dispatch_event("contextmenu")
        expect(message(bob, "the sealed plan").locator(".reacted-by")).to_have_text("❤️ you")
        [reacted] = host.wire.wait_events("reactions", 1)
        [bob_id] = reacted["reactions"]["❤️"]
        assert reacted == {"id": said["id"], "reactions": {"❤️": [bob_id]}}

        # Reply by tapping: `reply_to` travels beside the envelope; the quote shows on the phone.
        act(bob, "the sealed plan", "Reply", tap=True)
        bob.fill("#text", "sealed answer")
        bob.locator("#send").tap()
        expect(message(bob, "sealed answer").locator(".quote")).to_have_text("In reply to ann the sealed plan")
        answer = host.wire.wait_events("message", 2)[1]
        assert answer["reply_to"] == said["id"]
        assert "sealed answer" in host.opened(2)[1]["t"]

        # Bob edits his own by tapping: the other member opens the new envelope for that message's id.
        act(bob, "sealed answer", "Edit", tap=True)
        bob.fill("#text", "sealed answer, changed")
        bob.locator("#send").tap()
        expect(message(bob, "sealed answer, changed").locator(".edited")).to_have_text("edited")
        [edited] = host.wire.wait_events("edited", 1)
        assert edited["id"] == answer["id"] and "text" not in edited and "html" not in edited
        opened = crypto.open_edit(keys.message_key, room_id, answer["from"], answer["id"], edited["e2e"])
        assert "sealed answer, changed" in opened["t"]

        # Ann edits, then unsends, hers: the phone follows each, and keeps none of its text.
        assert host.wire.call("edit", {"id": said["id"], "e2e": seal_edit(host, said["id"], "<p>plan B</p>")}) == {
            "ok": True
        }
        expect(message(bob, "plan B").locator(".edited")).to_have_text("edited")
        assert host.wire.call("unsend", {"id": said["id"]}) == {"ok": True}
        expect_removed(bob, "the sealed plan", "plan B")
        expect(message(bob, "sealed answer, changed").locator(".quote")).to_have_text(f"ann {REMOVED}")

        # Bob unsends his own, after confirming by tapping.
        act(bob, "sealed answer, changed", "Unsend", tap=True)
        bob.locator("#unsend-dialog").get_by_role("button", name="Unsend").tap()
        assert host.wire.wait_events("unsent", 2)[1] == {"id": answer["id"]}
        expect(bob.locator("#messages li.message .removed")).to_have_count(2)
        assert "sealed answer" not in bob.content()
        assert bob.evaluate("() => document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    finally:
        host.close()
        ann.close()
    assert page_errors == []
