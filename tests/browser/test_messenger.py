"""The chat page as a messenger: what was typed arrives as typed, nothing typed or said is lost, the newest
message stays in view, and on a phone the conversation gets the screen.

Each test is one thing a newcomer found wrong, on a desktop (1366x800) or a phone (390x844).
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable

import pytest
from playwright.sync_api import Dialog, Page, Route, expect

from tests.browser.support import (
    PHONE,
    Pair,
    contrast,
    expect_connected,
    hex_colour,
    message,
    open_room_menu,
    pair_up,
    purge,
    rgb,
    send,
)
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

NewPage = Callable[..., Page]
DESKTOP = {"viewport": {"width": 1366, "height": 800}}
# A 390x844 phone with its keyboard up: about 336 px of the height are keys.
PHONE_KEYBOARD_UP = {**PHONE, "viewport": {"width": 390, "height": 508}}
# The palette behind each person's colour (static/css/app.css), light then dark.
WHO_COLOURS = {
    "light": ["#b0241b", "#9a4a00", "#6f5f00", "#2c6e1f", "#00706a", "#1d5bb8", "#6a3fb5", "#a3236f"],
    "dark": ["#ff9b93", "#ffb066", "#e3cc55", "#8fd67a", "#5fd6cc", "#8ab6ff", "#c3a5ff", "#ff94cf"],
}


def pair_of(new_page: NewPage, server: RunningServer, ann_device: dict, bob_device: dict = DESKTOP) -> Pair:
    """Ann and Bob in a room made and joined through the JSON API: these tests are about the chat page."""
    return pair_up(new_page, server.url, ann_device, bob_device, forms=False)


@pytest.fixture
def desk(new_page: NewPage, shared_server: RunningServer) -> Pair:
    return pair_of(new_page, shared_server, DESKTOP)


@pytest.fixture
def phone(new_page: NewPage, shared_server: RunningServer) -> Pair:
    return pair_of(new_page, shared_server, PHONE)


def tap_send(page: Page, text: str) -> None:
    """What a thumb does: tap the box, type, tap Send."""
    page.locator("#text").tap()
    page.keyboard.type(text)
    page.locator("#send").tap()


def fill_the_list(sender: Page, readers: list[Page], count: int = 14) -> None:
    """Enough messages that the list scrolls."""
    for n in range(count):
        send(sender, f"line {n:02d} " + "of a conversation that goes on " * 3)
    for page in readers:
        expect(page.locator("#messages li.message")).to_have_count(count)


def in_view(page: Page, selector: str) -> bool:
    """Whether the element's box lies within the message list's visible part."""
    return page.evaluate(
        """(selector) => {
            const list = document.getElementById("messages").getBoundingClientRect();
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= list.top - 1 && box.bottom <= list.bottom + 1;
        }""",
        selector,
    )


# Scroll the list to its end as a reader would, and resolve once the page has seen that scroll.
SCROLL_TO_BOTTOM = """(list) => new Promise((seen) => {
    list.addEventListener("scroll", () => requestAnimationFrame(() => seen(true)), {once: true});
    list.scrollTop = list.scrollHeight;
    list.scrollTop = list.scrollHeight - list.clientHeight - 1;
    list.scrollTop = list.scrollHeight;
})"""
AT_BOTTOM = """() => { const list = document.getElementById("messages");
                       return list.scrollHeight - list.scrollTop - list.clientHeight < 40; }"""


def tall_png(width: int = 40, height: int = 900) -> bytes:
    """A grey PNG much taller than a message line: loading it grows the list."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def colour_index(participant_id: str) -> int:
    """static/js/chat/grouping.js colourOf, written again here so a change there is noticed."""
    value = 0
    for char in participant_id:
        value = (value * 31 + ord(char)) & 0xFFFFFFFF
    return value % len(WHO_COLOURS["light"])


# 1. What was typed arrives as typed; formatting comes from Markdown -----------------------------------------------

TYPED_CODE = "Vec<String> and Option<T>; a<b>c & \"quoted\" 'single' <script>x</script>"


def test_angle_brackets_ampersands_and_quotes_arrive_exactly_as_typed(desk: Pair, page_errors: list[str]) -> None:
    send(desk.ann, TYPED_CODE)
    for page in (desk.ann, desk.bob):
        expect(page.locator("#messages li.message .body").last).to_have_text(TYPED_CODE)
    send(desk.bob, "**bold** and _leaning_ and `x<y`\n> quoted\n- first\n- second\n\nsee https://example.org/a")
    body = desk.ann.locator("#messages li.message .body").last
    expect(body.locator("strong")).to_have_text("bold")
    expect(body.locator("em")).to_have_text("leaning")
    expect(body.locator("code")).to_have_text("x<y")
    expect(body.locator("blockquote")).to_contain_text("quoted")
    expect(body.locator("li")).to_have_text(["first", "second"])
    expect(body.locator("a")).to_have_attribute("href", "https://example.org/a")
    assert page_errors == []


