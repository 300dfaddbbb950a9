"""Screenshots of files in a conversation, for the README: `make screenshots` (or `--only files`).

Mira on a phone sends a photo that carries its location (a PNG whose text chunks and eXIf say where it was
taken); Tom on a desktop sends a PDF, which asks him first, and sends it. The phone shows the photo with "Location
and camera data removed." under it and Tom's PDF with its Download button (files-phone-{light,dark}.png).
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from scripts.screenshots import DEVICES, GUEST, HOST, ROOM_NAME, shoot
from tests.browser.support import create_room_to_share_card, enter_from_share_card, expect_present, join_room, send
from tests.support.photos import metadata_in

PHOTO_NAME = "meter-reading.png"
PDF_NAME = "tenancy-agreement.pdf"
PDF = b"%PDF-1.4\n1 0 obj << /Author (Tom Example) /Title (Tenancy agreement) >> endobj\ntrailer << >>\n%%EOF\n"
WIDTH, HEIGHT = 360, 240


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def photo_with_location() -> bytes:
    """A small landscape (sky, hills, a sun) as a PNG that says where it was taken, as a phone's might."""
    rows = []
    for y in range(HEIGHT):
        row = bytearray([0])
        for x in range(WIDTH):
            hill = HEIGHT * 0.62 + 22 * math.sin(x / 41) + 12 * math.sin(x / 17)
            sun = (x - 270) ** 2 + (y - 60) ** 2 < 26**2
            if sun:
                pixel = (250, 204, 92)
            elif y > hill:
                shade = int(40 * (y - hill) / HEIGHT)
                pixel = (74 - shade, 140 - shade, 86 - shade)
            else:
                pixel = (120 + y // 3, 170 + y // 5, 226)
            row += bytes(pixel)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    where = b"GPS\x0052.520008 N, 13.404954 E (Alexanderplatz, Berlin)"
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"tEXt", where),
            _chunk(b"tEXt", b"Model\x00Pixel 9 Pro, serial 4A271FDH8Q"),
            _chunk(b"IDAT", zlib.compress(b"".join(rows), 9)),
            _chunk(b"IEND", b""),
        ]
    )


def attach(page: Page, name: str, data: bytes, kind: str) -> None:
    page.locator("#file-input").set_input_files({"name": name, "mimeType": kind, "buffer": data})


def files_phone(browser: Browser, base_url: str, scheme: str) -> list[Path]:
    host_context = browser.new_context(color_scheme=scheme, **DEVICES["phone"])
    guest_context = browser.new_context(color_scheme=scheme)
    try:
        host, guest = host_context.new_page(), guest_context.new_page()
        link = create_room_to_share_card(host, base_url, HOST, ROOM_NAME)
        enter_from_share_card(host, link)
        join_room(guest, link, GUEST)
        expect_present(host, HOST, GUEST)
        send(host, "Here is the meter this morning, for the handover.")
        photo = photo_with_location()
        assert "png-text" in metadata_in(photo)
        attach(host, PHOTO_NAME, photo, "image/png")
        card = host.locator(".file-card").filter(has_text=PHOTO_NAME)
        expect(card.locator(".file-status")).to_have_text("Location and camera data removed.")
        expect(guest.locator(".file-card img.file-image")).to_be_visible()
        send(guest, "Thanks. The signed agreement, so we both have it:")
        attach(guest, PDF_NAME, PDF, "application/pdf")
        guest.locator("#file-confirm").click()
        expect(host.locator(".file-card").filter(has_text=PDF_NAME).locator("a.file-download")).to_be_visible()
        host.wait_for_function("() => [...document.images].every((image) => image.complete)")
        return [shoot(host, f"files-phone-{scheme}")]
    finally:
        for context in (host_context, guest_context):
            context.close()


def shoot_all(browser: Browser, base_url: str, schemes: tuple[str, ...]) -> list[Path]:
    """Every screenshot of this part, in each colour scheme of `schemes`."""
    return [path for scheme in schemes for path in files_phone(browser, base_url, scheme)]
