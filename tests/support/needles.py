"""What to look for to prove a secret is not somewhere: the spellings it may take in memory, on a wire, in a log."""

from __future__ import annotations

import base64

ENCODINGS = ("utf-8", "utf-16-le", "utf-32-le")


def spelled(label: str, text: str) -> dict[str, bytes]:
    """`text` as UTF-8, UTF-16-LE and UTF-32-LE: how a string may sit in memory (Python's str uses all three)."""
    return {f"{label} ({encoding})": text.encode(encoding) for encoding in ENCODINGS}


def encoded(label: str, text: str) -> dict[str, bytes]:
    """`text` as UTF-8 inside any base64 or base64url, at each of the three alignments it may have there.

    A ciphertext that was not encrypted would hold its plaintext so: only the
    characters that depend on `text` alone are kept (its whole 3-byte groups).
    """
    data = text.encode("utf-8")
    found = {}
    for shift in range(3):
        groups = bytes(shift) + data
        body = base64.b64encode(groups[: len(groups) // 3 * 3])[4 if shift else 0 :]
        found[f"{label} (base64, shift {shift})"] = body
        found[f"{label} (base64url, shift {shift})"] = body.replace(b"+", b"-").replace(b"/", b"_")
    return found


def hidden(label: str, text: str) -> dict[str, bytes]:
    """Every spelling above: what a server that must not read `text` must not hold in any of them."""
    return {**spelled(label, text), **encoded(label, text)}


def found_in(haystack: bytes, needles: dict[str, bytes]) -> list[str]:
    """The labels of the needles in `haystack`, sorted."""
    return sorted(label for label, needle in needles.items() if needle in haystack)