def test_the_toolbar_writes_markdown_around_the_selection(desk: Pair, page_errors: list[str]) -> None:
    text = desk.ann.locator("#text")
    text.fill("make this loud")
    text.evaluate("(box) => box.setSelectionRange(10, 14)")
    desk.ann.get_by_role("button", name="Bold").click()
    expect(text).to_have_value("make this **loud**")
    desk.ann.keyboard.press("Enter")
    expect(message(desk.bob, "make this loud").locator("strong")).to_have_text("loud")
    assert page_errors == []


# 2. The invite and its QR code open in the room, which stays -----------------------------------------------------


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_invite_qr_opens_over_the_conversation_and_loses_none_of_it(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str], device: str
) -> None:
    pair = pair_of(new_page, shared_server, PHONE if device == "phone" else DESKTOP)
    dialogs: list[Dialog] = []
    pair.ann.on("dialog", lambda dialog: dialogs.append(dialog))
    fill_the_list(pair.bob, [pair.ann], count=6)

    open_room_menu(pair.ann)
    pair.ann.locator("#invite").click()
    invite = pair.ann.locator("#invite-dialog")
    expect(invite.locator("svg.qr")).to_be_visible()
    expect(invite.locator("#room-link")).to_have_value(pair.link)
    send(pair.bob, "said while the QR was open")
    invite.get_by_role("button", name="Done").click()
    expect(invite).to_be_hidden()

    assert pair.ann.url == pair.link and dialogs == []
    expect(pair.ann.locator("#messages li.message")).to_have_count(7)
    expect(message(pair.ann, "said while the QR was open")).to_be_visible()
    assert page_errors == []


# 3. The newest message stays in view ------------------------------------------------------------------------------


def test_your_own_message_scrolls_into_view_wherever_the_list_was(desk: Pair, page_errors: list[str]) -> None:
    fill_the_list(desk.bob, [desk.ann])
    # A little above the bottom: a reader who nudged the list, not one who went back to read.
    desk.ann.locator("#messages").evaluate("(list) => { list.scrollTop -= 120; }")
    expect(desk.ann.locator("#new-messages")).to_be_hidden()
    send(desk.bob, "from bob while ann is up the list")
    expect(desk.ann.locator("#new-messages")).to_be_visible()
    send(desk.ann, "ann answers")
    expect(message(desk.ann, "ann answers")).to_be_visible()
    assert in_view(desk.ann, "#messages li.message:last-child")
    expect(desk.ann.locator("#new-messages")).to_be_hidden()
    assert page_errors == []


def test_an_image_loading_keeps_a_pinned_list_on_the_newest_message(desk: Pair, page_errors: list[str]) -> None:
    held: list[Route] = []
    desk.ann.route("https://images.example/**", lambda route: held.append(route))
    fill_the_list(desk.bob, [desk.ann])
    send(desk.bob, "look: ![a tall picture](https://images.example/tall.png)")
    desk.ann.get_by_role("button", name=re.compile("^Load image from images.example")).click()
    # The image is on its way; the reader is at the bottom of the list (the click may have nudged it).
    desk.ann.wait_for_function("() => document.querySelector('#messages img') !== null")
    desk.ann.locator("#messages").evaluate(SCROLL_TO_BOTTOM)
    desk.ann.wait_for_function(AT_BOTTOM)
    held[0].fulfill(body=tall_png(), content_type="image/png")
    desk.ann.wait_for_function("() => document.querySelector('#messages img').naturalHeight > 0")
    # The picture grew the list by 900 px under a view that was at the bottom; the view went with it,
    # and the next message from someone else is followed too.
    desk.ann.wait_for_function(AT_BOTTOM)
    send(desk.bob, "bob after the picture")
    expect(message(desk.ann, "bob after the picture")).to_have_count(1)
    desk.ann.wait_for_function(AT_BOTTOM)
    assert in_view(desk.ann, "#messages li.message:last-child")
    expect(desk.ann.locator("#new-messages")).to_be_hidden()
    assert page_errors == []


# 4. Typing while a message travels is kept; a refused text comes back --------------------------------------------


