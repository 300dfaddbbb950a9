"""Screenshots of what people do to messages, for the README: `make screenshots` (or `--only conversation`).

Two people talk in a standard room on a desktop, using each message's menu as a person would: a reply with its
quote, reactions, an edited message, an unsent one, a mention, and one of them typing;
docs/screenshots/conversation-desktop-{light,dark}.png. Then a server-blind room on a phone with a message's
menu open; docs/screenshots/conversation-blind-phone-{light,dark}.png.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from scripts.screenshots import DEVICES, GUEST, HOST, shoot
from tests.browser.support import PASSWORD, create_room, expect_connected, expect_present, join_room, send
from tests.browser.test_e2e_client import create_blind_room, join_blind_room
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
BLIND_REPLY = "Got it. I will drop the key back on Sunday."


def reply(page: Page, text: str, answer: str, tap: bool = False) -> None:
    """Answer the message showing `text` through its menu's Reply; returns once the room echoed it."""
    act(page, text, "Reply", tap=tap)
    send(page, answer)
    expect(message(page, answer).locator(".quote")).to_be_visible()


def conversation(browser: Browser, base_url: str, scheme: str) -> list[Path]:
    """Mira on a desktop and Tom talk in a standard room; one screenshot from Mira's page while Tom types."""
    host_context = browser.new_context(color_scheme=scheme, **DEVICES["desktop"])
    guest_context = browser.new_context(color_scheme=scheme)
    try:
        host, guest = host_context.new_page(), guest_context.new_page()
        link = create_room(host, base_url, HOST, ROOM_NAME, PASSWORD)
        join_room(guest, link, GUEST)
        expect_present(host, HOST, GUEST)

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
        return [shoot(host, f"conversation-desktop-{scheme}")]
    finally:
        host_context.close()
        guest_context.close()


def blind_phone(browser: Browser, base_url: str, scheme: str) -> list[Path]:
    """Mira on a phone talks with Tom in a server-blind room; one screenshot with a message's menu open."""
    host_context = browser.new_context(color_scheme=scheme, **DEVICES["phone"])
    guest_context = browser.new_context(color_scheme=scheme)
    try:
        host, guest = host_context.new_page(), guest_context.new_page()
        link = create_blind_room(host, base_url, HOST, BLIND_NAME)
        host.get_by_role("link", name="Enter the room").tap()
        expect_connected(host)
        join_blind_room(guest, link, GUEST)
        expect_connected(guest)
        expect_present(host, HOST, GUEST)

        pages = {HOST: host, GUEST: guest}
        for alias, text in BLIND_CONVERSATION:
            send(pages[alias], text)
        expect(host.locator("#messages li.message")).to_have_count(len(BLIND_CONVERSATION))
        reply(guest, BLIND_CONVERSATION[-1][1], BLIND_REPLY)
        act(host, BLIND_REPLY, "React with ❤️", tap=True)

        # Mira opens the menu of Tom's reply, her ❤️ pressed in its row of reactions.
        entry = message(host, BLIND_REPLY)
        entry.locator(".message-toggle").tap()
        expect(entry.locator(".message-menu .react-row")).to_be_visible()
        entry.locator(".message-menu").scroll_into_view_if_needed()
        return [shoot(host, f"conversation-blind-phone-{scheme}")]
    finally:
        host_context.close()
        guest_context.close()


def shoot_all(browser: Browser, base_url: str, schemes: tuple[str, ...]) -> list[Path]:
    """Every screenshot of this part, in each colour scheme of `schemes`."""
    shots: list[Path] = []
    for scheme in schemes:
        shots += conversation(browser, base_url, scheme)
    for scheme in schemes:
        shots += blind_phone(browser, base_url, scheme)
    return shots
