"""Server-blind rooms, v1, in Python: the mirror of static/js/e2e/crypto.js, held to the same answers by
tests/vectors/e2e-v1.json. For the tests and the terminal client; the server never imports it."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import secrets
import struct
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ITER_MIN = 600_000
ITER_MAX = 2_000_000
SALT_BYTES = 16
LINK_SECRET_BYTES = 32
SID_BYTES = 8
IV_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
# Plaintexts are padded with spaces to a multiple of this, so sizes show only to that grain.
PAD_BYTES = 256
# `ct` (plaintext and tag) may be at most 32 KiB: the largest padded plaintext is 127 blocks.
MAX_PLAINTEXT_BYTES = (32 * 1024 - TAG_BYTES) // PAD_BYTES * PAD_BYTES
MAX_SAFE_INTEGER = 2**53 - 1

VERIFIER_INFO = b"ephemeral/e2e/v1/verifier"
MESSAGE_INFO = b"ephemeral/e2e/v1/message"
MESSAGE_LABEL = "ephemeral/e2e/v1/msg"
EDIT_LABEL = "ephemeral/e2e/v1/edit"
NAME_LABEL = "ephemeral/e2e/v1/name"

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_SURROGATE = re.compile("[\ud800-\udfff]")


class CryptoError(ValueError):
    """Raised for every refusal: bad input, a wrong key, an altered envelope, a plaintext that is not a message."""


@dataclass(frozen=True, slots=True)
class Keys:
    verifier: str
    message_key: bytes = field(repr=False)


def b64url_encode(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: object) -> bytes:
    """Strict base64url: no padding, no `+`, `/` or whitespace, and unused trailing bits zero."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise CryptoError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url_encode(data) != text:
        raise CryptoError("base64url with stray trailing bits")
    return data


def new_link_secret() -> bytes:
    return secrets.token_bytes(LINK_SECRET_BYTES)


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def new_sid() -> bytes:
    return secrets.token_bytes(SID_BYTES)


def _bytes_of(value: object, length: int, label: str) -> bytes:
    """`value` as exactly `length` bytes: bytes, or their base64url."""
    data = b64url_decode(value) if isinstance(value, str) else value
    if not isinstance(data, bytes) or len(data) != length:
        raise CryptoError(f"{label} must be {length} bytes")
    return data


def _as_javascript(text: str) -> str:
    """Text as JavaScript holds it: a surrogate pair split over two code points becomes one; a lone one stays."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def well_formed(text: object, label: str) -> str:
    """Text that UTF-8 can carry as it is: no lone surrogate (TextEncoder would silently replace it)."""
    if not isinstance(text, str):
        raise CryptoError(f"{label} must be text")
    joined = _as_javascript(text)
    if _SURROGATE.search(joined):
        raise CryptoError(f"{label} must be well-formed text")
    return joined


def framed(*fields: str | bytes) -> bytes:
    """LP(x) ‖ LP(y) ‖ …, LP(x) = u32be(len(x)) ‖ x; strings as UTF-8."""
    out = bytearray()
    for item in fields:
        data = item.encode("utf-8") if isinstance(item, str) else item
        out += struct.pack(">I", len(data)) + data
    return bytes(out)


def _safe_integer(value: object) -> int | None:
    """`value` if JavaScript's Number.isSafeInteger accepts it (1.0 is 1 there), else None."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_SAFE_INTEGER:
        return value
    return None


def _counter(value: object) -> int:
    n = _safe_integer(value)
    if n is None or n < 0:
        raise CryptoError("n must be an integer 0 to 2^53-1")
    return n


def message_aad(room_id: object, sender: object, sid: bytes, n: int) -> bytes:
    """The AAD of a message: the room, the sender's participant id, the page-load id and the counter."""
    room = well_formed(room_id, "room id")
    who = well_formed(sender, "from")
    return framed(MESSAGE_LABEL, room, who, sid, struct.pack(">Q", n))