def test_what_you_type_while_a_message_is_on_its_way_stays_in_the_box(desk: Pair, page_errors: list[str]) -> None:
    text = desk.ann.locator("#text")
    desk.ann_socket.hold_acks = True
    text.fill("the first thought")
    text.press("Enter")
    expect(text).to_have_value("")
    text.press_sequentially("and the second")
    desk.ann_socket.release()
    expect(message(desk.bob, "the first thought")).to_have_count(1)
    expect(message(desk.ann, "the first thought")).to_have_count(1)
    expect(text).to_have_value("and the second")

    # Refused on the way back: the text returns ahead of what was typed since.
    desk.ann_socket.hold_acks = True
    desk.ann_socket.edit_ack = lambda ack: {"ok": False, "error": "internal"}
    text.press("Enter")
    expect(text).to_have_value("")
    text.press_sequentially("third")
    desk.ann_socket.release()
    expect(text).to_have_value("and the second\nthird")
    expect(desk.ann.locator("#composer-error")).to_be_visible()
    assert page_errors == []


# 5. Focus stays in the message box -------------------------------------------------------------------------------


def test_on_a_phone_sending_keeps_the_keyboard_up(phone: Pair, page_errors: list[str]) -> None:
    tap_send(phone.ann, "sent with a thumb")
    expect(message(phone.bob, "sent with a thumb")).to_have_count(1)
    expect(phone.ann.locator("#text")).to_be_focused()
    # The formatting button is a tap too, and also leaves the keyboard up.
    phone.ann.locator("#format-toggle").tap()
    expect(phone.ann.locator("#toolbar")).to_be_visible()
    expect(phone.ann.locator("#text")).to_be_focused()
    assert page_errors == []


def test_on_a_desktop_the_room_opens_ready_to_type(desk: Pair, page_errors: list[str]) -> None:
    expect(desk.bob.locator("#text")).to_be_focused()
    desk.bob.keyboard.type("typed straight away")
    desk.bob.keyboard.press("Enter")
    expect(message(desk.ann, "typed straight away")).to_have_count(1)
    assert page_errors == []


# 6. On a phone the conversation gets the screen ------------------------------------------------------------------


def messages_height(page: Page) -> float:
    box = page.locator("#messages").bounding_box()
    assert box is not None
    return box["height"]


