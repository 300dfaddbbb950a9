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


@named(VECTORS["edits"], "id")
def test_an_edit_is_sealed_as_the_vector_and_opens_for_its_message(entry: dict[str, Any]) -> None:
    key = keys_for(entry["key"]).message_key
    where = (entry["room_id"], entry["from"], entry["message_id"])
    iv = crypto.b64url_decode(entry["iv"])
    envelope = crypto.seal_edit(key, *where, entry["sid"], entry["n"], entry["message"], iv=iv)
    assert envelope == entry["envelope"]
    assert len(crypto.b64url_decode(envelope["ct"])) == entry["plaintext_bytes"] + 16
    assert crypto.open_edit(key, *where, envelope) == entry["message"]


def test_the_edit_vectors_continue_the_messages_counter() -> None:
    # Messages and edits of one page load share its counter: the edits carry on the messages' sid.
    assert {entry["sid"] for entry in VECTORS["edits"]} == {entry["sid"] for entry in VECTORS["messages"]}
    assert VECTORS["edits"][0]["n"] == max(e["n"] for e in VECTORS["messages"] if e["n"] < 2**53 - 1) + 1


def opened_as(entry: dict[str, Any]) -> dict[str, Any]:
    key = keys_for(entry["key"]).message_key
    if entry["as"] == "edit":
        return crypto.open_edit(key, entry["room_id"], entry["from"], entry["message_id"], entry["envelope"])
    return crypto.open_message(key, entry["room_id"], entry["from"], entry["envelope"])


@named(VECTORS["edit_opens"], "why")
def test_opening_an_edit(entry: dict[str, Any]) -> None:
    if entry["expect"] is None:
        with pytest.raises(crypto.CryptoError):
            opened_as(entry)
    else:
        assert opened_as(entry) == entry["expect"]


def test_the_edit_vectors_refuse_each_binding_and_the_other_kind() -> None:
    refused = {entry["why"] for entry in VECTORS["edit_opens"] if entry["expect"] is None}
    assert {
        "the edit for another message id",
        "the edit by another author",
        "the edit in another room",
        "the edit opened as a message",
        "a message's envelope opened as an edit",
    } <= refused


def test_a_sealed_edit_opens_only_for_its_message_author_and_room_and_never_as_a_message() -> None:
    key, sid = keys_for("ascii").message_key, crypto.new_sid()
    body = {"a": "Ann", "t": "<p>fixed</p>", "ts": 1}
    edit = crypto.seal_edit(key, "room", "someone", "msg-1", sid, 3, body)
    message = crypto.seal_message(key, "room", "someone", sid, 3, body)
    assert crypto.open_edit(key, "room", "someone", "msg-1", edit) == body
    for room, sender, original, envelope in [
        ("room", "someone", "msg-2", edit),
        ("room", "someone else", "msg-1", edit),
        ("moor", "someone", "msg-1", edit),
        ("room", "someone", "msg-1", message),
    ]:
        with pytest.raises(crypto.CryptoError):
            crypto.open_edit(key, room, sender, original, envelope)
    with pytest.raises(crypto.CryptoError):
        crypto.open_message(key, "room", "someone", edit)


@named(VECTORS["bad_edit_seals"], "why")
def test_sealing_an_edit_refuses(entry: dict[str, Any]) -> None:
    key = keys_for(entry["key"]).message_key
    where = (entry["room_id"], entry["from"], entry["message_id"], entry["sid"], entry["n"])
    with pytest.raises(crypto.CryptoError):
        crypto.seal_edit(key, *where, entry["message"])


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

    edit = VECTORS["edits"][0]
    edit_aad = b"".join(
        [
            lp(b"ephemeral/e2e/v1/edit"),
            lp(edit["room_id"].encode()),
            lp(edit["from"].encode()),
            lp(edit["message_id"].encode()),
            lp(crypto.b64url_decode(edit["envelope"]["sid"])),
            lp(edit["envelope"]["n"].to_bytes(8, "big")),
        ]
    )
    sealed = crypto.b64url_decode(edit["envelope"]["ct"])
    plaintext = AESGCM(message_key).decrypt(crypto.b64url_decode(edit["envelope"]["iv"]), sealed, edit_aad)
    assert plaintext.rstrip(b" ") == json.dumps(edit["message"], separators=(",", ":")).encode()

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
const edited = { ...where, messageId: input.message_id };
const openedEdit = await e2e.openEdit(messageKey, edited, input.edit);
const sealedEdit = await e2e.sealEdit(messageKey, { ...edited, sid: e2e.newSid(), n: 0 }, input.messages[0]);
const name = await e2e.openName(messageKey, input.salt, input.name_ct);
const nameCt = await e2e.sealName(messageKey, input.salt, input.name);
const edits = { opened_edit: openedEdit, sealed_edit: sealedEdit };
console.log(JSON.stringify({ verifier, opened, sealed, ...edits, name, name_ct: nameCt }));
"""


def test_what_python_seals_opens_in_the_pages_crypto_and_back() -> None:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.fail("node is not on PATH: install Debian's nodejs package (apt-get install nodejs)", pytrace=False)
    marker = secrets.token_hex(8)
    salt, link = crypto.new_salt(), crypto.new_link_secret()
    password = f"pässwörd {marker} 🔑"
    room_id, sender, sid = secrets.token_urlsafe(16), secrets.token_urlsafe(12), crypto.new_sid()
    message_id = secrets.token_urlsafe(9)
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
        "message_id": message_id,
        "edit": crypto.seal_edit(keys.message_key, room_id, sender, message_id, sid, 2, messages[1]),
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
    assert answer["opened_edit"] == messages[1]
    assert crypto.open_edit(keys.message_key, room_id, sender, message_id, answer["sealed_edit"]) == messages[0]
    with pytest.raises(crypto.CryptoError):
        crypto.open_message(keys.message_key, room_id, sender, answer["sealed_edit"])


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
