"""Screenshots of the chat in other languages, for the README: `make screenshots` (or `--only languages`).

Laila's phone speaks Arabic: she makes a room, and its page is right to left. Marta's desktop speaks Russian
and joins it, and Sam joins from a terminal with `ephemeral-chat`. They talk, Arabic and Russian beside each
other, and an English line from each shows how mixed directions keep their order (chat-ar-phone-light.png,
chat-ru-desktop-light.png, and terminal.png: the terminal's screen as pyte read it, drawn by the browser).
"""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

import pyte
from playwright.sync_api import Browser, Page, expect

from scripts.screenshots import DEVICES, shoot
from tests.browser.support import PASSWORD, send
from tests.terminal.support import People, Terminal

LAILA, MARTA, SAM = "ليلى", "Марта", "Sam"
ROOM_NAME = "مراجعة العقد"
LINES = [
    (LAILA, "مرحبا مارتا، هل وصلتك **المسودة**؟"),
    (MARTA, "Да, спасибо! Посмотрю раздел 3 сегодня вечером."),
    (LAILA, "ممتاز. سأحذف الغرفة عندما ننتهي — nothing needs to stay."),
    (MARTA, "Договорились. The audit clause is fine."),
    (SAM, "Joining from a terminal: section 3 looks good to me."),
]
TERMINAL_SIZE = (96, 24)
# pyte's colour names, drawn as a dark terminal would.
PALETTE = {
    "default": "#e8e8e8",
    "black": "#2e3436",
    "red": "#ef6b6b",
    "green": "#8ae234",
    "brown": "#e9b96e",
    "yellow": "#fce94f",
    "blue": "#7aa6da",
    "magenta": "#d58fd0",
    "cyan": "#70c0b1",
    "white": "#eeeeec",
}
BACKGROUND = "#1d1f21"


def _made_room(page: Page, base_url: str) -> str:
    made = page.request.post(base_url + "/api/rooms", data={"alias": LAILA, "name": ROOM_NAME, "password": PASSWORD})
    assert made.status == 201, made.text()
    return str(made.json()["url"])


def _joined(page: Page, link: str) -> None:
    base_url, room_id = link.split("/r/")
    joined = page.request.post(f"{base_url}/api/rooms/{room_id}/join", data={"alias": MARTA, "password": PASSWORD})
    assert joined.status == 200, joined.text()


def _colour(name: str, fallback: str) -> str:
    if name == "default":
        return fallback
    return PALETTE.get(name) or (f"#{name}" if len(name) == 6 else fallback)


def _terminal_html(screen: pyte.Screen) -> str:
    """The screen's cells as spans of one style each, in a <pre> the browser lays out as a terminal would."""
    rows = []
    for y in range(screen.lines):
        spans, run, style = [], "", ""
        for x in range(screen.columns):
            cell = screen.buffer[y][x]
            fg, bg = _colour(cell.fg, PALETTE["default"]), _colour(cell.bg, BACKGROUND)
            if cell.reverse:
                fg, bg = bg, fg
            now = f"color:{fg};background:{bg};font-weight:{700 if cell.bold else 400}"
            if now != style and run:
                spans.append(f'<span style="{style}">{html.escape(run)}</span>')
                run = ""
            style, run = now, run + (cell.data or "")
        spans.append(f'<span style="{style}">{html.escape(run)}</span>')
        rows.append("".join(spans))
    page_style = f"margin:0;padding:14px;background:{BACKGROUND};font:15px/1.35 'DejaVu Sans Mono',monospace"
    return f'<body style="{page_style}"><pre style="margin:0">{"<br>".join(rows)}</pre></body>'


def _shoot_terminal(browser: Browser, term: Terminal) -> Path:
    context = browser.new_context(viewport={"width": 910, "height": 500}, device_scale_factor=2)
    try:
        page = context.new_page()
        page.set_content(_terminal_html(term.screen))
        return shoot(page, "terminal")
    finally:
        context.close()


def shoot_all(browser: Browser, base_url: str, schemes: tuple[str, ...]) -> list[Path]:
    laila_context = browser.new_context(color_scheme="light", locale="ar", **DEVICES["phone"])
    marta_context = browser.new_context(color_scheme="light", locale="ru", **DEVICES["desktop"])
    with tempfile.TemporaryDirectory() as homes:
        terminals = People(Path(homes))
        try:
            laila, marta = laila_context.new_page(), marta_context.new_page()
            link = _made_room(laila, base_url)
            _joined(marta, link)
            for page in (laila, marta):
                page.goto(link)
                expect(page.locator("#chat")).to_be_visible()
                expect(page.locator("#status")).to_have_attribute("data-state", "connected")
            sam = terminals(["join", link, "--alias", SAM], stdin_text=PASSWORD + "\n", size=TERMINAL_SIZE)
            sam.in_chat()
            for who, text in LINES:
                if who == SAM:
                    sam.say(text)
                    sam.wait_for(f"{SAM} (you): {text}")
                else:
                    send(laila if who == LAILA else marta, text)
            for page in (laila, marta):
                expect(page.locator("#messages li.message")).to_have_count(len(LINES))
            sam.wait_for("3 present")
            return [
                shoot(laila, "chat-ar-phone-light"),
                shoot(marta, "chat-ru-desktop-light"),
                _shoot_terminal(browser, sam),
            ]
        finally:
            terminals.stop()
            laila_context.close()
            marta_context.close()
