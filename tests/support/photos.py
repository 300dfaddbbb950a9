"""Photos that give away where and with what they were taken, and a reader that says what a photo gives away.

Both images are real: a browser decodes them. They are built here from the standard
library alone (a hand-made baseline JPEG, a PNG compressed with zlib), so a test
can hold the original next to what was received and tell them apart by what
`metadata_in` finds, or search either for `CAMERA_MARKERS`.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator, Sequence
from typing import TypeAlias

MAKE = b"Ephemeral Test Optics"
MODEL = b"EPH-MODEL-7"
SERIAL = b"SN-EPH-0451-7788"
CAMERA_MARKERS = (MAKE, MODEL, SERIAL)
LOCATION_TEXT = "48.858222 N, 2.294500 E"  # the PNG's text chunks spell out where its EXIF points

# TIFF field types, and the tags this module writes or reads.
ASCII, SHORT, LONG, RATIONAL = 2, 3, 4, 5
ORIENTATION = 0x0112
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
CAMERA_TAGS = {
    0x010F,  # Make
    0x0110,  # Model
    0x927C,  # MakerNote
    0xA430,  # CameraOwnerName
    0xA431,  # BodySerialNumber
    0xA433,  # LensMake
    0xA434,  # LensModel
    0xA435,  # LensSerialNumber
}

Value: TypeAlias = bytes | int | Sequence[tuple[int, int]]  # ASCII text, a SHORT or LONG, RATIONALs
Entry: TypeAlias = tuple[int, int, Value]  # tag, type, value


def _encode(order: str, kind: int, value: Value) -> tuple[int, bytes]:
    """A field's count and bytes: ASCII with its NUL, a SHORT or LONG, or RATIONALs."""
    if isinstance(value, bytes):
        return len(value) + 1, value + b"\0"
    if isinstance(value, int):
        return 1, struct.pack(order + ("H" if kind == SHORT else "I"), value)
    return len(value), b"".join(struct.pack(order + "II", top, bottom) for top, bottom in value)


def _ifd(order: str, entries: Sequence[Entry], at: int) -> bytes:
    """One IFD written at offset `at`, no next IFD: values longer than 4 bytes follow its entries."""
    head = struct.pack(order + "H", len(entries))
    extra = b""
    extra_at = at + 2 + 12 * len(entries) + 4
    for tag, kind, value in sorted(entries, key=lambda entry: entry[0]):
        count, data = _encode(order, kind, value)
        if len(data) <= 4:
            field = data.ljust(4, b"\0")
        else:
            field = struct.pack(order + "I", extra_at + len(extra))
            extra += data + b"\0" * (len(data) % 2)
        head += struct.pack(order + "HHI", tag, kind, count) + field
    return head + struct.pack(order + "I", 0) + extra


def _tiff(order: str, ifd0: Sequence[Entry], exif: Sequence[Entry], gps: Sequence[Entry]) -> bytes:
    """EXIF's body in byte order `order` ("<" or ">"): IFD0, then the Exif and GPS IFDs it points to."""
    # IFD0's size does not depend on the pointers in it, so the blocks after it can be placed first.
    exif_at = 8 + len(_ifd(order, [*ifd0, (EXIF_IFD, LONG, 0), (GPS_IFD, LONG, 0)], 8))
    exif_block = _ifd(order, exif, exif_at)
    gps_at = exif_at + len(exif_block)
    pointers: list[Entry] = [(EXIF_IFD, LONG, exif_at), (GPS_IFD, LONG, gps_at)]
    header = (b"II" if order == "<" else b"MM") + struct.pack(order + "HI", 42, 8)
    return header + _ifd(order, [*ifd0, *pointers], 8) + exif_block + _ifd(order, gps, gps_at)


