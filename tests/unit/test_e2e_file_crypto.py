"""Files in server-blind rooms, v1: the Python implementation gives the vectors' answers and refuses what they
refuse; the vectors follow the formulas from first principles; what Python seals opens in the page's file crypto
and back."""

from __future__ import annotations

import functools
import json
import secrets
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from ephemeral_client import crypto
from ephemeral_client import file_crypto as files

ROOT = Path(__file__).resolve().parents[2]
VECTORS = json.loads((ROOT / "tests" / "vectors" / "e2e-files-v1.json").read_text(encoding="utf-8"))
KEY_CASES = {entry["id"]: entry for entry in VECTORS["keys"]}
REFUSED = r"^the file could not be opened$"


@functools.cache
def key_for(key_id: str) -> bytes:
    # Each key is derived once: 600,000 iterations cost a fraction of a second.
    case = KEY_CASES[key_id]
    keys = crypto.derive_keys(case["password"], case["salt"], case["iter"], case["link_secret"])
    assert keys.verifier == case["verifier"]
    return keys.message_key


def named(entries: list[dict[str, Any]], field: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("entry", entries, ids=[str(entry[field]) for entry in entries])


def meta_place(entry: dict[str, Any]) -> tuple[Any, ...]:
    return entry["room_id"], entry["from"], entry["file_id"], entry["size"]


def chunk_place(entry: dict[str, Any]) -> tuple[Any, ...]:
    return entry["room_id"], entry["from"], entry["file_id"], entry["index"], entry["chunks"]


@named(VECTORS["metas"], "id")
def test_a_meta_is_sealed_as_the_vector_and_opens(entry: dict[str, Any]) -> None:
    key, iv = key_for(entry["key"]), crypto.b64url_decode(entry["iv"])
    assert files.chunk_count(entry["size"]) == entry["chunks"]
    assert files.seal_file_meta(key, *meta_place(entry), entry["meta"], iv=iv) == entry["sealed"]
    assert len(crypto.b64url_decode(entry["sealed"])) == entry["plaintext_bytes"] + files.SEALED_EXTRA
    assert files.open_file_meta(key, *meta_place(entry), entry["sealed"]) == entry["meta"]


@named(VECTORS["meta_opens"], "why")
def test_opening_a_meta(entry: dict[str, Any]) -> None:
    key = key_for(entry["key"])
    if entry["expect"] is None:
        with pytest.raises(crypto.CryptoError, match=REFUSED):
            files.open_file_meta(key, *meta_place(entry), entry["sealed"])
    else:
        assert files.open_file_meta(key, *meta_place(entry), entry["sealed"]) == entry["expect"]


@named(VECTORS["bad_meta_seals"], "why")
def test_sealing_a_meta_refuses(entry: dict[str, Any]) -> None:
    with pytest.raises(crypto.CryptoError):
        files.seal_file_meta(key_for(entry["key"]), *meta_place(entry), entry["meta"])


@named(VECTORS["chunks"], "id")
def test_a_chunk_is_sealed_as_the_vector_and_opens(entry: dict[str, Any]) -> None:
    key, iv, data = key_for(entry["key"]), crypto.b64url_decode(entry["iv"]), crypto.b64url_decode(entry["bytes"])
    assert files.seal_chunk(key, *chunk_place(entry), data, iv=iv) == entry["sealed"]
    assert len(crypto.b64url_decode(entry["sealed"])) == len(data) + files.SEALED_EXTRA
    assert files.open_chunk(key, *chunk_place(entry), entry["sealed"]) == data


def test_the_chunk_vectors_hold_a_first_a_middle_a_short_last_and_a_1_byte_files() -> None:
    shapes = {(e["index"], e["chunks"], len(crypto.b64url_decode(e["bytes"]))) for e in VECTORS["chunks"]}
    assert {(0, 3, files.CHUNK_BYTES), (1, 3, files.CHUNK_BYTES), (2, 3, 1000), (0, 1, 1)} <= shapes


@named(VECTORS["chunk_opens"], "why")
def test_opening_a_chunk_refuses(entry: dict[str, Any]) -> None:
    assert entry["expect"] is None
    with pytest.raises(crypto.CryptoError, match=REFUSED):
        files.open_chunk(key_for(entry["key"]), *chunk_place(entry), entry["sealed"])


@named(VECTORS["bad_chunk_seals"], "why")
def test_sealing_a_chunk_refuses(entry: dict[str, Any]) -> None:
    with pytest.raises(crypto.CryptoError):
        files.seal_chunk(key_for(entry["key"]), *chunk_place(entry), bytes(entry["length"]))


@pytest.mark.parametrize("size", [1, 1000, files.CHUNK_BYTES, files.CHUNK_BYTES + 1, 3 * files.CHUNK_BYTES - 7])
def test_a_whole_file_there_and_back(size: int) -> None:
    key, data, file_id = key_for("ascii"), secrets.token_bytes(size), files.new_file_id()
    chunks = files.chunk_count(size)
    meta = {"name": "Grüße 🔑.bin", "type": ""}
    sealed_meta = files.seal_file_meta(key, "room", "someone", file_id, size, meta)
    pieces = [data[at : at + files.CHUNK_BYTES] for at in range(0, size, files.CHUNK_BYTES)]
    sealed = [files.seal_chunk(key, "room", "someone", file_id, i, chunks, p) for i, p in enumerate(pieces)]
    assert files.open_file_meta(key, "room", "someone", file_id, size, sealed_meta) == meta
    opened = [files.open_chunk(key, "room", "someone", file_id, i, chunks, s) for i, s in enumerate(sealed)]
    assert b"".join(opened) == data
    if chunks > 1:
        with pytest.raises(crypto.CryptoError):
            files.open_chunk(key, "room", "someone", file_id, 0, chunks, sealed[1])


@pytest.mark.parametrize(
    ("size", "chunks"), [(1, 1), (32768, 1), (32769, 2), (3 * 32768, 3), (2**53 - 1, 2**38), (1.0, 1)]
)
def test_chunk_count(size: int, chunks: int) -> None:
    assert files.chunk_count(size) == chunks


@pytest.mark.parametrize("size", [0, -1, 1.5, 2**53, "1", True, None, float("nan")])
def test_chunk_count_refuses(size: object) -> None:
    with pytest.raises(crypto.CryptoError):
        files.chunk_count(size)


def test_a_file_id_is_16_random_bytes_as_22_characters() -> None:
    ids = {files.new_file_id() for _ in range(64)}
    assert len(ids) == 64
    assert all(len(file_id) == 22 and len(crypto.b64url_decode(file_id)) == 16 for file_id in ids)


def test_an_iv_is_12_bytes() -> None:
    with pytest.raises(crypto.CryptoError):
        files.seal_chunk(key_for("ascii"), "room", "someone", files.new_file_id(), 0, 1, b"x", iv=bytes(11))


def lp(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def test_the_vectors_follow_the_formulas_from_first_principles() -> None:
    # Both implementations could share one misreading; this reads the formulas once more, with no shared code.
    key = key_for("ascii")
    meta = VECTORS["metas"][0]
    fields = [b"ephemeral/e2e/v1/file", meta["room_id"].encode(), meta["from"].encode()]
    fields += [crypto.b64url_decode(meta["file_id"]), meta["size"].to_bytes(8, "big")]
    aad = b"".join(lp(field) for field in [*fields, (-(-meta["size"] // 32768)).to_bytes(8, "big")])
    raw = crypto.b64url_decode(meta["sealed"])
    plaintext = AESGCM(key).decrypt(raw[:12], raw[12:], aad)
    assert len(plaintext) % 256 == 0 and plaintext == plaintext.rstrip(b" ").ljust(256, b" ")
    assert plaintext.rstrip(b" ") == json.dumps(meta["meta"], separators=(",", ":")).encode()

    for chunk in VECTORS["chunks"][2:4]:
        fields = [b"ephemeral/e2e/v1/chunk", chunk["room_id"].encode(), chunk["from"].encode()]
        fields += [crypto.b64url_decode(chunk["file_id"]), chunk["index"].to_bytes(8, "big")]
        aad = b"".join(lp(field) for field in [*fields, chunk["chunks"].to_bytes(8, "big")])
        raw = crypto.b64url_decode(chunk["sealed"])
        assert AESGCM(key).decrypt(raw[:12], raw[12:], aad) == crypto.b64url_decode(chunk["bytes"])


NODE_SIDE = """
import { deriveKeys } from "%(crypto)s";
import * as files from "%(files)s";
let text = "";
for await (const chunk of process.stdin) text += chunk;
const input = JSON.parse(text);
const { messageKey } = await deriveKeys(input.password, input.salt, input.iter, input.link_secret);
const place = { roomId: input.room_id, from: input.from, fileId: input.file_id };
const size = input.size;
const chunks = files.chunkCount(size);
const meta = await files.openFileMeta(messageKey, { ...place, size }, input.meta);
const opened = [];
for (const [index, sealed] of input.chunks.entries()) {
  opened.push(files.b64urlEncodeFast(await files.openChunk(messageKey, { ...place, index, chunks }, sealed)));
}
const fileId = files.newFileId();
const again = { ...place, fileId };
const sealed = [];
for (const [index, piece] of opened.entries()) {
  sealed.push(await files.sealChunk(messageKey, { ...again, index, chunks }, files.b64urlDecodeFast(piece)));
}
const sealedMeta = await files.sealFileMeta(messageKey, { ...again, size }, meta);
console.log(JSON.stringify({ meta, opened, file_id: fileId, sealed_meta: sealedMeta, sealed }));
"""


def test_what_python_seals_opens_in_the_pages_file_crypto_and_back() -> None:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.fail("node is not on PATH: install Debian's nodejs package (apt-get install nodejs)", pytrace=False)
    case, key = KEY_CASES["ascii"], key_for("ascii")
    room_id, sender, file_id = secrets.token_urlsafe(16), secrets.token_urlsafe(12), files.new_file_id()
    size = 2 * files.CHUNK_BYTES + 17
    data, chunks = secrets.token_bytes(size), files.chunk_count(size)
    meta = {"name": f'"{secrets.token_hex(4)}" \\ Grüße\n🔑.txt', "type": "text/plain"}
    pieces = [data[at : at + files.CHUNK_BYTES] for at in range(0, size, files.CHUNK_BYTES)]
    given = {
        **{field: case[field] for field in ("password", "salt", "iter", "link_secret")},
        **{"room_id": room_id, "from": sender, "file_id": file_id, "size": size},
        "meta": files.seal_file_meta(key, room_id, sender, file_id, size, meta),
        "chunks": [files.seal_chunk(key, room_id, sender, file_id, i, chunks, p) for i, p in enumerate(pieces)],
    }
    modules = {"crypto": "crypto.js", "files": "files.js"}
    script = NODE_SIDE % {name: (ROOT / "static" / "js" / "e2e" / path).as_uri() for name, path in modules.items()}
    run = subprocess.run(
        [node, "--input-type=module", "-e", script],
        input=json.dumps(given),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    assert answer["meta"] == meta
    assert b"".join(crypto.b64url_decode(piece) for piece in answer["opened"]) == data
    again = (room_id, sender, answer["file_id"])
    assert files.open_file_meta(key, *again, size, answer["sealed_meta"]) == meta
    opened = [files.open_chunk(key, *again, i, chunks, sealed) for i, sealed in enumerate(answer["sealed"])]
    assert b"".join(opened) == data
