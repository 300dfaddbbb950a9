"""What a file offer and a file chunk may carry, checked before anything is relayed.

A file crosses the server as `chunks` pieces of `CHUNK_BYTES` (the last one shorter), each base64url text in
a JSON frame: the sockets take text frames only (`serving.refuse_binary_packets`). In a standard room the offer
names the file and its type, cleaned here as well as by every reader; in a server-blind room both are inside
`e2e`, sealed with the room's key, and every chunk is an iv, the ciphertext and a tag (`SEALED_EXTRA` bytes
more than the piece). The server sees a file's size and timing, never its bytes' meaning.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .e2e import IV_BYTES, TAG_BYTES, b64url, chars_for
from .errors import Invalid, TooLarge
from .rooms import E2E

CHUNK_BYTES = 32 * 1024
SEALED_EXTRA = IV_BYTES + TAG_BYTES
# The largest chunk as a Socket.IO frame: its text, the rest with room to spare.
CHUNK_FRAME_BYTES = chars_for(CHUNK_BYTES + SEALED_EXTRA) + 1024
FILE_ID_BYTES = 16
NAME_MAX = 200
TYPE_MAX = 100
# A sealed name and type: padded to 256 bytes, at most 1024, as `static/js/e2e/files.js` seals them.
SEALED_META_MAX = IV_BYTES + 1024 + TAG_BYTES
UNKNOWN_TYPE = "application/octet-stream"

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
# Path separators and what would change how a name reads or where it is saved.
_UNSAFE_NAME_CHARS = re.compile(r"[/\\:*?\"<>|]")


@dataclass(frozen=True, slots=True)
class Offer:
    """A file someone offers the room: its id (chosen by the sender), size, pieces, and what it says of itself."""

    id: str
    size: int
    chunks: int
    name: str = ""
    type: str = ""
    sealed: str = ""


@dataclass(frozen=True, slots=True)
class Chunk:
    """One piece of a file on its way: which file, which piece, its text, and the bytes that text holds."""

    file_id: str
    index: int
    data: str
    size: int


def chunk_count(size: int) -> int:
    return -(-size // CHUNK_BYTES)


def piece_bytes(size: int, index: int) -> int:
    """How many bytes of the file piece `index` holds."""
    return min(CHUNK_BYTES, size - index * CHUNK_BYTES)


def file_id(value: object) -> str:
    """A file's id: 16 bytes as base64url, picked by its sender."""
    if not isinstance(value, str) or len(b64url(value, "id")) != FILE_ID_BYTES:
        raise Invalid(f"A file's id is {FILE_ID_BYTES} bytes as base64url.")
    return value


def offer(mode: str, sent: dict[str, object], max_bytes: int) -> Offer:
    """An offer `{"id", "size", "name", "type"}`, or `{"id", "size", "e2e"}` in a server-blind room; `too_large`
    past `max_bytes`, before the first byte is sent."""
    size = sent.get("size")
    if type(size) is not int or size < 1:
        raise Invalid("A file's size is a whole number of bytes, at least 1.")
    if size > max_bytes:
        raise TooLarge(f"Files can be at most {max_bytes} bytes.")
    found = Offer(file_id(sent.get("id")), size, chunk_count(size))
    if mode == E2E:
        if "name" in sent or "type" in sent:
            raise Invalid("This room is server-blind: send the file's name and type sealed, as e2e.")
        return Offer(found.id, size, found.chunks, sealed=_sealed_meta(sent.get("e2e")))
    if "e2e" in sent:
        raise Invalid("This room is not server-blind: send the file's name and type.")
    return Offer(found.id, size, found.chunks, name=safe_name(sent.get("name")), type=media_type(sent.get("type")))


def chunk(mode: str, sent: dict[str, object], size_of: dict[str, int]) -> Chunk:
    """A piece `{"id", "index", "data"}` of a file whose size is `size_of[id]`: its text must hold exactly that
    piece's bytes (sealed: and `SEALED_EXTRA` more). Order and ownership are the ledger's (`transfers`)."""
    found = file_id(sent.get("id"))
    index, data = sent.get("index"), sent.get("data")
    if type(index) is not int or index < 0:
        raise Invalid("A chunk's index is a whole number from 0.")
    if not isinstance(data, str):
        raise Invalid("A chunk's data is base64url text.")
    size = size_of.get(found)
    if size is None or index >= chunk_count(size):
        return Chunk(found, index, data, 0)  # no such piece: the ledger refuses it, naming why
    expected = piece_bytes(size, index) + (SEALED_EXTRA if mode == E2E else 0)
    if len(data) != chars_for(expected) or not _BASE64URL.fullmatch(data):
        raise Invalid(f"This chunk must be {expected} bytes as base64url.")
    return Chunk(found, index, data, expected)


def safe_name(value: object) -> str:
    """A file name that can be shown and saved anywhere: no folders, no control or direction-changing characters,
    at most `NAME_MAX` characters; "file" when nothing is left."""
    text = unicodedata.normalize("NFC", value) if isinstance(value, str) else ""
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(" " if unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} else char for char in text)
    kept = _UNSAFE_NAME_CHARS.sub("_", " ".join(kept.split())).strip(" .")
    return kept[:NAME_MAX].strip(" .") or "file"


def media_type(value: object) -> str:
    """The type a file says it is, lower case, as `type/subtype`; `UNKNOWN_TYPE` for anything else. Readers decide
    what to show from the bytes, never from this."""
    text = value.strip().lower() if isinstance(value, str) else ""
    return text if len(text) <= TYPE_MAX and _TYPE.fullmatch(text) else UNKNOWN_TYPE


def _sealed_meta(value: object) -> str:
    if isinstance(value, str) and len(value) > chars_for(SEALED_META_MAX):
        raise Invalid(f"e2e must be at most {SEALED_META_MAX} bytes.")
    if len(b64url(value, "e2e")) < IV_BYTES + TAG_BYTES:
        raise Invalid("e2e must hold an iv, a ciphertext and a tag.")
    return str(value)
