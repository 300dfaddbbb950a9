"""Text from the room made inert for a terminal: nothing a peer or the server sends may drive it."""

from __future__ import annotations

import re

__all__ = ["inert", "inert_line"]

# C0 but the line feed, DEL, C1 (0x80-0x9f: \x9b alone starts a CSI on some terminals), the bidi embeddings,
# overrides and isolates, the directional marks, and the line and paragraph separators. Any of them could move
# the cursor, set the title, reach the clipboard (OSC 52), ring the bell or make text read other than it is.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_OR_NEWLINE = re.compile(_UNSAFE.pattern[:-1] + "\n]")


def inert(text: str) -> str:
    """`text` with every control and direction-changing character removed; line feeds stay."""
    return _UNSAFE.sub("", text)


def inert_line(text: str) -> str:
    """As `inert`, for what must stay on one line (aliases, room names, link targets): line feeds go too."""
    return _UNSAFE_OR_NEWLINE.sub("", text)
