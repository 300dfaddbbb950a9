"""Screenshots of what people do to messages, for the README: `make screenshots` (or `--only conversation`).

Two browsers and a phone hold one conversation in each mode, using every feature as a person would, in a room
whose messages disappear after an hour and vanish when their author leaves, with history from peers.

In the standard room: notifications turned on, an unsent message, an edit, reactions, a reply with its quote and
a mention, and someone typing (docs/screenshots/conversation-desktop-{light,dark}.png); then a third person joins
on a phone, is handed what was said, and reacts to it (conversation-history-phone-{light,dark}.png).

In the server-blind room the phone makes the room and turns notifications on; an unsent message, an edit, a reply
that mentions, a reaction; a late joiner on a desktop opens the envelopes it is handed; one screenshot on the
phone with a message's menu open (conversation-blind-phone-{light,dark}.png).
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from scripts.screenshots import DEVICES, GUEST, HOST, shoot
from tests.browser.support import (
    PASSWORD,
    create_room_to_share_card,
    enter_from_share_card,
    expect_connected,
    expect_present,
    join_room,
    open_room_menu,
    send,
)
from tests.browser.test_e2e_client import join_blind_room
from tests.browser.test_history import expect_shared
from tests.browser.test_message_actions import act, message

ROOM_NAME = "Lease renewal, flat 4B"
SLIP = "The landlord's account for the deposit is DE89 3704 0044 0532 0130 00"
TERMS = "Notice is two months now, for both sides. The audit is theirs to pay."
TERMS_EDITED = "Notice is three months now, for both sides. The audit is theirs to pay."
ANSWER = f"@{HOST} three months works for us. Can you ask them to move the inspection to the 14th?"
DRAFTING = "Mornings suit me better, so"

BLIND_NAME = "Keys for the flat"
BLIND_CONVERSATION = [
    (HOST, "The spare key is with Ines on the second floor, she is in until six."),
    (GUEST, "Great. And the code for the bike shed?"),
    (HOST, "Same as the front door, the last two digits swapped."),
]
BLIND_REPLY = f"@{HOST} got it. I will drop the key back on Sunday."
BLIND_SLIP = "wrong chat, sorry"
BLIND_FIRST_DRAFT = "Same as the front door."
LATE = "Ines"  # joins on the other device once the others have talked


def reply(page: Page, text: str, answer: str, tap: bool = False) -> None:
    """Answer the message showing `text` through its menu's Reply; returns once the room echoed it."""
    act(page, text, "Reply", tap=tap)
    send(page, answer)
    expect(message(page, answer).locator(".quote")).to_be_visible()


def room_with_options(page: Page, base_url: str, *, blind: bool = False) -> str:
    """The landing form with the room's options (an hour's disappearing messages, vanish on leave, history from
    peers), standard or server-blind; stops on the share card and returns the whole link."""
    page.goto(base_url + "/")
    page.locator("#room-options summary").click()
    page.select_option("#disappear", "3600")
    page.get_by_role("switch", name="Vanish on leave").check()
    page.get_by_role("switch", name="History from peers").check()
    if not blind:
        return create_room_to_share_card(page, base_url, HOST, ROOM_NAME, PASSWORD, fresh=False)
    page.fill("#alias", HOST)
    page.fill("#name", BLIND_NAME)
    page.fill("#password", PASSWORD)
    page.get_by_role("switch", name="Server-blind (end-to-end encrypted)").check()
    page.get_by_role("button", name="Create room").click()
    expect(page.locator("#room-link")).to_have_value(re.compile(r"#k=[A-Za-z0-9_-]{43}$"))
    return page.locator("#room-link").input_value()


