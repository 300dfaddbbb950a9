"""Server-blind rooms: the shapes of what their clients send. No cryptography: the server cannot open any of it.

Every binary value is base64url without padding, strict: only `A-Za-z0-9_-`, and
canonical (decoding and encoding again gives the same text), so one value has one
spelling. The sizes are those of the v1 scheme (issue 16, `docs/protocol.md`).
"""

from __future__ import annotations

import base64
import re
from typing import Any

from . import fields
from .errors import Invalid, TooLarge
from .rooms import Kdf, Sealed

ALG = "pbkdf2-sha256"
ITER_MIN, ITER_MAX = 600_000, 2_000_000
SALT_BYTES = 16
VERIFIER_BYTES = 32
IV_BYTES = 12
TAG_BYTES = 16
SID_BYTES = 8
VERSION = 1
N_MAX = 2**53 - 1  # the largest integer every JSON reader keeps exactly
# Plaintexts are padded to a multiple of this, so a ciphertext's size says little about its message.
PAD_BYTES = 256
MAX_CT_BYTES = 32 * 1024
# A name of ROOM_NAME_MAX characters takes at most four UTF-8 bytes each.
NAME_CT_MIN = IV_BYTES + TAG_BYTES
NAME_CT_MAX = IV_BYTES + TAG_BYTES + 4 * fields.ROOM_NAME_MAX
ENVELOPE_KEYS = frozenset({"v", "sid", "n", "iv", "ct"})
KDF_KEYS = frozenset({"alg", "iter", "salt"})

_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


def chars_for(size: int) -> int:
    """How many base64url characters `size` bytes take without padding."""
    return (size * 4 + 2) // 3


# The longest envelope as a Socket.IO frame: its ciphertext's text, the rest with room to spare.
MAX_FRAME_BYTES = chars_for(MAX_CT_BYTES) + 1024


def b64url(value: object, label: str) -> bytes:
    """The bytes of strict base64url text; anything else is `invalid`."""
    if not isinstance(value, str) or not _ALPHABET.fullmatch(value) or len(value) % 4 == 1:
        raise Invalid(f"{label} must be base64url without padding.")
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != value:
        raise Invalid(f"{label} must be base64url without padding.")  # stray bits in the last character
    return raw


def _sized(value: object, label: str, size: int) -> str:
    if len(b64url(value, label)) != size:
        raise Invalid(f"{label} must be {size} bytes.")
    return str(value)


def _integer(value: object) -> int | None:
    """A JSON integer; `true`, `1.0` and numbers as text are not."""
    return value if type(value) is int else None


def _exact(value: object, keys: frozenset[str], label: str) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != keys:
        raise Invalid(f"{label} must be an object with exactly {', '.join(sorted(keys))}.")
    return value


def kdf(value: object) -> Kdf:
    """`{"alg": "pbkdf2-sha256", "iter": 600000..2000000, "salt": 16 bytes}`: how clients derive the room's keys."""
    found = _exact(value, KDF_KEYS, "kdf")
    if found["alg"] != ALG:
        raise Invalid(f"kdf.alg must be {ALG}.")
    rounds = _integer(found["iter"])
    if rounds is None or not ITER_MIN <= rounds <= ITER_MAX:
        raise Invalid(f"kdf.iter must be an integer from {ITER_MIN} to {ITER_MAX}.")
    return Kdf(ALG, rounds, _sized(found["salt"], "kdf.salt", SALT_BYTES))


def verifier(value: object) -> str:
    """What a server-blind room's clients send instead of the password (32 bytes); hashed like a password."""
    return _sized(value, "verifier", VERIFIER_BYTES)


def name_ct(value: object) -> str:
    """The room's name encrypted: an iv, the ciphertext, a tag; no longer than the longest name makes."""
    size = len(b64url(value, "name_ct"))
    if not NAME_CT_MIN <= size <= NAME_CT_MAX:
        raise Invalid(f"name_ct must be {NAME_CT_MIN} to {NAME_CT_MAX} bytes.")
    return str(value)


def sealed(kdf_value: object, name_ct_value: object) -> Sealed:
    """What a server-blind room keeps instead of its name."""
    return Sealed(kdf(kdf_value), name_ct(name_ct_value))


def envelope(value: object) -> dict[str, Any]:
    """A message of a server-blind room, `{"v": 1, "sid", "n", "iv", "ct"}`, checked and rebuilt as it was sent.

    `ct` is the padded plaintext's ciphertext and tag: a multiple of 256 bytes
    plus 16, at most 32 KiB (`too_large` beyond).
    """
    found = _exact(value, ENVELOPE_KEYS, "e2e")
    if _integer(found["v"]) != VERSION:
        raise Invalid(f"e2e.v must be {VERSION}.")
    counter = _integer(found["n"])
    if counter is None or not 0 <= counter <= N_MAX:
        raise Invalid("e2e.n must be an integer from 0 to 2^53 - 1.")
    sid, iv, ct = found["sid"], found["iv"], found["ct"]
    _sized(sid, "e2e.sid", SID_BYTES)
    _sized(iv, "e2e.iv", IV_BYTES)
    if isinstance(ct, str) and len(ct) > chars_for(MAX_CT_BYTES):
        raise TooLarge(f"An encrypted message can be at most {MAX_CT_BYTES} bytes.")
    size = len(b64url(ct, "e2e.ct"))
    if size > MAX_CT_BYTES:
        raise TooLarge(f"An encrypted message can be at most {MAX_CT_BYTES} bytes.")
    if size < PAD_BYTES + TAG_BYTES or (size - TAG_BYTES) % PAD_BYTES:
        raise Invalid(f"e2e.ct must be a multiple of {PAD_BYTES} bytes and a {TAG_BYTES}-byte tag.")
    return {"v": VERSION, "sid": sid, "n": counter, "iv": iv, "ct": ct}
