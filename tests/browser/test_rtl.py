"""Right to left: an Arabic page is the English one mirrored, and what people typed keeps its own direction.

A browser asking for Arabic (`locale="ar"`, so `Accept-Language: ar`) gets `<html lang="ar" dir="rtl">`; the
stylesheets say sides by the line's direction (tests/unit/test_css_logical.py), so one's own messages sit on the
left, the others' on the right, the people list on the left, the Send button left of the box and the share card's
Copy button left of the link. The same room in English is the control: nothing there moved. An English alias in
an Arabic note is drawn isolated, and each paragraph of a message reads the way its first letter does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import FloatRect, Locator, Page, expect

from tests.browser.support import PASSWORD, PHONE, send
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

NewPage = Callable[..., Page]
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
DEVICES = {"desktop": DESKTOP, "phone": PHONE}
ALIAS = "bob!"  # English, ending in a mark: unisolated in an Arabic sentence, the "!" would jump to its left
MIXED = "مرحبا hello 123"
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")


def box(locator: Locator) -> FloatRect:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not laid out"
    return found


def right(found: FloatRect) -> float:
    return found["x"] + found["width"]


def open_room(page: Page, link: str) -> None:
    page.goto(link)
    expect(page.locator("#chat")).to_be_visible()
    expect(page.locator("#status")).to_have_attribute("data-state", "connected")


def is_rtl(locator: Locator) -> bool:
    return bool(locator.evaluate("(element) => element.matches(':dir(rtl)')"))


def runs(locator: Locator) -> int:
    """How many pieces the text in `locator` is drawn in: one for text that reads in one direction throughout."""
    return int(
        locator.evaluate(
            """(element) => {
              const range = document.createRange();
              range.selectNodeContents(element);
              return range.getClientRects().length;
            }"""
        )
    )


def reads_rtl(locator: Locator) -> bool:
    """Whether the words in `locator` are drawn right to left: their first letter right of their last."""
    return bool(
        locator.evaluate(
            """(element) => {
              const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
              while (walker.nextNode() && !walker.currentNode.textContent.trim());
              const words = walker.currentNode;
              const at = (n) => {
                const range = document.createRange();
                range.setStart(words, n);
                range.setEnd(words, n + 1);
                return range.getBoundingClientRect().left;
              };
              return at(0) > at(words.textContent.trimEnd().length - 1);
            }"""
        )
    )


@pytest.fixture(params=["ar", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("device", DEVICES)
def test_the_room_and_its_share_card_are_mirrored_in_arabic_only(
    new_page: NewPage, shared_server: RunningServer, language: str, device: str, page_errors: list[str]
) -> None:
    rtl = language == "ar"
    ann = new_page(locale=language, **DEVICES[device])
    base = shared_server.url
    made = ann.request.post(base + "/api/rooms", data={"alias": "ann", "name": "plans 2026", "password": PASSWORD})
    assert made.status == 201, made.text()
    link = str(made.json()["url"])

    # The share card: the page's direction, the name's own, and Copy at the line's end (left, right to left).
    ann.goto(link + "/share")
    expect(ann.locator("html")).to_have_attribute("lang", language)
    expect(ann.locator("html")).to_have_attribute("dir", "rtl" if rtl else "ltr")
    expect(ann.locator("#room-title")).to_have_text("plans 2026")
    assert not is_rtl(ann.locator("#room-title")), "an English room name reads left to right in any page"
    link_box, copy_box = box(ann.locator("#room-link")), box(ann.locator("#copy-link"))
    if rtl:
        assert right(copy_box) <= link_box["x"] + 1, (copy_box, link_box)
    else:
        assert right(link_box) <= copy_box["x"] + 1, (link_box, copy_box)

    open_room(ann, link)
    assert not is_rtl(ann.locator("#room-name"))

    bob = new_page(locale=language, **DEVICES[device])
    room_id = link.split("/r/")[1]
    joined = bob.request.post(f"{base}/api/rooms/{room_id}/join", data={"alias": ALIAS, "password": PASSWORD})
    assert joined.status == 200, joined.text()
    open_room(bob, link)

    # Ann's own message, which starts in Arabic, and Bob's, in English.
    ann.fill("#text", MIXED)
    assert is_rtl(ann.locator("#text")) is True, "the box follows what is typed in it"
    send(ann, MIXED)
    send(bob, "hello from bob")
    mine = ann.locator("#messages li.message.mine").first
    theirs = ann.locator("#messages li.message:not(.mine)")
    expect(theirs.locator(".body")).to_have_text("hello from bob")
    expect(mine.locator(".body")).to_have_text(MIXED)
    assert reads_rtl(mine.locator(".body")) is True, "a message that starts in Arabic reads right to left, in any page"
    assert reads_rtl(theirs.locator(".body")) is False
    # In the message list the stylesheet gives an alias its own direction (the list admits no dir attribute).
    assert theirs.locator(".alias").evaluate("(element) => getComputedStyle(element).unicodeBidi") == "plaintext"

    # One's own bubble is set in from the line's start: from the right in Arabic, so it sits left of the others'.
    mine_box, theirs_box = box(mine), box(theirs)
    inset = 8  # 2rem on a desktop, 1rem on a phone
    bar = mine.evaluate(
        "(element) => [getComputedStyle(element).borderLeftWidth, getComputedStyle(element).borderRightWidth]"
    )
    if rtl:
        assert abs(mine_box["x"] - theirs_box["x"]) <= 1 and right(theirs_box) - right(mine_box) >= inset - 1
        assert bar == ["0px", "4px"], bar
    else:
        assert abs(right(mine_box) - right(theirs_box)) <= 1 and mine_box["x"] - theirs_box["x"] >= inset - 1
        assert bar == ["4px", "0px"], bar
    # The message's actions button at its end corner.
    toggle_box = box(theirs.locator(".message-toggle"))
    assert (right(toggle_box) < theirs_box["x"] + theirs_box["width"] / 2) is rtl

    # The composer: Send at the end of the row, left of the box in Arabic.
    text_box, send_box = box(ann.locator("#text")), box(ann.locator("#send"))
    assert (right(send_box) <= text_box["x"] + 1) is rtl
    assert (right(text_box) <= send_box["x"] + 1) is not rtl

    # The people list at the line's end: beside the conversation on a desktop, over it from that side on a phone.
    if device == "phone":
        ann.locator(".people-toggle").click()
    people = ann.locator("#people")
    expect(people).to_be_visible()
    people_box, list_box = box(people), box(ann.locator("#messages"))
    if device == "desktop":
        assert (right(people_box) <= list_box["x"] + 1) is rtl
        assert (right(list_box) <= people_box["x"] + 1) is not rtl
    else:
        middle = DEVICES[device]["viewport"]["width"] / 2
        assert (people_box["x"] + people_box["width"] / 2 < middle) is rtl, (people_box, middle)
    name = ann.locator("#presence li .alias").filter(has_text=ALIAS)
    expect(name).to_have_attribute("dir", "auto")
    assert is_rtl(name) is False

    # Each paragraph of a message takes its own direction: English, then Arabic.
    send(ann, f"first in English\n\n{MIXED}")
    paragraphs = ann.locator("#messages li.message.mine").last.locator(".body p")
    expect(paragraphs).to_have_count(2)
    assert [reads_rtl(paragraphs.nth(0)), reads_rtl(paragraphs.nth(1))] == [False, True]

    if rtl:
        expect_isolated_join_note(ann)
        # Outside the message list, an alias in a sentence is a <bdi>: "bob! is typing…" in Arabic.
        bob.fill("#text", "...")
        typing = ann.locator("#typing bdi")
        expect(typing).to_have_text(ALIAS)
        assert is_rtl(typing) is False and is_rtl(ann.locator("#typing")) is True
        assert runs(typing) == 1
    assert page_errors == []


def expect_isolated_join_note(page: Page) -> None:
    """Bob's arrival in Ann's Arabic page: the note's words in the table's order, "bob!" isolated in its span."""
    words = page.evaluate("() => JSON.parse(document.getElementById('script-strings').textContent)['note.joined']")
    assert ARABIC_LETTER.search(words), words
    note = page.locator("#messages li.system").filter(has=page.locator(".typed", has_text=ALIAS))
    expect(note).to_have_count(1)
    # The text in the DOM is the sentence as written, alias in place, with nothing invisible added.
    assert note.evaluate("(element) => element.textContent") == words.replace("{alias}", ALIAS)
    typed = note.locator(".typed")
    expect(typed).to_have_count(1)
    assert is_rtl(note) is True
    # Drawn as one run, "bob!" as typed: unisolated, the "!" would take the Arabic's direction and leave it.
    assert runs(typed) == 1
    # Words of the sentence before the alias (as the Arabic table has it) are drawn to its right.
    before = typed.evaluate(
        """(typed) => {
          const words = typed.previousSibling;
          if (!words || !words.textContent.trim()) return null;
          const range = document.createRange();
          range.selectNodeContents(words);
          return range.getBoundingClientRect().left;
        }"""
    )
    assert before is None or before >= right(box(typed)) - 1, before
    assert typed.evaluate("(element) => getComputedStyle(element).unicodeBidi") == "plaintext"