def _camera_exif(order: str, orientation: int | None = None) -> bytes:
    """What a phone records: make, model, body serial and a GPS position (the Eiffel Tower), maybe an orientation."""
    ifd0: list[Entry] = [(0x010F, ASCII, MAKE), (0x0110, ASCII, MODEL)]
    if orientation is not None:
        ifd0.append((ORIENTATION, SHORT, orientation))
    exif: list[Entry] = [(0xA431, ASCII, SERIAL), (0x9003, ASCII, b"2024:06:07 12:34:56")]
    gps: list[Entry] = [
        (0x0001, ASCII, b"N"),
        (0x0002, RATIONAL, [(48, 1), (51, 1), (2960, 100)]),
        (0x0003, ASCII, b"E"),
        (0x0004, RATIONAL, [(2, 1), (17, 1), (4020, 100)]),
    ]
    return _tiff(order, ifd0, exif, gps)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


# An 8x8 mid-grey baseline JPEG: quantisation all ones, and Huffman tables with a single one-bit code each (DC
# difference 0, end of block), so the one block is the bits 00, padded with ones.
_GREY_JPEG_BODY = b"".join(
    [
        _segment(0xDB, b"\x00" + b"\x01" * 64),
        _segment(0xC0, struct.pack(">BHHB", 8, 8, 8, 1) + b"\x01\x11\x00"),
        _segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00"),
        _segment(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00"),
        _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x3f",
        b"\xff\xd9",
    ]
)


def jpeg_with_location() -> bytes:
    """A decodable 8x8 JPEG whose EXIF holds a GPS position, the camera's make, model and serial, and Orientation 6.

    The orientation is what a phone held upright writes; a stripped copy keeps it alone.
    """
    return b"\xff\xd8" + _segment(0xE1, b"Exif\0\0" + _camera_exif("<", orientation=6)) + _GREY_JPEG_BODY


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_location() -> bytes:
    """A decodable 8x8 RGB PNG with the position in tEXt and iTXt and an eXIf chunk with GPS, make, model and serial."""
    rows = b"".join(b"\0" + b"".join(bytes((x * 32, y * 32, 128)) for x in range(8)) for y in range(8))
    itxt = b"GPS\0\0\0\0\0Location: " + LOCATION_TEXT.encode() + b", taken with " + MODEL
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)),
            _chunk(b"eXIf", _camera_exif(">")),
            _chunk(b"tEXt", b"Location\0" + LOCATION_TEXT.encode()),
            _chunk(b"iTXt", itxt),
            _chunk(b"IDAT", zlib.compress(rows)),
            _chunk(b"IEND", b""),
        ]
    )


# --- Reading ----------------------------------------------------------------------------------------------------


def _tiff_findings(tiff: bytes) -> set[str]:
    """What an EXIF body gives away: "exif-gps", "exif-camera", "exif-thumbnail", "exif" for any other tag.

    An Orientation alone gives nothing away; a body that cannot be read is reported as "exif".
    """
    if tiff[:4] not in (b"II*\0", b"MM\0*"):
        return {"exif"}
    order = "<" if tiff[:2] == b"II" else ">"

    def entries(at: int) -> Iterator[tuple[int, int]]:
        (count,) = struct.unpack_from(order + "H", tiff, at)
        for n in range(count):
            tag, _kind, _count, value = struct.unpack_from(order + "HHII", tiff, at + 2 + 12 * n)
            yield tag, value

    found: set[str] = set()
    try:
        (ifd0,) = struct.unpack_from(order + "I", tiff, 4)
        for tag, value in entries(ifd0):
            if tag == GPS_IFD:
                found.add("exif-gps")
            elif tag == EXIF_IFD:
                found.update("exif-camera" if inner in CAMERA_TAGS else "exif" for inner, _ in entries(value))
            elif tag != ORIENTATION:
                found.add("exif-camera" if tag in CAMERA_TAGS else "exif")
        (count,) = struct.unpack_from(order + "H", tiff, ifd0)
        (next_ifd,) = struct.unpack_from(order + "I", tiff, ifd0 + 2 + 12 * count)
    except struct.error:
        return found | {"exif"}
    return found | ({"exif-thumbnail"} if next_ifd else set())


_APP_NAMES = (
    (0xE1, b"Exif\0", "exif"),
    (0xE1, b"http://ns.adobe.com/x", "xmp"),
    (0xE2, b"ICC_PROFILE\0", "icc"),
    (0xE2, b"MPF\0", "mpf"),
    (0xE2, b"FPXR\0", "flashpix"),
    (0xED, b"Photoshop 3.0\0", "iptc"),
    (0xE0, b"JFXX\0", "jfif-thumbnail"),
)


