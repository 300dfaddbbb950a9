"""Files in Chromium: a photo arrives without its location, a PDF as a download, and a purge leaves nothing.

In a standard room (desktop to phone) and a server-blind one (phone to desktop): the photo is stripped on the
sender's page (checked by parsing the bytes the reader's page holds), the sender is told so, and a file that
cannot be stripped goes only once its sender confirms. Hostile names are shown and saved safely; an SVG with a
script and an HTML file are downloads, never run (no CSP violation, no dialog). A file over the limit is refused
before a byte goes. After a purge no image, link or `blob:` URL is left on either page.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.support import (
    PASSWORD,
    PHONE,
    create_room,
    create_room_to_share_card,
    enter_from_share_card,
    expect_connected,
    expect_present,
    join_room,
    open_room_menu,
    pair_up,
    purge,
    tap_socket,
)
from tests.browser.test_e2e_client import create_blind_room, join_blind_room
from tests.browser.test_profile_traces import files_holding, persistent, profile_dir
from tests.support.photos import CAMERA_MARKERS, jpeg_with_location, metadata_in, png_with_location
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser
__all__ = ["persistent", "profile_dir"]  # fixtures shared with the profile traces

NewPage = Callable[..., Page]
PDF = b"%PDF-1.4\n% a tiny document\n1 0 obj << /Author (Ann Example) >> endobj\ntrailer << >>\n%%EOF\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert("svg ran")</script><circle r="4"/></svg>'
HTML = b"<!doctype html><script>alert('html ran')</script><p>hello</p>"


def attach(page: Page, name: str, data: bytes, kind: str) -> None:
    page.locator("#file-input").set_input_files({"name": name, "mimeType": kind, "buffer": data})


def card(page: Page, name: str) -> Any:
    return page.locator(".file-card").filter(has=page.locator(".file-name", has_text=name))


def downloaded(page: Page, link: Any) -> tuple[str, bytes]:
    """Save what a Download button gives: the name it is saved under, and its bytes."""
    with page.expect_download() as saving:
        link.click()
    download = saving.value
    return download.suggested_filename, Path(download.path()).read_bytes()


LOADS = """(url) => new Promise((done) => {
  const image = new Image();
  image.onload = () => done(true);
  image.onerror = () => done(false);
  image.src = url;
})"""


WATCH = """() => {
  window.seen = [];
  document.addEventListener("securitypolicyviolation", (e) => window.seen.push("csp " + e.violatedDirective));
  window.alert = (text) => window.seen.push("alert " + text);
}"""


def ours(page_errors: list[str]) -> list[str]:
    """page_errors without the one a test causes on purpose: loading a revoked `blob:` URL."""
    return [error for error in page_errors if "ERR_FILE_NOT_FOUND at blob:" not in error]


def test_a_photo_arrives_without_its_location_and_a_purge_leaves_nothing(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    pair = pair_up(new_page, shared_server.url, bob_device=PHONE)
    ann, bob = pair.ann, pair.bob
    photo = jpeg_with_location()
    assert "exif-gps" in metadata_in(photo)
    attach(ann, "holiday.jpg", photo, "image/jpeg")
    expect(card(ann, "holiday.jpg").locator(".file-status")).to_have_text("Location and camera data removed.")
    image = card(bob, "holiday.jpg").locator("img.file-image")
    expect(image).to_be_visible()
    bob.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    name, received = downloaded(bob, card(bob, "holiday.jpg").locator("a.file-download"))
    assert name == "holiday.jpg"
    assert metadata_in(received) == [] and not any(marker in received for marker in CAMERA_MARKERS)
    url = image.get_attribute("src")
    assert bob.evaluate(LOADS, url)
    purge(ann)
    for page in (ann, bob):
        expect(page.locator(".file-card")).to_have_count(0)
        expect(page.locator("img[src^='blob:']")).to_have_count(0)
    assert not bob.evaluate(LOADS, url), "the photo's blob: URL still answers after the purge"
    assert ours(page_errors) == []


def test_in_a_server_blind_room_a_phone_sends_a_photo_and_a_pdf_it_must_confirm(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    ann, bob = new_page(**PHONE), new_page()
    link = create_blind_room(ann, shared_server.url, "ann", "blind files")
    ann.get_by_role("link", name="Enter the room").click()
    expect_connected(ann)
    tap = tap_socket(bob)
    join_blind_room(bob, link, "bob")
    expect_connected(bob)
    for page in (ann, bob):
        expect_present(page, "ann", "bob")
    attach(ann, "map.png", png_with_location(), "image/png")
    expect(card(ann, "map.png").locator(".file-status")).to_have_text("Location and camera data removed.")
    image = card(bob, "map.png").locator("img.file-image")
    expect(image).to_be_visible()
    _, photo = downloaded(bob, card(bob, "map.png").locator("a.file-download"))
    assert metadata_in(photo) == [] and photo.startswith(b"\x89PNG")

    attach(ann, "report.pdf", PDF, "application/pdf")
    dialog = ann.locator("#file-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#file-dialog-name")).to_have_text("report.pdf")
    ann.locator("#file-cancel-send").click()
    expect(card(ann, "report.pdf")).to_have_count(0)
    attach(ann, "report.pdf", PDF, "application/pdf")
    ann.locator("#file-confirm").click()
    expect(card(ann, "report.pdf").locator(".file-status")).to_have_text(
        "Sent as it is: hidden data could not be removed."
    )
    expect(card(bob, "report.pdf").locator("img")).to_have_count(0)
    expect(card(bob, "report.pdf").locator(".file-size")).to_have_text("90 B · application/pdf")  # opened from e2e
    name, pdf = downloaded(bob, card(bob, "report.pdf").locator("a.file-download"))
    assert (name, pdf) == ("report.pdf", PDF)
    # The server relayed sealed text only: neither name appears in what reached bob's socket.
    relayed = json.dumps(tap.events("file"))
    assert "map.png" not in relayed and "report.pdf" not in relayed and '"e2e"' in relayed
    assert ours(page_errors) == []


HOSTILE = [
    ("../../etc/passwd", "passwd"),
    ("invoice\u202egpj.exe", "invoice gpj.exe"),
    ("bell\x07and\x1bescape.txt", "bell and escape.txt"),
    ("x" * 10_000, "x" * 200),
]


def test_hostile_names_and_active_files_are_shown_and_saved_safely_and_never_run(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    pair = pair_up(new_page, shared_server.url)
    ann, bob = pair.ann, pair.bob
    bob.evaluate(WATCH)
    for sent, shown in HOSTILE:
        attach(ann, sent, b"plain words", "text/plain")
        ann.locator("#file-confirm").click()
        expect(card(bob, shown[:50])).to_have_count(1)
        name, data = downloaded(bob, card(bob, shown[:50]).locator("a.file-download"))
        assert (name, data) == (shown, b"plain words")
    for sent, data, kind in (("drawing.svg", SVG, "image/svg+xml"), ("page.html", HTML, "text/html")):
        attach(ann, sent, data, kind)
        ann.locator("#file-confirm").click()
        received = card(bob, sent)
        expect(received.locator("a.file-download")).to_be_visible()
        expect(received.locator("img, iframe, object, embed, svg")).to_have_count(0)
        assert downloaded(bob, received.locator("a.file-download")) == (sent, data)
    assert bob.evaluate("() => window.seen") == []  # no CSP violation, no alert: nothing of a file ran
    assert ours(page_errors) == []


def test_a_file_over_the_limit_is_refused_before_a_byte_goes(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    pair = pair_up(new_page, shared_server.url)
    attach(pair.ann, "huge.bin", bytes(10 * 1024 * 1024 + 1), "application/octet-stream")
    expect(pair.ann.locator("#room-error")).to_have_text("Too big to send: files can be at most 10.5 MB.")
    expect(pair.ann.locator(".file-card")).to_have_count(0)
    assert not [ack for ack in pair.ann_socket.acks() if "chunks" in ack]  # no offer was made
    assert ours(page_errors) == []


def test_a_phone_and_a_desktop_share_a_photo_and_a_pdf_and_after_a_purge_no_profile_keeps_either(
    new_page: NewPage,
    persistent: BrowserContext,
    profile_dir: Path,
    shared_server: RunningServer,
    page_errors: list[str],
) -> None:
    mark = secrets.token_hex(8)
    photo_name, pdf_name = f"holiday{mark}.jpg", f"minutes{mark}.pdf"
    pdf = PDF.replace(b"a tiny document", f"minutes {mark}".encode())
    desk = persistent.new_page()
    link = create_room(desk, shared_server.url, "desk", "files")
    phone = new_page(**PHONE)
    join_room(phone, link, "phone")
    for page in (desk, phone):
        expect_present(page, "desk", "phone")
    attach(phone, photo_name, jpeg_with_location(), "image/jpeg")
    attach(desk, pdf_name, pdf, "application/pdf")
    desk.locator("#file-confirm").click()
    expect(card(desk, photo_name).locator("img.file-image")).to_be_visible()
    expect(card(phone, pdf_name).locator("a.file-download")).to_be_visible()
    stripped = downloaded(phone, card(phone, photo_name).locator("a.file-download"))[1]  # the phone's own copy
    assert metadata_in(stripped) == []
    purge(desk)
    for page in (desk, phone):
        expect(page.locator(".file-card")).to_have_count(0)
        expect(page.locator("img[src^='blob:'], a[href^='blob:']")).to_have_count(0)
    desk.close()
    persistent.close()
    found = files_holding(profile_dir, {"name": mark, "photo": stripped.hex()[:64]})
    assert found == {}, f"the files left traces in the profile: {found}"
    in_bytes = [p.name for p in profile_dir.rglob("*") if p.is_file() and stripped in p.read_bytes()]
    assert in_bytes == [], f"the photo is on disk in {in_bytes}"
    assert ours(page_errors) == []


def test_a_leavers_photo_vanishes_and_its_url_is_revoked_in_a_room_that_vanishes_leavers(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    ann, bob = new_page(), new_page(**PHONE)
    ann.goto(shared_server.url + "/")
    ann.locator("#room-options summary").click()
    ann.get_by_role("switch", name="Vanish on leave").check()
    link = create_room_to_share_card(ann, shared_server.url, "ann", "vanishing", PASSWORD, fresh=False)
    enter_from_share_card(ann, link)
    join_room(bob, link, "bob")
    for page in (ann, bob):
        expect_present(page, "ann", "bob")
    attach(bob, "street.png", png_with_location(), "image/png")
    image = card(ann, "street.png").locator("img.file-image")
    expect(image).to_be_visible()
    url = image.get_attribute("src")
    assert ann.evaluate(LOADS, url)
    open_room_menu(bob)
    bob.click("#logout")
    expect_present(ann, "ann")
    expect(ann.locator(".file-card")).to_have_count(0)
    assert not ann.evaluate(LOADS, url), "the leaver's photo still loads from its blob: URL"
    assert ours(page_errors) == []