def conversation(browser: Browser, base_url: str, scheme: str) -> list[Path]:
    """Mira on a desktop and Tom talk in a standard room; one screenshot from Mira's page while Tom types, and
    one from Ines's phone once she joined late and was handed what they said."""
    host_context = browser.new_context(color_scheme=scheme, permissions=["notifications"], **DEVICES["desktop"])
    guest_context = browser.new_context(color_scheme=scheme)
    late_context = browser.new_context(color_scheme=scheme, **DEVICES["phone"])
    try:
        host, guest = host_context.new_page(), guest_context.new_page()
        link = room_with_options(host, base_url)
        enter_from_share_card(host, link)
        join_room(guest, link, GUEST)
        expect_present(host, HOST, GUEST)
        open_room_menu(host)
        host.get_by_role("switch", name="Notify me of new messages").click()

        # Tom pastes something meant for somebody else, and takes it back.
        send(guest, SLIP)
        act(guest, SLIP, "Unsend")
        guest.locator("#unsend-dialog").get_by_role("button", name="Unsend").click()
        expect(host.locator("#messages li.message .removed")).to_have_count(1)

        send(host, TERMS)
        act(host, TERMS, "Edit")
        host.fill("#text", TERMS_EDITED)
        host.press("#text", "Enter")
        expect(message(guest, TERMS_EDITED).locator(".edited")).to_be_visible()
        act(guest, TERMS_EDITED, "React with 👍")
        act(guest, TERMS_EDITED, "React with 🙏")
        act(host, TERMS_EDITED, "React with 👍")
        expect(message(host, TERMS_EDITED).locator('.chip[data-emoji="👍"] .chip-count')).to_have_text("2")
        reply(guest, TERMS_EDITED, ANSWER)
        expect(message(host, ANSWER).locator(".mentions-you")).to_be_visible()

        # Tom reads before he answers: the quick exchange above spent his small typing budget (one a second),
        # and an "on" over it is dropped. Then the line shows on Mira's page until he has been idle a few seconds.
        guest.wait_for_timeout(3000)
        guest.locator("#text").press_sequentially(DRAFTING)
        expect(host.locator("#typing")).to_have_text(f"{GUEST} is typing…")
        shots = [shoot(host, f"conversation-desktop-{scheme}")]

        # Ines comes in on her phone: Mira's page hands her what it shows, the unsent message not among it.
        late = late_context.new_page()
        join_room(late, link, LATE)
        expect_shared(late, TERMS_EDITED, HOST)
        expect_shared(late, ANSWER.removeprefix(f"@{HOST} "), HOST)
        assert SLIP not in late.content()
        act(late, ANSWER, "React with 🙏", tap=True)
        expect(message(host, ANSWER).locator('.chip[data-emoji="🙏"] .chip-count')).to_have_text("1")
        message(late, ANSWER).scroll_into_view_if_needed()
        return [*shots, shoot(late, f"conversation-history-phone-{scheme}")]
    finally:
        for context in (host_context, guest_context, late_context):
            context.close()


def blind_phone(browser: Browser, base_url: str, scheme: str) -> list[Path]:
    """Mira on a phone talks with Tom in a server-blind room, and Ines joins late on a desktop and is handed
    what they said; one screenshot of the phone with a message's menu open."""
    host_context = browser.new_context(color_scheme=scheme, permissions=["notifications"], **DEVICES["phone"])
    guest_context = browser.new_context(color_scheme=scheme)
    late_context = browser.new_context(color_scheme=scheme)
    try:
        host, guest = host_context.new_page(), guest_context.new_page()
        link = room_with_options(host, base_url, blind=True)
        host.get_by_role("link", name="Enter the room").tap()
        expect_connected(host)
        join_blind_room(guest, link, GUEST)
        expect_connected(guest)
        expect_present(host, HOST, GUEST)

        open_room_menu(host)
        host.get_by_role("switch", name="Notify me of new messages").tap()
        host.locator("#menu-toggle").tap()
        send(guest, BLIND_SLIP)
        act(guest, BLIND_SLIP, "Unsend")
        guest.locator("#unsend-dialog").get_by_role("button", name="Unsend").click()
        expect(host.locator("#messages li.message .removed")).to_have_count(1)

        pages = {HOST: host, GUEST: guest}
        for alias, text in BLIND_CONVERSATION[:-1]:
            send(pages[alias], text)
        send(host, BLIND_FIRST_DRAFT)
        act(host, BLIND_FIRST_DRAFT, "Edit", tap=True)
        host.fill("#text", BLIND_CONVERSATION[-1][1])
        host.locator("#send").tap()
        expect(message(guest, BLIND_CONVERSATION[-1][1]).locator(".edited")).to_be_visible()
        reply(guest, BLIND_CONVERSATION[-1][1], BLIND_REPLY)
        expect(message(host, BLIND_REPLY).locator(".mentions-you")).to_be_visible()
        act(host, BLIND_REPLY, "React with ❤️", tap=True)
        late = late_context.new_page()
        join_blind_room(late, link, LATE)
        expect_connected(late)
        for _, text in BLIND_CONVERSATION:
            expect_shared(late, text, HOST)
        expect(message(late, BLIND_REPLY).locator(".quote")).to_be_visible()
        assert BLIND_SLIP not in late.content() and BLIND_FIRST_DRAFT not in late.content()

        # Mira opens the menu of Tom's reply, her ❤️ pressed in its row of reactions.
        entry = message(host, BLIND_REPLY)
        entry.locator(".message-toggle").tap()
        expect(entry.locator(".message-menu .react-row")).to_be_visible()
        entry.locator(".message-menu").scroll_into_view_if_needed()
        return [shoot(host, f"conversation-blind-phone-{scheme}")]
    finally:
        for context in (host_context, guest_context, late_context):
            context.close()


def shoot_all(browser: Browser, base_url: str, schemes: tuple[str, ...]) -> list[Path]:
    """Every screenshot of this part, in each colour scheme of `schemes`."""
    shots: list[Path] = []
    for scheme in schemes:
        shots += conversation(browser, base_url, scheme)
    for scheme in schemes:
        shots += blind_phone(browser, base_url, scheme)
    return shots