@pytest.mark.parametrize("device", [PHONE, PHONE_KEYBOARD_UP], ids=["phone", "phone-keyboard-up"])
def test_on_a_phone_the_messages_take_most_of_the_screen_and_purge_is_two_steps_away(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str], device: dict
) -> None:
    pair = pair_of(new_page, shared_server, device)
    height = device["viewport"]["height"]
    assert messages_height(pair.ann) >= 0.7 * height if height > 600 else messages_height(pair.ann) >= 0.55 * height
    for selector in ("#room-name", "#countdown", "#people-toggle", "#menu-toggle", "#text", "#send"):
        expect(pair.ann.locator(selector)).to_be_in_viewport()
    expect(pair.ann.locator("#countdown")).to_have_text(re.compile(r"^\d+:\d\d$"))
    for folded in ("#purge", "#logout", "#invite", "#presence", "#toolbar"):
        expect(pair.ann.locator(folded)).to_be_hidden()

    pair.ann.locator("#people-toggle").tap()
    expect(pair.ann.locator("#presence")).to_be_visible()
    expect(pair.ann.locator("#people-toggle")).to_have_attribute("aria-expanded", "true")
    pair.ann.locator("#people-toggle").tap()

    pair.ann.locator("#menu-toggle").tap()
    purge_button = pair.ann.locator("#purge")
    expect(purge_button).to_be_visible()
    purge_button.tap()
    dialog = pair.ann.locator("#purge-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("everyone is signed out")
    dialog.get_by_role("button", name="Keep the room").tap()
    expect(dialog).to_be_hidden()
    send(pair.bob, "still here")
    expect(message(pair.ann, "still here")).to_have_count(1)
    assert page_errors == []


# 8. Sending too fast and being offline say why, and for how long -------------------------------------------------


def test_too_fast_says_when_you_can_send_again_and_then_clears(desk: Pair, page_errors: list[str]) -> None:
    desk.ann_socket.edit_ack = lambda ack: {"ok": False, "error": "rate_limited", "retry_after": 2}
    desk.ann.fill("#text", "one too many")
    desk.ann.press("#text", "Enter")
    notice = desk.ann.locator("#composer-notice")
    expect(notice).to_have_text(re.compile(r"You can send again in [12] seconds?\."))
    expect(desk.ann.locator("#text")).to_have_value("one too many")
    desk.ann_socket.edit_ack = None
    expect(notice).to_be_hidden()
    expect(desk.ann.locator("#composer-error")).to_be_hidden()
    desk.ann.press("#text", "Enter")
    expect(message(desk.bob, "one too many")).to_have_count(2)
    assert page_errors == []


def test_offline_says_beside_send_why_nothing_can_be_sent(desk: Pair, page_errors: list[str]) -> None:
    desk.ann_socket.cut()
    notice = desk.ann.locator("#composer-notice")
    expect(notice).to_have_text(re.compile("Not connected"))
    expect(desk.ann.locator("#send")).to_be_disabled()
    expect(desk.ann.locator("#send")).to_have_attribute("aria-describedby", "composer-notice")
    desk.ann.locator("#text").fill("waiting for the network")
    desk.ann_socket.offline = False
    # The client's next retry comes up to 5 s after the last refusal (its backoff, with jitter).
    expect(desk.ann.locator("#status")).to_have_attribute("data-state", "connected", timeout=30_000)
    expect_connected(desk.ann)
    expect(notice).to_be_hidden()
    expect(desk.ann.locator("#text")).to_have_value("waiting for the network")
    desk.ann.press("#text", "Enter")
    expect(message(desk.bob, "waiting for the network")).to_have_count(1)
    # The page's socket was cut under it; a closed WebSocket is reported to the console.
    assert [e for e in page_errors if "WebSocket" not in e] == []


# 9. Purge asks in the page and says who purged -------------------------------------------------------------------


def test_purge_asks_in_the_page_and_every_screen_says_who_purged(desk: Pair, page_errors: list[str]) -> None:
    dialogs: list[Dialog] = []
    desk.bob.on("dialog", lambda dialog: dialogs.append(dialog))
    send(desk.ann, "something to wipe")
    purge(desk.bob)
    assert dialogs == []
    expect(desk.ann.locator("#purged-by")).to_have_text("bob purged it.")
    expect(desk.bob.locator("#purged-by")).to_have_text("You purged it.")
    for page in (desk.ann, desk.bob):
        expect(page).to_have_url(re.compile(r"/gone\?reason=purged$"))
        expect(page.locator("#chat")).to_have_count(0)
        assert "something to wipe" not in page.content()
    # Who purged is never in an address: a reload shows the server's card, which does not know.
    desk.ann.reload()
    expect(desk.ann.locator("#purged-by")).to_have_text("Someone in the room purged it.")
    assert page_errors == []


# 10. A busy room reads well ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_runs_share_one_name_and_each_person_has_a_readable_colour(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str], scheme: str
) -> None:
    device = {**DESKTOP, "color_scheme": scheme}
    pair = pair_of(new_page, shared_server, device, device)
    for text in ("bob one", "bob two", "bob three"):
        send(pair.bob, text)
    send(pair.ann, "ann cuts in")
    send(pair.bob, "bob again")
    entries = pair.ann.locator("#messages li.message")
    expect(entries).to_have_count(5)
    continued = [("continued" in (entries.nth(n).get_attribute("class") or "")) for n in range(5)]
    assert continued == [False, True, True, False, False]
    head_height = entries.nth(1).locator(".head").evaluate("(head) => head.getBoundingClientRect().height")
    assert head_height <= 1  # read aloud, not shown

    presence = pair.ann_socket.events("presence")[-1]
    ids = {p["alias"]: p["id"] for p in presence["participants"]}
    for alias, entry in (("bob", entries.nth(0)), ("ann", entries.nth(3))):
        colour = entry.locator(".alias").evaluate("(el) => getComputedStyle(el).color")
        expected = WHO_COLOURS[scheme][colour_index(ids[alias])]
        assert contrast(rgb(colour), hex_colour(expected)) < 1.01, (alias, colour, expected)
        background = entry.evaluate(
            """(el) => { for (let node = el; node; node = node.parentElement) {
                const colour = getComputedStyle(node).backgroundColor;
                if (colour !== "rgba(0, 0, 0, 0)") return colour; } }"""
        )
        assert contrast(rgb(colour), rgb(background)) >= 4.5, (alias, colour, background)
    assert page_errors == []


def test_the_message_box_grows_with_its_text_up_to_a_limit(desk: Pair, page_errors: list[str]) -> None:
    text = desk.ann.locator("#text")
    one_line = text.bounding_box()["height"]
    text.fill("a\nb\nc\nd")
    desk.ann.wait_for_function(f"() => document.getElementById('text').offsetHeight > {one_line} * 2")
    text.fill("\n".join("line" for _ in range(40)))
    desk.ann.wait_for_function(f"() => document.getElementById('text').offsetHeight > {one_line} * 4")
    tall = text.bounding_box()["height"]
    assert tall < 0.5 * 800, "the box stops growing and scrolls instead"
    expect(desk.ann.locator("#send")).to_be_in_viewport()
    assert page_errors == []
