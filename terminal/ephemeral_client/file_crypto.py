"""Server-blind rooms, v1: files, in Python. The mirror of static/js/e2e/files.js (whose header gives the
formulas), held to the same answers by tests/vectors/e2e-files-v1.json. The server never imports it."""

from __future__ import annotations

import json
import math
import secrets
import struct
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .crypto import (
    IV_BYTES,
    MAX_SAFE_INTEGER,
    PAD_BYTES,
    TAG_BYTES,
    CryptoError,
    b64url_decode,
    b64url_encode,
    framed,
    refuse_constant,
    well_formed,
)

CHUNK_BYTES = 32768
SEALED_EXTRA = IV_BYTES + TAG_BYTES
FILE_ID_BYTES = 16
MAX_META_BYTES = 1024
META_LABEL = b"ephemeral/e2e/v1/file"
CHUNK_LABEL = b"ephemeral/e2e/v1/chunk"
REFUSED = "the file could not be opened"


def new_file_id() -> str:
    """A new file id: 16 random bytes as base64url, 22 characters."""
    return b64url_encode(secrets.token_bytes(FILE_ID_BYTES))


def _count(value: object, least: int, label: str) -> int:
    """`value` if it is an integer from `least` to 2^53-1 as JavaScript sees one (1.0 is 1 there)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= MAX_SAFE_INTEGER:
        raise CryptoError(f"{label} must be an integer {least} to 2^53-1")
    return value


def chunk_count(size: object) -> int:
    """How many chunks a file of `size` bytes (1 to 2^53-1) is cut into."""
    return -(-_count(size, 1, "a file's size") // CHUNK_BYTES)


def _file_id(file_id: object) -> bytes:
    data = b64url_decode(file_id) if isinstance(file_id, str) else b""
    if len(data) != FILE_ID_BYTES:
        raise CryptoError("a file id is 16 bytes as base64url")
    return data


def _who(room_id: object, sender: object, file_id: object) -> tuple[bytes, bytes, bytes]:
    return well_formed(room_id, "room id").encode(), well_formed(sender, "from").encode(), _file_id(file_id)


def meta_aad(room_id: object, sender: object, file_id: object, size: object) -> bytes:
    """The AAD of a file's meta: the room, the sender's participant id, the file id, its size and chunk count."""
    whole = _count(size, 1, "a file's size")
    fields = (*_who(room_id, sender, file_id), struct.pack(">Q", whole), struct.pack(">Q", chunk_count(whole)))
    return framed(META_LABEL, *fields)


def _place(index: object, chunks: object) -> tuple[int, int]:
    count = _count(chunks, 1, "chunks")
    at = _count(index, 0, "a chunk's index")
    if at >= count:
        raise CryptoError("a chunk's index must be 0 to chunks-1")
    return at, count


def chunk_aad(room_id: object, sender: object, file_id: object, index: object, chunks: object) -> bytes:
    """The AAD of a chunk: the room, the sender, the file id, the chunk's index and the file's chunk count."""
    at, count = _place(index, chunks)
    return framed(CHUNK_LABEL, *_who(room_id, sender, file_id), struct.pack(">Q", at), struct.pack(">Q", count))


def _chunk_fits(length: int, index: object, chunks: object) -> bool:
    """Every chunk but the last is whole; the last has 1 to 32768 bytes."""
    at, count = _place(index, chunks)
    return length == CHUNK_BYTES if at < count - 1 else 1 <= length <= CHUNK_BYTES


def _sealed(message_key: bytes, plaintext: bytes, aad: bytes, iv: bytes | None) -> str:
    nonce = secrets.token_bytes(IV_BYTES) if iv is None else iv
    if not isinstance(nonce, bytes) or len(nonce) != IV_BYTES:
        raise CryptoError("iv must be 12 bytes")
    return b64url_encode(nonce + AESGCM(message_key).encrypt(nonce, plaintext, aad))


def _opened(message_key: bytes, sealed: object, aad: bytes) -> bytes:
    data = b64url_decode(sealed)
    if len(data) < SEALED_EXTRA:
        raise CryptoError("too short")
    return AESGCM(message_key).decrypt(data[:IV_BYTES], data[IV_BYTES:], aad)


def padded_meta(name: object, type_: object) -> bytes:
    """`{"name","type"}` as JSON in UTF-8 (spelt as JSON.stringify spells it), space-padded to a multiple of 256."""
    meta = {"name": well_formed(name, "name"), "type": well_formed(type_, "type")}
    data = json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    size = math.ceil(len(data) / PAD_BYTES) * PAD_BYTES
    if size > MAX_META_BYTES:
        raise CryptoError("the file's name and type are too long to seal")
    return data.ljust(size, b" ")


def parsed_meta(plaintext: bytes) -> dict[str, str]:
    """`{"name", "type"}` from a padded plaintext, refused unless JSON.parse and the same checks accept it."""
    if not plaintext or len(plaintext) % PAD_BYTES or len(plaintext) > MAX_META_BYTES:
        raise CryptoError("meta not padded")
    value = json.loads(plaintext.decode("utf-8"), parse_constant=refuse_constant)
    if not isinstance(value, dict):
        raise CryptoError("not an object")
    name, type_ = value.get("name"), value.get("type")
    if not isinstance(name, str) or not isinstance(type_, str):
        raise CryptoError("not a file's meta")
    return {"name": name, "type": type_}


def seal_file_meta(
    message_key: bytes,
    room_id: str,
    sender: str,
    file_id: str,
    size: int,
    meta: dict[str, Any],
    *,
    iv: bytes | None = None,
) -> str:
    """The sealed `{"name", "type"}` of file `file_id` of `size` bytes; `iv` only to reproduce the vectors."""
    aad = meta_aad(room_id, sender, file_id, size)
    return _sealed(message_key, padded_meta(meta.get("name"), meta.get("type")), aad, iv)


def open_file_meta(
    message_key: bytes, room_id: str, sender: str, file_id: str, size: int, sealed: object
) -> dict[str, str]:
    """`{"name", "type"}` from a sealed meta, bound to this room, the sender the server named, the file id and size."""
    try:
        return parsed_meta(_opened(message_key, sealed, meta_aad(room_id, sender, file_id, size)))
    except (InvalidTag, ValueError, TypeError, RecursionError) as error:
        raise CryptoError(REFUSED) from error


def seal_chunk(
    message_key: bytes,
    room_id: str,
    sender: str,
    file_id: str,
    index: int,
    chunks: int,
    data: bytes,
    *,
    iv: bytes | None = None,
) -> str:
    """Chunk `index` of `chunks`, sealed: 32768 bytes, or 1 to 32768 for the last; `iv` only for the vectors."""
    aad = chunk_aad(room_id, sender, file_id, index, chunks)
    if not isinstance(data, bytes) or not _chunk_fits(len(data), index, chunks):
        raise CryptoError("a chunk of the wrong length")
    return _sealed(message_key, data, aad, iv)


def open_chunk(
    message_key: bytes, room_id: str, sender: str, file_id: str, index: int, chunks: int, sealed: object
) -> bytes:
    """The bytes of chunk `index` of `chunks`, bound as its AAD says, and refused unless whole (the last: 1 to
    32768 bytes)."""
    try:
        data = _opened(message_key, sealed, chunk_aad(room_id, sender, file_id, index, chunks))
        if not _chunk_fits(len(data), index, chunks):
            raise CryptoError("a chunk of the wrong length")
        return data
    except (InvalidTag, ValueError, TypeError, RecursionError) as error:
        raise CryptoError(REFUSED) from error