def edit_aad(room_id: object, sender: object, message_id: object, sid: bytes, n: int) -> bytes:
    """The AAD of an edit: as a message's, under its own label, with the id of the message it changes."""
    room = well_formed(room_id, "room id")
    who = well_formed(sender, "from")
    original = well_formed(message_id, "message id")
    return framed(EDIT_LABEL, room, who, original, sid, struct.pack(">Q", n))


def name_aad(salt: bytes) -> bytes:
    return framed(NAME_LABEL, salt)


def derive_keys(password: str, salt: bytes | str, iter: int, link_secret: bytes | str) -> Keys:
    """The verifier (sent instead of the password) and the raw message key, as deriveKeys in crypto.js."""
    secret = unicodedata.normalize("NFC", well_formed(password, "password")).encode("utf-8")
    if not secret:
        raise CryptoError("the password must not be empty")
    salt_bytes = _bytes_of(salt, SALT_BYTES, "salt")
    link = _bytes_of(link_secret, LINK_SECRET_BYTES, "link secret")
    if not isinstance(iter, int) or isinstance(iter, bool) or not ITER_MIN <= iter <= ITER_MAX:
        raise CryptoError(f"iter must be {ITER_MIN} to {ITER_MAX}")
    k0 = hashlib.pbkdf2_hmac("sha256", secret, salt_bytes, iter, KEY_BYTES)

    def hkdf(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=link, info=info).derive(k0)

    return Keys(verifier=b64url_encode(hkdf(VERIFIER_INFO)), message_key=hkdf(MESSAGE_INFO))


def _json_text(message: dict[str, Any]) -> str:
    """JSON.stringify's spelling: no spaces, UTF-8 as is, a lone surrogate escaped in lower-case hex."""
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def padded(a: object, t: object, ts: object) -> bytes:
    """`{"a","t","ts"}` as JSON in UTF-8, padded with spaces to the next multiple of 256 (a multiple stays)."""
    if not isinstance(a, str) or not isinstance(t, str):
        raise CryptoError("a and t must be text")
    millis = _safe_integer(ts)
    if millis is None:
        raise CryptoError("ts must be an integer of milliseconds")
    data = _json_text({"a": _as_javascript(a), "t": _as_javascript(t), "ts": millis}).encode("utf-8")
    size = math.ceil(len(data) / PAD_BYTES) * PAD_BYTES
    if size > MAX_PLAINTEXT_BYTES:
        raise CryptoError("the message is too large to seal")
    return data.ljust(size, b" ")


def _seal(
    message_key: bytes, aad: bytes, sid: bytes, n: int, message: dict[str, Any], iv: bytes | None
) -> dict[str, Any]:
    nonce = secrets.token_bytes(IV_BYTES) if iv is None else _bytes_of(iv, IV_BYTES, "iv")
    plaintext = padded(message.get("a"), message.get("t"), message.get("ts"))
    ct = AESGCM(message_key).encrypt(nonce, plaintext, aad)
    return {"v": 1, "sid": b64url_encode(sid), "n": n, "iv": b64url_encode(nonce), "ct": b64url_encode(ct)}


def seal_message(
    message_key: bytes,
    room_id: str,
    sender: str,
    sid: bytes | str,
    n: int,
    message: dict[str, Any],
    *,
    iv: bytes | None = None,
) -> dict[str, Any]:
    """The envelope `{"v": 1, "sid", "n", "iv", "ct"}`; `iv` is given only to reproduce the interop vectors."""
    sid_bytes = _bytes_of(sid, SID_BYTES, "sid")
    counter = _counter(n)
    return _seal(message_key, message_aad(room_id, sender, sid_bytes, counter), sid_bytes, counter, message, iv)


