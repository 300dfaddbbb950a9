"""The refusals in tests/vectors/e2e-v1.json: inputs that derivation, sealing, opening and base64url must refuse,
and envelopes around plaintexts that a broken or hostile sender could make."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from ephemeral_client import crypto

from .e2e_v1_inputs import FROM, LINK, OTHER_FROM, OTHER_ROOM_ID, ROOM_ID, SALT, SID, TS, b64, fixed


def bad_kdf() -> list[dict[str, Any]]:
    good = {"password": "correct horse battery staple", "salt": b64(SALT), "iter": 600_000, "link_secret": b64(LINK)}
    cases: list[tuple[str, dict[str, Any]]] = [
        ("iter below 600000", {"iter": 599_999}),
        ("iter above 2000000", {"iter": 2_000_001}),
        ("iter not an integer", {"iter": 600_000.5}),
        ("iter as text", {"iter": "600000"}),
        ("salt of 15 bytes", {"salt": b64(SALT[:15])}),
        ("salt with padding", {"salt": b64(SALT) + "=="}),
        ("link secret of 31 bytes", {"link_secret": b64(LINK[:31])}),
        ("link secret with stray trailing bits", {"link_secret": b64(LINK)[:-1] + "B"}),
        ("empty password", {"password": ""}),
        ("password with a lone surrogate", {"password": "pass\ud800word"}),
    ]
    return [{"why": why, **good, **change} for why, change in cases]


def raw_envelope(message_key: bytes, plaintext: bytes, index: int) -> dict[str, Any]:
    """An envelope around any plaintext at all, with this room's AAD: what a broken or hostile sender could send."""
    iv = fixed(f"raw iv {index}", 12)
    ct = AESGCM(message_key).encrypt(iv, plaintext, crypto.message_aad(ROOM_ID, FROM, SID, 7))
    return {"v": 1, "sid": b64(SID), "n": 7, "iv": b64(iv), "ct": b64(ct)}


