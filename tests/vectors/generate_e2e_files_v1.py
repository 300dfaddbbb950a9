"""Writes tests/vectors/e2e-files-v1.json from fixed inputs with the Python implementation
(ephemeral_client/file_crypto.py).

Run `python -m tests.vectors.generate_e2e_files_v1` after a deliberate change to files v1 (there should be none:
v1 is frozen once rooms use it). The Node tests then hold static/js/e2e/files.js to what this wrote, and pytest
holds the Python side to it, so a change on one side alone fails one of them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from ephemeral_client import crypto
from ephemeral_client.file_crypto import CHUNK_BYTES, chunk_aad, chunk_count, meta_aad, padded_meta, seal_chunk
from ephemeral_client.file_crypto import seal_file_meta as seal_meta

from .e2e_v1_inputs import FROM, KEYS, OTHER_FROM, OTHER_ROOM_ID, ROOM_ID, b64, fixed

OUT = Path(__file__).with_name("e2e-files-v1.json")
FILE_ID = b64(fixed("file id", 16))
OTHER_FILE_ID = b64(fixed("other file id", 16))
TINY_FILE_ID = b64(fixed("tiny file id", 16))
# Three chunks: two whole ones and a short last one.
SIZE = 2 * CHUNK_BYTES + 1000
LARGEST = 2**53 - 1
# Characters of 1 to 4 bytes, cut to 900 bytes of UTF-8 at a character's end.
LONG_NAME = ("Résumé — 密码 🔑 ﬁnal " * 60).encode()[:900].decode(errors="ignore")
ESCAPES = '"q" \\ back\nslash\t\u0001\u007f \u2028 é.txt'


def content(label: str, length: int) -> bytes:
    """File bytes that look random but are the same on every run."""
    return hashlib.shake_256(f"ephemeral e2e files v1 vectors: {label}".encode()).digest(length)


def filled(name: str, type_: str, total: int) -> str:
    """`name`, lengthened with `x` so that the meta's JSON is exactly `total` bytes."""
    text = json.dumps({"name": name, "type": type_}, ensure_ascii=False, separators=(",", ":"))
    return name + "x" * (total - len(text.encode()))


