"""Screenshots of the web client for the README: `make screenshots`.

Starts the real server, walks the flow a person walks (landing, share card, a short
conversation between two people) in Debian's Chromium, and writes
docs/screenshots/{landing,share,chat}-{desktop,phone}-{light,dark}.png; then a broadcast
room on phones: its host's controls and what a reader sees,
docs/screenshots/{host-controls,broadcast-reader}-phone-{light,dark}.png; then what people do to messages
(scripts/screenshots_conversation.py), files (scripts/screenshots_files.py) and the chat in Arabic and Russian
(scripts/screenshots_languages.py). `--only PART` shoots one part.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.support import (
    PASSWORD,
    create_room_to_share_card,
    enter_from_share_card,
    expect_present,
    join_room,
    launch_chromium,
    send,
)
from tests.support.server import running_server

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
DEVICES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}
SCHEMES = ("light", "dark")
HOST, GUEST = "Mira", "Tom"
ROOM_NAME = "Contract draft, round 2"
CONVERSATION = [
    (HOST, "Hi Tom. Did the draft reach you? I would rather not send it by email."),
    (GUEST, "Got it, thanks. Two things on **section 3**:\n- the notice period\n- who pays the audit"),
    (HOST, "> who pays the audit\n\nThey do, it says so in 3.4. I will make it clearer."),
    (GUEST, "The tool they use wants `List<Invoice>` in the export, by the way."),
    (GUEST, "I will purge the room when we are done, nothing needs to stay."),
]
BROADCAST_NAME = "Saturday cleanup crew"
READERS = ("Tom", "Ines")
ANNOUNCEMENTS = [
    "Meeting point is the north gate of the park, 9:00. Gloves and bags are there.",
    "If it rains we move to Sunday, same time. I will post it here by 8:00.",
]
# A 390x844 phone with its keyboard up: about 336 px of the height are keys.
KEYBOARD_UP = {"width": 390, "height": 508}


def shoot(page: Page, name: str) -> Path:
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    return path


def walk(browser: Browser, base_url: str, device: str, scheme: str) -> list[Path]:
    """One person on `device` creates a room and talks with a second person; three screenshots."""
    host_context = browser.new_context(color_scheme=scheme, **DEVICES[device])
    guest_context = browser.new_context(color_scheme=scheme)
    try:
        host, guest = host_context.new_page(), guest_context.new_page()
        host.goto(base_url + "/")
        expect(host.get_by_role("button", name="Create room")).to_be_visible()
        shots = [shoot(host, f"landing-{device}-{scheme}")]

        link = create_room_to_share_card(host, base_url, HOST, ROOM_NAME, PASSWORD)
        expect(host.locator("#expires")).to_contain_text("(in ")  # the local time, filled in by share.js
        shots.append(shoot(host, f"share-{device}-{scheme}"))

        enter_from_share_card(host, link)
        join_room(guest, link, GUEST)
        expect_present(host, HOST, GUEST)
        pages = {HOST: host, GUEST: guest}
        for alias, text in CONVERSATION:
            send(pages[alias], text)
        expect(host.locator("#messages li.message")).to_have_count(len(CONVERSATION))
        host.locator("#text").fill("Sounds good, talk tomorrow")
        host.locator("#text").blur()
        shots.append(shoot(host, f"chat-{device}-{scheme}"))
        if device == "phone":
            # What is left of the screen while typing: the conversation and the composer.
            host.set_viewport_size(KEYBOARD_UP)
            host.locator("#text").focus()
            shots.append(shoot(host, f"chat-phone-keyboard-{scheme}"))
        return shots
    finally:
        host_context.close()
        guest_context.close()


def broadcast(browser: Browser, base_url: str, scheme: str) -> list[Path]:
    """A host on a phone makes a broadcast room that only hosts may purge; two readers join; two screenshots."""
    contexts = [browser.new_context(color_scheme=scheme, **DEVICES["phone"]) for _ in range(1 + len(READERS))]
    try:
        host, *readers = (context.new_page() for context in contexts)
        host.goto(base_url + "/")
        host.fill("#alias", HOST)
        host.fill("#name", BROADCAST_NAME)
        host.fill("#password", PASSWORD)
        host.get_by_text("Room options").tap()
        host.select_option("#kind", "broadcast")
        host.select_option("#purge", "hosts")
        host.get_by_role("button", name="Create room").tap()
        expect(host.locator("#room-link")).to_be_visible()
        link = host.locator("#room-link").input_value()
        enter_from_share_card(host, link)
        for alias, reader in zip(READERS, readers, strict=True):
            join_room(reader, link, alias)
        expect_present(host, HOST, *READERS)
        for text in ANNOUNCEMENTS:
            send(host, text)
        expect(readers[0].locator("#messages li.message")).to_have_count(len(ANNOUNCEMENTS))
        shots = [shoot(readers[0], f"broadcast-reader-phone-{scheme}")]
        host.locator("#people-toggle").tap()
        host.get_by_role("button", name=f"Actions for {READERS[0]}").tap()
        expect(host.get_by_role("button", name="Remove from room")).to_be_visible()
        shots.insert(0, shoot(host, f"host-controls-phone-{scheme}"))
        return shots
    finally:
        for context in contexts:
            context.close()


def chats(browser: Browser, base_url: str) -> list[Path]:
    """Landing, share card and chat on every device, then the broadcast room."""
    shots: list[Path] = []
    for device in DEVICES:
        for scheme in SCHEMES:
            shots += walk(browser, base_url, device, scheme)
    for scheme in SCHEMES:
        shots += broadcast(browser, base_url, scheme)
    return shots


def conversation(browser: Browser, base_url: str) -> list[Path]:
    # Imported here: that module takes its names and `shoot` from this one.
    from scripts import screenshots_conversation

    return screenshots_conversation.shoot_all(browser, base_url, SCHEMES)


def files(browser: Browser, base_url: str) -> list[Path]:
    from scripts import screenshots_files  # as for the conversation

    return screenshots_files.shoot_all(browser, base_url, SCHEMES)


def languages(browser: Browser, base_url: str) -> list[Path]:
    from scripts import screenshots_languages  # as for the conversation

    return screenshots_languages.shoot_all(browser, base_url, SCHEMES)


PARTS: dict[str, Callable[[Browser, str], list[Path]]] = {
    "chats": chats,
    "conversation": conversation,
    "files": files,
    "languages": languages,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Screenshots of the web client for the README.")
    parser.add_argument("--only", choices=sorted(PARTS), help="shoot only this part (default: all of them)")
    chosen = parser.parse_args(argv).only
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as logs,
        running_server(Path(logs), "gevent", env={"EPHEMERAL_BCRYPT_COST": "4"}) as server,
        sync_playwright() as driver,
    ):
        browser = launch_chromium(driver)
        try:
            for name, part in PARTS.items():
                if chosen in (None, name):
                    for path in part(browser, server.url):
                        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KiB")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
