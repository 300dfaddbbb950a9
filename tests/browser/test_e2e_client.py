"""Server-blind rooms in Debian's Chromium: create and join by link and password, chat, refusals, reload, QR.

The page derives keys with PBKDF2 (600,000 iterations), so every create, join and unlock costs a second or so;
the tests share one server and reuse each room for as much as they can check.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import zxingcpp
from playwright.sync_api import Page, Request, expect

from tests.browser.support import (
    PASSWORD,
    SocketTap,
    expect_connected,
    expect_message,
    expect_present,
    expect_wiped,
    purge,
    send,
    severe_violations,
    tap_socket,
)
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

NewPage = Callable[..., Page]
SECRET_LINK = re.compile(r"^(?P<room>.+/r/[A-Za-z0-9_-]{22})#k=(?P<secret>[A-Za-z0-9_-]{43})$")
WRONG = "Wrong password or link"
UNDECRYPTABLE = "A message could not be decrypted"


def create_blind_room(page: Page, base_url: str, alias: str, name: str, password: str = PASSWORD) -> str:
    """The landing form with the server-blind switch on; stops on the share card and returns its whole link."""
    page.goto(base_url + "/")
    page.fill("#alias", alias)
    page.fill("#name", name)
    page.fill("#password", password)
    switch = page.get_by_role("switch", name="Server-blind (end-to-end encrypted)")
    expect(switch).not_to_be_checked()
    switch.check()
    page.get_by_role("button", name="Create room").click()
    expect(page).to_have_url(re.compile(r"/r/[^/#]+/share#k="))
    expect(page.locator("#room-link")).to_have_value(re.compile(r"#k=[A-Za-z0-9_-]{43}$"))
    link = page.locator("#room-link").input_value()
    assert SECRET_LINK.match(link), link
    assert link.startswith(base_url + "/r/")
    return link


def join_blind_room(page: Page, link: str, alias: str, password: str = PASSWORD) -> None:
    """Open the link as a new page (not as a jump within the last one) and send the join form."""
    page.goto("about:blank")
    page.goto(link)
    expect(page.get_by_role("heading", name="Join this room")).to_be_visible()
    expect(page.locator("#password-error")).to_be_hidden()
    page.fill("#alias", alias)
    page.fill("#password", password)
    page.get_by_role("button", name="Join room").click()


def refused(page_errors: list[str], *statuses: int) -> list[str]:
    """page_errors without the console lines for the refusals a test causes on purpose."""
    return [e for e in page_errors if not any(f"status of {status}" in e for status in statuses)]


def api_calls(page: Page) -> list[str]:
    """Every request `page` makes to the JSON API from now on."""
    seen: list[str] = []

    def record(request: Request) -> None:
        if "/api/" in request.url:
            seen.append(request.url)

    page.on("request", record)
    return seen


@dataclass
class BlindPair:
    link: str
    ann: Page
    bob: Page
    ann_socket: SocketTap


@pytest.fixture
def blind_pair(new_page: NewPage, shared_server: RunningServer) -> BlindPair:
    """Ann creates a server-blind room and enters it from the share card; Bob joins with the link and password."""
    ann, bob = new_page(), new_page()
    tap = tap_socket(ann)
    link = create_blind_room(ann, shared_server.url, "ann", "secret plans")
    expect(ann.locator("#room-title")).to_have_text("secret plans")
    ann.get_by_role("link", name="Enter the room").click()
    expect(ann).to_have_url(link)
    expect_connected(ann)
    join_blind_room(bob, link, "bob")
    expect(bob).to_have_url(link)
    expect_connected(bob)
    for page in (ann, bob):
        expect_present(page, "ann", "bob")
        expect(page.locator("#room-name")).to_have_text("secret plans")
        expect(page.locator("#blind-note")).to_contain_text("Server-blind")
        expect(page.locator("#blind-note")).to_contain_text("sizes rounded to 256 bytes")
        # The chat page came in place of the form (e2e/navigate.js), its own stylesheet with it.
        expect(page.locator('head link[rel="stylesheet"][href$="/static/css/messages.css"]')).to_have_count(1)
    return BlindPair(link, ann, bob, tap)


def test_two_people_talk_in_a_server_blind_room_and_the_server_relays_only_sealed_envelopes(
    blind_pair: BlindPair, page_errors: list[str]
) -> None:
    ann, bob = blind_pair.ann, blind_pair.bob
    send(ann, "the **eagle** lands at noon")
    expect_message(bob, "the eagle lands at noon", "ann", mine=False)
    expect_message(ann, "the eagle lands at noon", "ann", mine=True)
    # The sender's Markdown, sanitized by the reader: bold survives, nothing else was needed.
    expect(bob.locator("#messages li.message .body strong")).to_have_text("eagle")
    send(bob, "bring the <b>blue</b> umbrella")
    expect_message(ann, "bring the <b>blue</b> umbrella", "bob", mine=False)

    relayed = blind_pair.ann_socket.events("message")
    assert len(relayed) == 2
    for frame in relayed:
        assert set(frame) == {"id", "from", "alias", "ts", "e2e"}, frame
        assert set(frame["e2e"]) == {"v", "sid", "n", "iv", "ct"}
    frames = "".join(blind_pair.ann_socket.received)
    for plain in ("eagle", "umbrella", "secret plans"):
        assert plain not in frames
    assert [frame["e2e"]["n"] for frame in relayed] == [0, 0]  # each page load counts from 0

    purge(bob)
    for page in (ann, bob):
        expect_wiped(page, "eagle", "umbrella", "secret plans")
    assert page_errors == []


def test_a_relayed_envelope_that_was_replayed_or_reattributed_is_refused_and_said(
    blind_pair: BlindPair, page_errors: list[str]
) -> None:
    ann, bob = blind_pair.ann, blind_pair.bob
    send(bob, "first from bob")
    expect_message(ann, "first from bob", "bob", mine=False)
    [original] = blind_pair.ann_socket.events("message")
    # The same envelope again under a new id: a replay.
    blind_pair.ann_socket.inject("message", {**original, "id": "replayed-1"})
    expect(ann.locator("#messages li.system").filter(has_text="came again, or out of order")).to_have_count(1)
    # Bob's envelope said to be Ann's: it opens only for the sender it was sealed by.
    me = ann.locator("#messages li.message.mine").count()
    blind_pair.ann_socket.inject("message", {**original, "id": "moved-1", "from": "someone-else", "alias": "ann"})
    expect(ann.locator("#messages li.system").filter(has_text=UNDECRYPTABLE)).to_have_count(1)
    expect(ann.locator("#messages li.message")).to_have_count(1)
    assert ann.locator("#messages li.message.mine").count() == me
    assert page_errors == []


def test_a_reload_keeps_the_seat_but_asks_for_the_password_before_showing_or_sending_anything(
    blind_pair: BlindPair, page_errors: list[str]
) -> None:
    ann, bob = blind_pair.ann, blind_pair.bob
    sockets_before = len(blind_pair.ann_socket.routes)
    ann.once("dialog", lambda dialog: dialog.accept())  # the chat asks before a reload wipes it
    ann.reload()
    expect(ann.get_by_role("heading", name="Enter the room's password again")).to_be_visible()
    expect(ann.locator("#chat")).to_be_hidden()
    assert severe_violations(ann, "unlock form") == []
    send(bob, "said while ann was locked out")
    assert len(blind_pair.ann_socket.routes) == sockets_before  # no socket before the password
    ann.fill("#password", "not the password")
    ann.get_by_role("button", name="Open the room").click()
    expect(ann.locator("#password-error")).to_contain_text(WRONG)
    expect(ann.locator("#chat")).to_be_hidden()
    ann.fill("#password", PASSWORD)
    ann.get_by_role("button", name="Open the room").click()
    expect_connected(ann)
    expect(ann.locator("#room-name")).to_have_text("secret plans")
    expect_present(ann, "ann", "bob")
    send(bob, "welcome back")
    expect_message(ann, "welcome back", "bob", mine=False)
    expect(ann.locator("#messages")).not_to_contain_text("locked out")
    send(ann, "back again")
    expect_message(bob, "back again", "ann", mine=False)
    assert page_errors == []


def test_a_wrong_password_or_link_is_refused_and_a_link_without_its_whole_secret_sends_nothing(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    ann, bob = new_page(), new_page()
    link = create_blind_room(ann, shared_server.url, "ann", "plans")
    parts = SECRET_LINK.match(link)
    assert parts
    # The server checks the verifier, which both the password and the link's secret make: either wrong is refused.
    secret = parts["secret"]
    altered = ("B" if secret[0] == "A" else "A") + secret[1:]
    for address, password in ((link, "not the password"), (f"{parts['room']}#k={altered}", PASSWORD)):
        join_blind_room(bob, address, "bob", password)
        expect(bob.locator("#password-error")).to_contain_text(WRONG)
        expect(bob.locator("#password")).to_have_value("")
        expect(bob.locator("#chat")).to_have_count(0)
    # Without a whole secret in the link the page knows at once: it says the same and sends nothing.
    calls = api_calls(bob)
    for fragment in ("", "#k=", "#k=" + secret[:-1], "#k=" + secret + "A", "#x=" + secret):
        join_blind_room(bob, parts["room"] + fragment, "bob")
        expect(bob.locator("#password-error")).to_contain_text(WRONG)
        expect(bob.locator("#chat")).to_have_count(0)
    assert calls == []
    assert severe_violations(bob, "server-blind join page, refused") == []
    assert refused(page_errors, 403) == []


# --- the QR code ---------------------------------------------------------------------------------------------------


def png_grey(png: bytes) -> tuple[int, int, bytes]:
    """A non-interlaced 8-bit RGB(A) PNG (Chromium's screenshots) as width, height and one grey byte per pixel."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, header, data = 8, b"", b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, body = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        header = body if kind == b"IHDR" else header
        data += body if kind == b"IDAT" else b""
        at += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    stride = width * channels
    raw = zlib.decompress(data)
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))
                line[x] = (line[x] + near[2]) & 0xFF
        rows.append(line)
        previous = line
    grey = bytes(sum(row[x : x + 3]) // 3 for row in rows for x in range(0, stride, channels))
    return width, height, grey


def decoded_qr(page: Page, selector: str) -> list[str]:
    """What a real QR decoder reads in the element's pixels, as the screen shows them."""
    width, height, grey = png_grey(page.locator(selector).screenshot())
    image = memoryview(grey).cast("B", (height, width))
    return [code.text for code in zxingcpp.read_barcodes(image)]


def test_the_share_card_and_the_invite_dialog_show_the_whole_link_and_its_qr_code(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    ann = new_page()
    link = create_blind_room(ann, shared_server.url, "ann", "plans")
    assert decoded_qr(ann, "#qr-slot svg") == [link]
    found = severe_violations(ann, "server-blind share card")
    expect(ann.locator("#enter-room")).to_have_attribute("href", link)
    ann.get_by_role("link", name="Enter the room").click()
    expect_connected(ann)
    ann.get_by_role("button", name="Invite").click()
    expect(ann.locator("#invite-dialog")).to_be_visible()
    expect(ann.locator("#invite-dialog #room-link")).to_have_value(link)
    assert decoded_qr(ann, "#invite-dialog #qr-slot svg") == [link]
    found += severe_violations(ann, "server-blind chat with the invite dialog")
    assert found == []
    assert page_errors == []
