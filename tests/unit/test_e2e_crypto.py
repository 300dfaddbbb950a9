"""Server-blind rooms, v1: the Python implementation gives the vectors' answers and refuses what they refuse;
the vectors follow the formulas from first principles; what Python seals opens in the page's crypto and back."""

from __future__ import annotations

import ast
import functools
import hashlib
import hmac
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

ROOT = Path(__file__).resolve().parents[2]
VECTORS = json.loads((ROOT / "tests" / "vectors" / "e2e-v1.json").read_text(encoding="utf-8"))
KEY_CASES = {entry["id"]: entry for entry in VECTORS["keys"]}


@functools.cache
def keys_for(key_id: str) -> crypto.Keys:
    # Each key is derived once: 600,000 iterations and up cost a fraction of a second each.
    case = KEY_CASES[key_id]
    return crypto.derive_keys(case["password"], case["salt"], case["iter"], case["link_secret"])


def named(entries: list[dict[str, Any]], field: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("entry", entries, ids=[str(entry[field]) for entry in entries])


@named(VECTORS["keys"], "id")
def test_the_verifier_is_the_vectors(entry: dict[str, Any]) -> None:
    keys = keys_for(entry["id"])
    assert keys.verifier == entry["verifier"]
    assert len(keys.message_key) == 32
    assert "message_key" not in repr(keys)


def test_an_nfd_password_gives_its_nfc_forms_verifier() -> None:
    assert KEY_CASES["nfd"]["password"] != KEY_CASES["non_ascii"]["password"]
    assert keys_for("nfd").verifier == keys_for("non_ascii").verifier
    assert len(KEY_CASES["long"]["password"]) == 1024
    assert {entry["iter"] for entry in VECTORS["keys"]} >= {crypto.ITER_MIN, crypto.ITER_MAX}


@named(VECTORS["bad_kdf"], "why")
def test_derivation_refuses(entry: dict[str, Any]) -> None:
    with pytest.raises(crypto.CryptoError):
        crypto.derive_keys(entry["password"], entry["salt"], entry["iter"], entry["link_secret"])


@named(VECTORS["names"], "key")
def test_the_room_name_is_sealed_as_the_vector_and_opens(entry: dict[str, Any]) -> None:
    key = keys_for(entry["key"]).message_key
    iv = crypto.b64url_decode(entry["iv"])
    assert crypto.seal_name(key, entry["salt"], entry["name"], iv=iv) == entry["name_ct"]
    assert crypto.open_name(key, entry["salt"], entry["name_ct"]) == entry["name"]


@named(VECTORS["bad_names"], "why")
def test_the_room_name_refuses(entry: dict[str, Any]) -> None:
    with pytest.raises(crypto.CryptoError):
        crypto.open_name(keys_for(entry["key"]).message_key, entry["salt"], entry["name_ct"])


@named(VECTORS["messages"], "id")
def test_a_message_is_sealed_as_the_vector_and_opens(entry: dict[str, Any]) -> None:
    key = keys_for(entry["key"]).message_key
    iv = crypto.b64url_decode(entry["iv"])
    envelope = crypto.seal_message(
        key, entry["room_id"], entry["from"], entry["sid"], entry["n"], entry["message"], iv=iv
    )
    assert envelope == entry["envelope"]
    assert len(crypto.b64url_decode(envelope["ct"])) == entry["plaintext_bytes"] + 16 <= 32 * 1024
    assert crypto.open_message(key, entry["room_id"], entry["from"], envelope) == entry["message"]


def test_a_sealed_message_opens_only_in_its_room_from_its_sender_with_its_sid_and_n() -> None:
    key, sid = keys_for("ascii").message_key, crypto.new_sid()
    envelope = crypto.seal_message(key, "room", "someone", sid, 5, {"a": "Ann", "t": "<p>hi</p>", "ts": 1})
    assert crypto.open_message(key, "room", "someone", envelope)["t"] == "<p>hi</p>"
    for key_id, room, sender, changed in [
        ("ascii", "moor", "someone", envelope),
        ("ascii", "room", "someone else", envelope),
        ("ascii", "room", "someone", {**envelope, "sid": crypto.b64url_encode(crypto.new_sid())}),
        ("ascii", "room", "someone", {**envelope, "n": 6}),
        ("wrong_link", "room", "someone", envelope),
    ]:
        with pytest.raises(crypto.CryptoError):
            crypto.open_message(keys_for(key_id).message_key, room, sender, changed)


@named(VECTORS["opens"], "why")
def test_opening_an_envelope(entry: dict[str, Any]) -> None:
    key = keys_for(entry["key"]).message_key
    if entry["expect"] is None:
        with pytest.raises(crypto.CryptoError):
            crypto.open_message(key, entry["room_id"], entry["from"], entry["envelope"])
    else:
        assert crypto.open_message(key, entry["room_id"], entry["from"], entry["envelope"]) == entry["expect"]


@named(VECTORS["bad_seals"], "why")
def test_sealing_refuses(entry: dict[str, Any]) -> None:
    key = keys_for(entry["key"]).message_key
    with pytest.raises(crypto.CryptoError):
        crypto.seal_message(key, entry["room_id"], entry["from"], entry["sid"], entry["n"], entry["message"])


@named(VECTORS["base64url"]["good"], "text")
def test_base64url_both_ways(entry: dict[str, Any]) -> None:
    assert crypto.b64url_encode(bytes.fromhex(entry["bytes_hex"])) == entry["text"]
    assert crypto.b64url_decode(entry["text"]).hex() == entry["bytes_hex"]


@pytest.mark.parametrize("text", VECTORS["base64url"]["bad"])
def test_base64url_refuses(text: str) -> None:
    with pytest.raises(crypto.CryptoError):
        crypto.b64url_decode(text)


def lp(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    """RFC 5869 for one 32-byte block, from HMAC alone."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def test_the_vectors_follow_the_formulas_from_first_principles() -> None:
    # Both implementations could share one misreading; this reads the formulas once more, with no shared code.
    case = KEY_CASES["ascii"]
    salt, link = crypto.b64url_decode(case["salt"]), crypto.b64url_decode(case["link_secret"])
    k0 = hashlib.pbkdf2_hmac("sha256", case["password"].encode(), salt, case["iter"], 32)
    assert crypto.b64url_encode(hkdf_sha256(k0, link, b"ephemeral/e2e/v1/verifier")) == case["verifier"]
    message_key = hkdf_sha256(k0, link, b"ephemeral/e2e/v1/message")

    entry = VECTORS["messages"][0]
    envelope = entry["envelope"]
    aad = b"".join(
        [
            lp(b"ephemeral/e2e/v1/msg"),
            lp(entry["room_id"].encode()),
            lp(entry["from"].encode()),
            lp(crypto.b64url_decode(envelope["sid"])),
            lp(envelope["n"].to_bytes(8, "big")),
        ]
    )
    ct = crypto.b64url_decode(envelope["ct"])
    plaintext = AESGCM(message_key).decrypt(crypto.b64url_decode(envelope["iv"]), ct, aad)
    assert len(plaintext) % 256 == 0
    assert plaintext.rstrip(b" ") == json.dumps(entry["message"], separators=(",", ":")).encode()

    name = VECTORS["names"][0]
    raw = crypto.b64url_decode(name["name_ct"])
    name_aad = lp(b"ephemeral/e2e/v1/name") + lp(salt)
    assert AESGCM(message_key).decrypt(raw[:12], raw[12:], name_aad).decode() == name["name"]


NODE_SIDE = """
import * as e2e from "%(module)s";
let text = "";
for await (const chunk of process.stdin) text += chunk;
const input = JSON.parse(text);
const { verifier, messageKey } = await e2e.deriveKeys(input.password, input.salt, input.iter, input.link_secret);
const where = { roomId: input.room_id, from: input.from };
const opened = [];
for (const envelope of input.envelopes) opened.push(await e2e.openMessage(messageKey, where, envelope));
const sealed = [];
for (const [n, message] of input.messages.entries()) {
  sealed.push(await e2e.sealMessage(messageKey, { ...where, sid: e2e.newSid(), n }, message));
}
const name = await e2e.openName(messageKey, input.salt, input.name_ct);
const nameCt = await e2e.sealName(messageKey, input.salt, input.name);
console.log(JSON.stringify({ verifier, opened, sealed, name, name_ct: nameCt }));
"""


def test_what_python_seals_opens_in_the_pages_crypto_and_back() -> None:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.fail("node is not on PATH: install Debian's nodejs package (apt-get install nodejs)", pytrace=False)
    marker = secrets.token_hex(8)
    salt, link = crypto.new_salt(), crypto.new_link_secret()
    password = f"pässwörd {marker} 🔑"
    room_id, sender, sid = secrets.token_urlsafe(16), secrets.token_urlsafe(12), crypto.new_sid()
    keys = crypto.derive_keys(password, salt, crypto.ITER_MIN, link)
    messages = [
        {"a": "Zoë", "t": f'<p>{marker} 🎉 "q" \\ \u2028</p>', "ts": 1_700_000_000_000},
        {"a": "Ann", "t": f"{marker}\ud800" + "x" * 600, "ts": 0},
    ]
    given = {
        "password": password,
        "salt": crypto.b64url_encode(salt),
        "iter": crypto.ITER_MIN,
        "link_secret": crypto.b64url_encode(link),
        "room_id": room_id,
        "from": sender,
        "envelopes": [
            crypto.seal_message(keys.message_key, room_id, sender, sid, n, m) for n, m in enumerate(messages)
        ],
        "messages": messages,
        "name_ct": crypto.seal_name(keys.message_key, salt, f"Room {marker} ☕"),
        "name": f"Café {marker} 🔖",
    }
    script = NODE_SIDE % {"module": (ROOT / "static" / "js" / "e2e" / "crypto.js").as_uri()}
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
    assert answer["verifier"] == keys.verifier
    assert answer["opened"] == messages
    assert answer["name"] == f"Room {marker} ☕"
    assert [
        crypto.open_message(keys.message_key, room_id, sender, envelope) for envelope in answer["sealed"]
    ] == messages
    assert crypto.open_name(keys.message_key, salt, answer["name_ct"]) == f"Café {marker} 🔖"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_server_never_imports_the_client_crypto() -> None:
    # The server has no crypto beyond shape checks, and `cryptography` is a test dependency only.
    sources = [*sorted((ROOT / "ephemeral").rglob("*.py")), ROOT / "app.py"]
    assert len(sources) > 20
    found = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sources
        for name in imported_modules(path)
        if name.split(".")[0] in {"ephemeral_client", "cryptography"}
    }
    assert found == set()