def _scan_end(data: bytes, at: int) -> int:
    """Where a scan's entropy-coded data from `at` ends: at the first marker not a stuffed 0xFF00 or a restart."""
    while True:
        at = data.find(b"\xff", at)
        if at == -1 or at + 1 == len(data):
            raise ValueError("JPEG scan cut short")
        following = data[at + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            at += 2
        elif following == 0xFF:
            at += 1  # a fill byte before the marker
        else:
            return at


def _jpeg_findings(data: bytes) -> set[str]:
    found: set[str] = set()
    at = 2
    while True:
        while data[at : at + 2] == b"\xff\xff":
            at += 1
        if len(data) < at + 2 or data[at] != 0xFF:
            raise ValueError(f"no JPEG marker at {at}")
        marker = data[at + 1]
        if marker == 0xD9:
            return found | ({"trailer"} if len(data) > at + 2 else set())
        if len(data) < at + 4:
            raise ValueError("JPEG cut short")
        end = at + 2 + struct.unpack_from(">H", data, at + 2)[0]
        payload = data[at + 4 : end]
        if marker == 0xDA:
            at = _scan_end(data, end)
            continue
        if marker == 0xFE:
            found.add("comment")
        elif marker == 0xE0 and payload.startswith(b"JFIF\0"):
            found.update({"jfif-thumbnail"} if len(payload) > 14 else set())
        elif marker == 0xE1 and payload.startswith(b"Exif\0"):
            found |= _tiff_findings(payload[6:])
        elif 0xE0 <= marker <= 0xEF and not (marker == 0xEE and payload.startswith(b"Adobe")):
            names = [name for app, prefix, name in _APP_NAMES if app == marker and payload.startswith(prefix)]
            found.add(names[0] if names else f"app{marker - 0xE0}")
        at = end


# PNG chunks that carry the picture and how to show it; any other is metadata.
_PNG_IMAGE = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"bKGD", b"pHYs"}
_PNG_IMAGE |= {b"acTL", b"fcTL", b"fdAT"}
_PNG_NAMES = {b"tEXt": "png-text", b"zTXt": "png-text", b"iTXt": "png-text", b"tIME": "png-time", b"iCCP": "png-icc"}


def _png_findings(data: bytes) -> set[str]:
    found: set[str] = set()
    at = 8
    while True:
        if len(data) < at + 12:
            raise ValueError("PNG cut short")
        size, kind = struct.unpack_from(">I4s", data, at)
        body = data[at + 8 : at + 8 + size]
        at += 12 + size
        if len(data) < at:
            raise ValueError(f"PNG chunk {kind!r} runs past the end")
        if kind == b"eXIf":
            found |= {"png-exif"} | _tiff_findings(body)
        elif kind not in _PNG_IMAGE:
            found.add(_PNG_NAMES.get(kind, "png-other"))
        if kind == b"IEND":
            return found | ({"trailer"} if len(data) > at else set())


def metadata_in(data: bytes) -> list[str]:
    """What a JPEG or PNG gives away, sorted: "exif-gps", "exif-camera", "xmp", "png-text", ...; [] when clean.

    JPEG: "exif-gps", "exif-camera", "exif-thumbnail", "exif" (any other EXIF tag, or one that cannot be read; an
    Orientation alone is not counted), "xmp", "icc", "iptc", "mpf", "flashpix", "jfif-thumbnail", "comment",
    "appN" for any other application segment. PNG: "png-text" (tEXt, zTXt, iTXt), "png-exif" with what its EXIF
    holds, "png-time", "png-icc", "png-other". Both: "trailer" for bytes after the image. Anything else raises
    ValueError, so a test never takes what it cannot read for clean.
    """
    if data.startswith(b"\xff\xd8\xff"):
        return sorted(_jpeg_findings(data))
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return sorted(_png_findings(data))
    raise ValueError("neither a JPEG nor a PNG")