def pad(text: str) -> bytes:
    data = text.encode("utf-8")
    return data.ljust(-(-len(data) // 256) * 256, b" ")


def open_entries(message_key: bytes, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Envelopes to open in ROOM_ID from FROM: `expect` is what opens, or null for a refusal."""
    envelope, second = messages[0]["envelope"], messages[1]["envelope"]
    ct = crypto.b64url_decode(envelope["ct"])

    def flipped(data: bytes, at: int) -> str:
        changed = bytearray(data)
        changed[at] ^= 0x80
        return b64(bytes(changed))

    message = {"a": "Ann", "t": "<p>hi</p>", "ts": TS}
    plaintexts: list[tuple[str, bytes, dict[str, Any] | None]] = [
        ("extra fields are ignored", pad('{"a":"Ann","t":"<p>hi</p>","ts":1700000000000,"x":[1]}'), message),
        ("ts with a fraction is a number", pad('{"a":"Ann","t":"","ts":1.5}'), {"a": "Ann", "t": "", "ts": 1.5}),
        ("not JSON", pad('{"a":"Ann","t":"<p>hi</p>","ts":1700000000000'), None),
        ("a JSON array", pad('["Ann","<p>hi</p>",1700000000000]'), None),
        ("a JSON string", pad('"Ann"'), None),
        ("no ts", pad('{"a":"Ann","t":"<p>hi</p>"}'), None),
        ("ts as text", pad('{"a":"Ann","t":"<p>hi</p>","ts":"1700000000000"}'), None),
        ("ts true", pad('{"a":"Ann","t":"<p>hi</p>","ts":true}'), None),
        ("ts NaN", pad('{"a":"Ann","t":"<p>hi</p>","ts":NaN}'), None),
        ("ts beyond a double (infinite)", pad('{"a":"Ann","t":"<p>hi</p>","ts":1e400}'), None),
        ("NaN in an extra field (JSON.parse refuses it)", pad('{"a":"Ann","t":"","ts":1,"x":NaN}'), None),
        ("a as a number", pad('{"a":5,"t":"<p>hi</p>","ts":1700000000000}'), None),
        ("t null", pad('{"a":"Ann","t":null,"ts":1700000000000}'), None),
        ("a byte-order mark first", pad('\ufeff{"a":"Ann","t":"<p>hi</p>","ts":1700000000000}'), None),
        ("not UTF-8", pad('{"a":"Ann","t":"<p>hi</p>","ts":1700000000000}')[:-1] + b"\xff", None),
        ("not padded to 256", b'{"a":"Ann","t":"<p>hi</p>","ts":1700000000000}', None),
        ("empty", b"", None),
    ]
    entries: list[dict[str, Any]] = [
        {"why": why, "envelope": raw_envelope(message_key, plaintext, index), "expect": expect}
        for index, (why, plaintext, expect) in enumerate(plaintexts)
    ]
    tampered: list[tuple[str, object, str, str]] = [
        ("another room id", envelope, OTHER_ROOM_ID, FROM),
        ("another sender (from)", envelope, ROOM_ID, OTHER_FROM),
        ("another sid", {**envelope, "sid": b64(fixed("other sid", 8))}, ROOM_ID, FROM),
        ("another n", {**envelope, "n": envelope["n"] + 1}, ROOM_ID, FROM),
        ("a flipped bit in iv", {**envelope, "iv": flipped(crypto.b64url_decode(envelope["iv"]), 0)}, ROOM_ID, FROM),
        ("a flipped bit in ct", {**envelope, "ct": flipped(ct, 0)}, ROOM_ID, FROM),
        ("a flipped bit in the tag", {**envelope, "ct": flipped(ct, len(ct) - 1)}, ROOM_ID, FROM),
        ("the tag cut off", {**envelope, "ct": b64(ct[:-16])}, ROOM_ID, FROM),
        ("v 2", {**envelope, "v": 2}, ROOM_ID, FROM),
        ("no v", {key: value for key, value in envelope.items() if key != "v"}, ROOM_ID, FROM),
        ("n negative", {**envelope, "n": -1}, ROOM_ID, FROM),
        ("n with a fraction", {**envelope, "n": 0.5}, ROOM_ID, FROM),
        ("n beyond 2^53-1", {**envelope, "n": 2**53}, ROOM_ID, FROM),
        ("n as text", {**envelope, "n": "0"}, ROOM_ID, FROM),
        ("n true (sealed with n 1)", {**second, "n": True}, ROOM_ID, FROM),
        ("v true", {**envelope, "v": True}, ROOM_ID, FROM),
        ("sid of 7 bytes", {**envelope, "sid": b64(SID[:7])}, ROOM_ID, FROM),
        ("iv of 11 bytes", {**envelope, "iv": b64(crypto.b64url_decode(envelope["iv"])[:11])}, ROOM_ID, FROM),
        ("ct with padding", {**envelope, "ct": envelope["ct"] + "="}, ROOM_ID, FROM),
        ("ct with whitespace", {**envelope, "ct": envelope["ct"][:8] + " " + envelope["ct"][8:]}, ROOM_ID, FROM),
        ("no ct", {key: value for key, value in envelope.items() if key != "ct"}, ROOM_ID, FROM),
        ("not an object", [envelope], ROOM_ID, FROM),
    ]
    for entry in entries:
        entry.update(room_id=ROOM_ID, **{"from": FROM})
    entries += [
        {"why": why, "envelope": changed, "room_id": room_id, "from": sender, "expect": None}
        for why, changed, room_id, sender in tampered
    ]
    return [{"key": "ascii", **entry} for entry in entries]


def base64url_cases() -> dict[str, Any]:
    good = [b"", b"\x00", b"\xff", b"\x00\x01", b"\xfb\xff", b"\xff\xef\xbe", bytes(range(256))]
    bad = ["A", "AA=", "AA==", "AAAA=", "+/8", "A+", "A/", " AA", "AA\n", "AA.", "\u00c0A", "AB", "AAF", "_-9"]
    for text in bad:
        try:
            crypto.b64url_decode(text)
        except crypto.CryptoError:
            continue
        raise AssertionError(f"{text!r} decoded")
    return {"good": [{"bytes_hex": data.hex(), "text": b64(data)} for data in good], "bad": bad}


def bad_seals() -> list[dict[str, Any]]:
    """Messages that sealMessage must refuse (in ROOM_ID from FROM, key `ascii`)."""
    good = {"room_id": ROOM_ID, "from": FROM, "sid": b64(SID), "n": 0}
    message = {"a": "Ann", "t": "<p>hi</p>", "ts": TS}
    cases: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        ("more than 32 KiB of ct", {}, {"t": "x" * 32_500}),
        ("ts with a fraction", {}, {"ts": 1.5}),
        ("ts as text", {}, {"ts": "1700000000000"}),
        ("ts beyond 2^53-1", {}, {"ts": 2**53}),
        ("a as a number", {}, {"a": 5}),
        ("no t", {}, {"t": None}),
        ("n negative", {"n": -1}, {}),
        ("n beyond 2^53-1", {"n": 2**53}, {}),
        ("n as text", {"n": "0"}, {}),
        ("sid of 7 bytes", {"sid": b64(SID[:7])}, {}),
        ("sid of 9 bytes", {"sid": b64(SID + b"\x00")}, {}),
        ("a room id with a lone surrogate", {"room_id": "room\udc00"}, {}),
    ]
    return [
        {"why": why, "key": "ascii", **good, **where, "message": {**message, **change}} for why, where, change in cases
    ]