def seal_edit(
    message_key: bytes,
    room_id: str,
    sender: str,
    message_id: str,
    sid: bytes | str,
    n: int,
    message: dict[str, Any],
    *,
    iv: bytes | None = None,
) -> dict[str, Any]:
    """The envelope of the new text of message `message_id`, as `seal_message` makes one, bound to that id.

    `n` continues the sender's page-load counter, which its messages and edits share.
    """
    sid_bytes = _bytes_of(sid, SID_BYTES, "sid")
    counter = _counter(n)
    aad = edit_aad(room_id, sender, message_id, sid_bytes, counter)
    return _seal(message_key, aad, sid_bytes, counter, message, iv)


def refuse_constant(name: str) -> None:
    raise CryptoError(f"{name} is not JSON")


def parsed_message(plaintext: bytes) -> dict[str, Any]:
    """`{"a", "t", "ts"}` from a padded plaintext, refused unless JSON.parse and the same checks accept it."""
    if not plaintext or len(plaintext) % PAD_BYTES:
        raise CryptoError("plaintext not padded")
    value = json.loads(plaintext.decode("utf-8"), parse_constant=refuse_constant)
    if not isinstance(value, dict):
        raise CryptoError("not an object")
    a, t, ts = value.get("a"), value.get("t"), value.get("ts")
    number = isinstance(ts, int | float) and not isinstance(ts, bool) and math.isfinite(ts)
    if not isinstance(a, str) or not isinstance(t, str) or not number:
        raise CryptoError("not a message")
    return {"a": a, "t": t, "ts": ts}


def _open(message_key: bytes, envelope: object, aad_for: Callable[[bytes, int], bytes]) -> dict[str, Any]:
    try:
        if not isinstance(envelope, dict) or _safe_integer(envelope.get("v")) != 1:
            raise CryptoError("unknown envelope")
        ct = b64url_decode(envelope.get("ct"))
        sid = _bytes_of(envelope.get("sid"), SID_BYTES, "sid")
        aad = aad_for(sid, _counter(envelope.get("n")))
        nonce = _bytes_of(envelope.get("iv"), IV_BYTES, "iv")
        return parsed_message(AESGCM(message_key).decrypt(nonce, ct, aad))
    except (InvalidTag, ValueError, TypeError, RecursionError) as error:
        raise CryptoError("the message could not be opened") from error


def open_message(message_key: bytes, room_id: str, sender: str, envelope: object) -> dict[str, Any]:
    """`{"a", "t", "ts"}` from a relayed envelope, bound to this room and the sender the server named."""
    return _open(message_key, envelope, lambda sid, n: message_aad(room_id, sender, sid, n))


def open_edit(message_key: bytes, room_id: str, sender: str, message_id: str, envelope: object) -> dict[str, Any]:
    """The new `{"a", "t", "ts"}` of message `message_id` from a relayed edit, bound to that id, this room and
    the message's author; a message's envelope (or an edit of another message) is refused."""
    return _open(message_key, envelope, lambda sid, n: edit_aad(room_id, sender, message_id, sid, n))


def seal_name(message_key: bytes, salt: bytes | str, name: str, *, iv: bytes | None = None) -> str:
    """`name_ct`: base64url(iv ‖ ciphertext ‖ tag), bound to the room's salt."""
    aad = name_aad(_bytes_of(salt, SALT_BYTES, "salt"))
    nonce = secrets.token_bytes(IV_BYTES) if iv is None else _bytes_of(iv, IV_BYTES, "iv")
    data = well_formed(name, "name").encode("utf-8")
    return b64url_encode(nonce + AESGCM(message_key).encrypt(nonce, data, aad))


def open_name(message_key: bytes, salt: bytes | str, name_ct: str) -> str:
    """The room's name; refused on a wrong key (wrong password or link), salt or any altered bit."""
    try:
        aad = name_aad(_bytes_of(salt, SALT_BYTES, "salt"))
        data = b64url_decode(name_ct)
        if len(data) < IV_BYTES + TAG_BYTES:
            raise CryptoError("name_ct too short")
        return AESGCM(message_key).decrypt(data[:IV_BYTES], data[IV_BYTES:], aad).decode("utf-8")
    except (InvalidTag, ValueError, TypeError) as error:
        raise CryptoError("the name could not be opened") from error
