"""Screenshots of the chat in other languages, for the README: `make screenshots` (or `--only languages`).

Laila's phone speaks Arabic: she makes a room, and its page is right to left. Marta's desktop speaks Russian
and joins it. They talk, Arabic and Russian beside each other, and an English line from each shows how mixed
directions keep their order (chat-ar-phone-light.png, chat-ru-desktop-light.png).
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from scripts.screenshots import DEVICES, shoot
from tests.browser.support import PASSWORD, send

LAILA, MARTA = "ليلى", "Марта"
ROOM_NAME = "مراجعة العقد"
LINES = [
    (LAILA, "مرحبا مارتا، هل وصلتك **المسودة**؟"),
    (MARTA, "Да, спасибо! Посмотрю раздел 3 сегодня вечером."),
    (LAILA, "ممتاز. سأحذف الغرفة عندما ننتهي — nothing needs to stay."),
    (MARTA, "Договорились. The audit clause is fine."),
]


def _made_room(page: Page, base_url: str) -> str:
    made = page.request.post(base_url + "/api/rooms", data={"alias": LAILA, "name": ROOM_NAME, "password": PASSWORD})
    assert made.status == 201, made.text()
    return str(made.json()["url"])


def _joined(page: Page, link: str) -> None:
    base_url, room_id = link.split("/r/")
    joined = page.request.post(f"{base_url}/api/rooms/{room_id}/join", data={"alias": MARTA, "password": PASSWORD})
    assert joined.status == 200, joined.text()


def shoot_all(browser: Browser, base_url: str, schemes: tuple[str, ...]) -> list[Path]:
    laila_context = browser.new_context(color_scheme="light", locale="ar", **DEVICES["phone"])
    marta_context = browser.new_context(color_scheme="light", locale="ru", **DEVICES["desktop"])
    try:
        laila, marta = laila_context.new_page(), marta_context.new_page()
        link = _made_room(laila, base_url)
        _joined(marta, link)
        for page in (laila, marta):
            page.goto(link)
            expect(page.locator("#chat")).to_be_visible()
            expect(page.locator("#status")).to_have_attribute("data-state", "connected")
        for who, text in LINES:
            send(laila if who == LAILA else marta, text)
        for page in (laila, marta):
            expect(page.locator("#messages li.message")).to_have_count(len(LINES))
        return [shoot(laila, "chat-ar-phone-light"), shoot(marta, "chat-ru-desktop-light")]
    finally:
        laila_context.close()
        marta_context.close()