def pad(text: str) -> bytes:
    data = text.encode("utf-8")
    return data.ljust(-(-len(data) // 256) * 256, b" ")


def flipped(sealed: str, at: int) -> str:
    data = bytearray(crypto.b64url_decode(sealed))
    data[at] ^= 0x01
    return b64(bytes(data))


def cut(sealed: str, length: int) -> str:
    return b64(crypto.b64url_decode(sealed)[:length])


def key_entries() -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    entries, message_keys = [], {}
    for case in (case for case in KEYS if case["id"] in {"ascii", "wrong_link"}):
        keys = crypto.derive_keys(case["password"], case["salt"], case["iter"], case["link"])
        message_keys[case["id"]] = keys.message_key
        salts = {"salt": b64(case["salt"]), "iter": case["iter"], "link_secret": b64(case["link"])}
        entries.append({"id": case["id"], "password": case["password"], **salts, "verifier": keys.verifier})
    return entries, message_keys


METAS: list[tuple[str, str, int, str, str]] = [  # (why, file id, size, name, type)
    ("ascii", FILE_ID, SIZE, "notes.txt", "text/plain"),
    ("a non-ASCII name, a 1-byte file", TINY_FILE_ID, 1, "Grüße — 密码 🔑 ﬁ.pdf", "application/pdf"),
    ("every escape JSON makes, an empty type, one whole chunk", OTHER_FILE_ID, CHUNK_BYTES, ESCAPES, ""),
    ("exactly 256 bytes of JSON: no padding", FILE_ID, SIZE, filled("", "image/png", 256), "image/png"),
    ("the longest name (1024 bytes of JSON), the largest size", FILE_ID, LARGEST, filled(LONG_NAME, "", 1024), ""),
]


def meta_entries(key: bytes) -> list[dict[str, Any]]:
    entries = []
    for index, (why, file_id, size, name, type_) in enumerate(METAS):
        meta = {"name": name, "type": type_}
        iv = fixed(f"file meta iv {index}", 12)
        where = {"room_id": ROOM_ID, "from": FROM, "file_id": file_id, "size": size, "chunks": chunk_count(size)}
        plaintext = {"iv": b64(iv), "meta": meta, "plaintext_bytes": len(padded_meta(meta["name"], meta["type"]))}
        sealed = seal_meta(key, ROOM_ID, FROM, file_id, size, meta, iv=iv)
        entries.append({"id": why, "key": "ascii", **where, **plaintext, "sealed": sealed})
    assert [entry["plaintext_bytes"] for entry in entries[3:]] == [256, 1024]
    return entries


def raw_meta(key: bytes, plaintext: bytes, index: int) -> str:
    """A meta around any plaintext at all, with FILE_ID's AAD: what a broken or hostile sender could send."""
    iv = fixed(f"raw file meta iv {index}", 12)
    return b64(iv + AESGCM(key).encrypt(iv, plaintext, meta_aad(ROOM_ID, FROM, FILE_ID, SIZE)))


def meta_opens(key: bytes, metas: list[dict[str, Any]], tiny_chunk: str) -> list[dict[str, Any]]:
    """Metas to open (key `ascii` unless named): `expect` is what opens, or null for a refusal."""
    named = {"name": "a.txt", "type": "text/plain"}
    plaintexts: list[tuple[str, bytes, dict[str, str] | None]] = [
        ("extra fields are ignored", pad('{"name":"a.txt","type":"text/plain","size":5,"x":[1]}'), named),
        ("not JSON", pad('{"name":"a.txt","type":"text/plain"'), None),
        ("a JSON array", pad('["a.txt","text/plain"]'), None),
        ("a JSON string", pad('"a.txt"'), None),
        ("JSON null", pad("null"), None),
        ("no type", pad('{"name":"a.txt"}'), None),
        ("a name as a number", pad('{"name":5,"type":"text/plain"}'), None),
        ("a type null", pad('{"name":"a.txt","type":null}'), None),
        ("NaN in an extra field (JSON.parse refuses it)", pad('{"name":"a.txt","type":"","x":NaN}'), None),
        ("a byte-order mark first", pad('\ufeff{"name":"a.txt","type":"text/plain"}'), None),
        ("not UTF-8", pad('{"name":"a.txt","type":"text/plain"}')[:-1] + b"\xff", None),
        ("not padded to 256", b'{"name":"a.txt","type":"text/plain"}', None),
        ("empty", b"", None),
        ("padded to 1280: more than 1024 bytes", pad('{"name":"a.txt","type":""}' + " " * 1100), None),
    ]
    where = {"room_id": ROOM_ID, "from": FROM, "file_id": FILE_ID, "size": SIZE}
    entries = [
        {"why": why, "key": "ascii", **where, "sealed": raw_meta(key, plaintext, index), "expect": expect}
        for index, (why, plaintext, expect) in enumerate(plaintexts)
    ]
    good = metas[0]["sealed"]
    length = len(crypto.b64url_decode(good))
    tampered: list[tuple[str, dict[str, Any], str]] = [
        ("another room id", {"room_id": OTHER_ROOM_ID}, good),
        ("another sender (from)", {"from": OTHER_FROM}, good),
        ("bytes of the room id moved to the sender", {"room_id": ROOM_ID[:-4], "from": ROOM_ID[-4:] + FROM}, good),
        ("another file id", {"file_id": OTHER_FILE_ID}, good),
        ("another size with the same chunk count", {"size": SIZE + 1}, good),
        ("another size and chunk count", {"size": SIZE + CHUNK_BYTES}, good),
        ("a wrong key (another link)", {"key": "wrong_link"}, good),
        ("a flipped bit in iv", {}, flipped(good, 0)),
        ("a flipped bit in ct", {}, flipped(good, 12)),
        ("a flipped bit in the tag", {}, flipped(good, length - 1)),
        ("cut by one byte", {}, cut(good, length - 1)),
        ("the tag cut off", {}, cut(good, length - 16)),
        ("cut to 27 bytes", {}, cut(good, 27)),
        ("with padding", {}, good + "="),
        ("with whitespace", {}, good[:8] + " " + good[8:]),
        ("a size of 0", {"size": 0}, good),
        ("a size as text", {"size": str(SIZE)}, good),
        ("a file id of 15 bytes", {"file_id": b64(fixed("file id", 15))}, good),
        ("a chunk opened as a meta", {"file_id": TINY_FILE_ID, "size": 1}, tiny_chunk),
    ]
    return entries + [
        {"why": why, "key": "ascii", **where, **change, "sealed": sealed, "expect": None}
        for why, change, sealed in tampered
    ]


def bad_meta_seals() -> list[dict[str, Any]]:
    """Metas that sealFileMeta must refuse (key `ascii`)."""
    good = {"room_id": ROOM_ID, "from": FROM, "file_id": FILE_ID, "size": SIZE}
    meta = {"name": "a.txt", "type": "text/plain"}
    cases: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        ("a size of 0", {"size": 0}, {}),
        ("a size with a fraction", {"size": 1.5}, {}),
        ("a size beyond 2^53-1", {"size": 2**53}, {}),
        ("a size as text", {"size": "5"}, {}),
        ("a name as a number", {}, {"name": 5}),
        ("no type", {}, {"type": None}),
        ("a name with a lone surrogate", {}, {"name": "a\ud800.txt"}),
        ("1025 bytes of JSON", {}, {"name": filled(LONG_NAME, "", 1025), "type": ""}),
        ("a file id of 15 bytes", {"file_id": b64(fixed("file id", 15))}, {}),
        ("a file id with padding", {"file_id": FILE_ID + "=="}, {}),
        ("a room id with a lone surrogate", {"room_id": "room\udc00"}, {}),
        ("a sender that is not text", {"from": 5}, {}),
    ]
    return [{"why": why, "key": "ascii", **good, **where, "meta": {**meta, **change}} for why, where, change in cases]


CHUNKS: list[tuple[str, str, int, int, bytes]] = [
    ("the first chunk", FILE_ID, 0, 3, content("chunk 0", CHUNK_BYTES)),
    ("a middle chunk", FILE_ID, 1, 3, content("chunk 1", CHUNK_BYTES)),
    ("a short last chunk", FILE_ID, 2, 3, content("chunk 2", SIZE - 2 * CHUNK_BYTES)),
    ("the only chunk of a 1-byte file", TINY_FILE_ID, 0, 1, content("tiny", 1)),
    ("the last of the largest count", OTHER_FILE_ID, 2**38 - 1, 2**38, content("last of many", 5)),
]


def chunk_entries(key: bytes) -> list[dict[str, Any]]:
    assert chunk_count(SIZE) == 3 and chunk_count(LARGEST) == 2**38
    entries = []
    for n, (why, file_id, index, chunks, data) in enumerate(CHUNKS):
        iv = fixed(f"file chunk iv {n}", 12)
        where = {"room_id": ROOM_ID, "from": FROM, "file_id": file_id, "index": index, "chunks": chunks}
        sealed = seal_chunk(key, ROOM_ID, FROM, file_id, index, chunks, data, iv=iv)
        entries.append({"id": why, "key": "ascii", **where, "iv": b64(iv), "bytes": b64(data), "sealed": sealed})
    return entries


def raw_chunk(key: bytes, data: bytes, index: int, chunks: int) -> str:
    """A chunk of any length at all, with FILE_ID's AAD: what a broken or hostile sender could send."""
    iv = fixed(f"raw file chunk iv {index} {chunks} {len(data)}", 12)
    return b64(iv + AESGCM(key).encrypt(iv, data, chunk_aad(ROOM_ID, FROM, FILE_ID, index, chunks)))


def chunk_opens(key: bytes, chunks: list[dict[str, Any]], meta: str) -> list[dict[str, Any]]:
    """Chunks to open (key `ascii` unless named), each to be refused (`expect` null)."""
    last = chunks[2]
    where = {field: last[field] for field in ("room_id", "from", "file_id", "index", "chunks")}
    good, length = last["sealed"], len(crypto.b64url_decode(last["sealed"]))
    # Sealed with their own index and count, so only the length rule can refuse them.
    hostile = [
        ("a first chunk of 2 cut short", 0, 2, content("short first", 100)),
        ("an empty last chunk", 0, 1, b""),
        ("a last chunk of 32769 bytes", 1, 2, bytes(CHUNK_BYTES + 1)),
    ]
    entries = []
    for why, index, count, data in hostile:
        sealed = raw_chunk(key, data, index, count)
        entries.append({"why": why, "key": "ascii", **where, "index": index, "chunks": count, "sealed": sealed})
    tampered: list[tuple[str, dict[str, Any], str]] = [
        ("another room id", {"room_id": OTHER_ROOM_ID}, good),
        ("another sender (from)", {"from": OTHER_FROM}, good),
        ("bytes of the room id moved to the sender", {"room_id": ROOM_ID[:-4], "from": ROOM_ID[-4:] + FROM}, good),
        ("another file id", {"file_id": OTHER_FILE_ID}, good),
        ("another index", {"index": 1}, good),
        ("another chunk count", {"index": 2, "chunks": 4}, good),
        ("a wrong key (another link)", {"key": "wrong_link"}, good),
        ("a flipped bit in iv", {}, flipped(good, 0)),
        ("a flipped bit in ct", {}, flipped(good, 12)),
        ("a flipped bit in the tag", {}, flipped(good, length - 1)),
        ("cut by one byte", {}, cut(good, length - 1)),
        ("the tag cut off", {}, cut(good, length - 16)),
        ("cut to 28 bytes", {}, cut(good, 28)),
        ("cut to 27 bytes", {}, cut(good, 27)),
        ("with padding", {}, good + "="),
        ("with whitespace", {}, good[:8] + " " + good[8:]),
        ("an index equal to the count", {"index": 3, "chunks": 3}, good),
        ("a negative index", {"index": -1}, good),
        ("an index with a fraction", {"index": 1.5}, good),
        ("a chunk count of 0", {"index": 0, "chunks": 0}, good),
        ("a file id of 15 bytes", {"file_id": b64(fixed("file id", 15))}, good),
        ("the meta opened as a chunk", {"index": 0}, meta),
    ]
    entries += [{"why": why, "key": "ascii", **where, **change, "sealed": sealed} for why, change, sealed in tampered]
    return [{**entry, "expect": None} for entry in entries]


def bad_chunk_seals() -> list[dict[str, Any]]:
    """Chunks that sealChunk must refuse (key `ascii`), each `length` zero bytes: what they hold never matters."""
    good = {"room_id": ROOM_ID, "from": FROM, "file_id": FILE_ID, "index": 2, "chunks": 3, "length": 1000}
    cases: list[tuple[str, dict[str, Any]]] = [
        ("an index equal to the count", {"index": 3}),
        ("a negative index", {"index": -1}),
        ("an index with a fraction", {"index": 1.5}),
        ("an index as text", {"index": "2"}),
        ("a chunk count of 0", {"index": 0, "chunks": 0}),
        ("a chunk count beyond 2^53-1", {"chunks": 2**53}),
        ("an empty last chunk", {"length": 0}),
        ("a last chunk of 32769 bytes", {"length": CHUNK_BYTES + 1}),
        ("a middle chunk of 1000 bytes", {"index": 1}),
        ("a first chunk of 1000 bytes", {"index": 0}),
        ("a first chunk of 32769 bytes", {"index": 0, "length": CHUNK_BYTES + 1}),
        ("a file id of 15 bytes", {"file_id": b64(fixed("file id", 15))}),
        ("a file id that is not text", {"file_id": 5}),
        ("a room id with a lone surrogate", {"room_id": "room\udc00"}),
    ]
    return [{"why": why, "key": "ascii", **good, **where} for why, where in cases]


def build() -> dict[str, Any]:
    keys, message_keys = key_entries()
    key = message_keys["ascii"]
    metas, chunks = meta_entries(key), chunk_entries(key)
    return {
        "about": (
            "Interop vectors for files in server-blind rooms, v1 (the formulas head static/js/e2e/files.js). Written "
            "by tests/vectors/generate_e2e_files_v1.py with ephemeral_client/file_crypto.py; checked by "
            "tests/unit/test_e2e_file_crypto.py (Python) and tests/js/e2e_files.test.mjs (static/js/e2e/files.js). "
            "Binary values are base64url without padding; keys are derived as in e2e-v1.json. A meta is opened "
            "with its entry's room_id, from, file_id and size, a chunk with its room_id, from, file_id, index and "
            "chunks; `expect` null means it must be refused."
        ),
        "keys": keys,
        "metas": metas,
        "meta_opens": meta_opens(key, metas, chunks[3]["sealed"]),
        "bad_meta_seals": bad_meta_seals(),
        "chunks": chunks,
        "chunk_opens": chunk_opens(key, chunks, metas[0]["sealed"]),
        "bad_chunk_seals": bad_chunk_seals(),
    }


def main() -> None:
    text = json.dumps(build(), indent=1, ensure_ascii=True)
    OUT.write_text(text + "\n", encoding="ascii")
    print(f"wrote {OUT.name}: {len(text)} characters")


if __name__ == "__main__":
    main()
