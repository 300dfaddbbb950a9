"""The fixed inputs of tests/vectors/e2e-v1.json: keys, rooms, senders and messages."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path
from typing import Any

from ephemeral_client import crypto

OUT = Path(__file__).with_name("e2e-v1.json")
ROOM_ID = "Qk3xR9vT2mPaL7wZ0yB4cA"
OTHER_ROOM_ID = "Qk3xR9vT2mPaL7wZ0yB4cB"
FROM = "p3X9aB2cD4eF5gH6"
OTHER_FROM = "p3X9aB2cD4eF5gH7"
TS = 1_700_000_000_000


def fixed(label: str, length: int) -> bytes:
    """Bytes that look random but are the same on every run."""
    return hashlib.sha256(f"ephemeral e2e v1 vectors: {label}".encode()).digest()[:length]


def b64(data: bytes) -> str:
    return crypto.b64url_encode(data)


NON_ASCII = "Grüße, Zoë — пароль 密码 🔑 ﬁ"  # NFC; the ligature stays (NFC, not NFKC)
LONG = ("Pässwört-🔑-密码-" * 100)[:1024]
SALT = fixed("salt", 16)
LINK = fixed("link", 32)
SALT_2, LINK_2 = fixed("salt 2", 16), fixed("link 2", 32)


def key_case(name: str, password: str, salt: bytes, link: bytes, iterations: int = 600_000) -> dict[str, Any]:
    return {"id": name, "password": password, "salt": salt, "iter": iterations, "link": link}


KEYS = [
    key_case("ascii", "correct horse battery staple", SALT, LINK),
    key_case("wrong_password", "correct horse battery stapler", SALT, LINK),
    key_case("wrong_link", "correct horse battery staple", SALT, fixed("other link", 32)),
    key_case("non_ascii", NON_ASCII, SALT_2, LINK_2),
    key_case("nfd", unicodedata.normalize("NFD", NON_ASCII), SALT_2, LINK_2),
    key_case("long", LONG, fixed("salt 3", 16), fixed("link 3", 32), iterations=2_000_000),
]


def exact_block_text() -> str:
    """A `t` whose JSON plaintext is exactly 256 bytes, so that no padding is added."""
    overhead = len(crypto.padded("Ann", "", TS).rstrip(b" "))
    return "x" * (256 - overhead)


MESSAGES: list[dict[str, Any]] = [
    {"id": "ascii", "n": 0, "message": {"a": "Ann", "t": "<p>Hello, <strong>world</strong></p>", "ts": TS}},
    {
        "id": "non-ascii and every escape JSON makes",
        "n": 1,
        "message": {
            "a": "Zoë 🔑",
            "t": '<p>"q" \\ back\nslash\t\u0001\u007f \u2028 🎉 é 密 </script></p>',
            "ts": TS + 1,
        },
    },
    {
        "id": "a lone surrogate, escaped as JSON.stringify does",
        "n": 2,
        "message": {"a": "Ann", "t": "x\ud800y", "ts": TS},
    },
    {"id": "exactly 256 bytes of JSON: no padding", "n": 3, "message": {"a": "Ann", "t": exact_block_text(), "ts": TS}},
    {
        "id": "257 bytes of JSON: padded to 512",
        "n": 4,
        "message": {"a": "Ann", "t": exact_block_text() + "x", "ts": TS},
    },
    {"id": "the largest counter", "n": 2**53 - 1, "message": {"a": "Ann", "t": "<p>late</p>", "ts": -1}},
    {
        # The longest alias, and 4000 characters that JSON spells with six bytes each (\u0001).
        "id": "the largest message",
        "n": 5,
        "message": {"a": "🔑" * 32, "t": "\u0001" * 4000, "ts": TS},
    },
]
SID = fixed("sid", 8)
# Message ids as the server makes them (9 random bytes as URL-safe base64); an edit is bound to one.
MESSAGE_ID = "Zx8kLm2Qp4Rt"
OTHER_MESSAGE_ID = "Zx8kLm2Qp4Ru"
EDITS: list[dict[str, Any]] = [
    # n continues the sequence of MESSAGES' page load (SID): messages and edits share one counter.
    {
        "id": "ascii",
        "message_id": MESSAGE_ID,
        "n": 6,
        "message": {"a": "Ann", "t": "<p>Hello, <em>all</em></p>", "ts": TS + 60_000},
    },
    {
        "id": "non-ascii text",
        "message_id": OTHER_MESSAGE_ID,
        "n": 7,
        "message": {"a": "Zoë 🔑", "t": '<p>"fixed" \\ é 密 🎉 \u2028</p>', "ts": TS + 61_000},
    },
    {
        "id": "an empty text, and the largest counter",
        "message_id": MESSAGE_ID,
        "n": 2**53 - 1,
        "message": {"a": "Ann", "t": "", "ts": TS},
    },
]
