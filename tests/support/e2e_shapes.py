"""Server-blind payloads of the right shapes, of random bytes: the server opens none of them, so none need be real."""

from __future__ import annotations

import secrets
from typing import Any

from ephemeral.rooms import Kdf, Sealed


def b64url(size: int) -> str:
    """`size` random bytes as base64url without padding."""
    return secrets.token_urlsafe(size)


def kdf(**changes: Any) -> dict[str, Any]:
    return {"alg": "pbkdf2-sha256", "iter": 600_000, "salt": b64url(16), **changes}


def sealed() -> Sealed:
    """What a store keeps of a server-blind room: key parameters and a sealed 9-byte name."""
    return Sealed(Kdf(**kdf()), b64url(12 + 9 + 16))


def create_body(alias: str = "ann", **changes: Any) -> dict[str, Any]:
    """`POST /api/rooms` for a server-blind room; a change of None leaves that field out."""
    body = {"alias": alias, "mode": "e2e", "kdf": kdf(), "verifier": b64url(32), "name_ct": b64url(12 + 9 + 16)}
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def envelope(blocks: int = 1, **changes: Any) -> dict[str, Any]:
    """A message envelope whose ciphertext is `blocks` padded blocks of 256 bytes and a tag."""
    return {"v": 1, "sid": b64url(8), "n": 0, "iv": b64url(12), "ct": b64url(256 * blocks + 16), **changes}
