"""History from peers (docs/protocol.md), in a room that chose it: the one page chosen hands a newcomer what
it shows, and a newcomer takes one `history`, from the member it expects, soon after its welcome. The same
rules as the web client's (static/js/chat/history.js), so terminals and browsers share with each other."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["ACCEPT_SECONDS", "HISTORY_MAX", "history_of", "sharer_for"]

HISTORY_MAX = 50
ACCEPT_SECONDS = 60.0
# What one `share_history` may carry: under the smallest Socket.IO frame the server takes (44,752 bytes).
MAX_BYTES = 40_000
HOST = "host"


def sharer_for(participants: list[dict[str, Any]], newcomer: str) -> str | None:
    """Who hands `newcomer` history: of the others, a host first, then the lowest participant id."""
    others = [p for p in participants if isinstance(p.get("id"), str) and p["id"] and p["id"] != newcomer]
    others.sort(key=lambda p: (p.get("role") != HOST, p["id"]))
    return others[0]["id"] if others else None


def history_of(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of the shareable `items` (oldest first), the newest HISTORY_MAX that fit one frame, oldest first."""
    chosen: list[dict[str, Any]] = []
    size = 0
    for item in reversed(items[-HISTORY_MAX:]):
        size += len(json.dumps(item, ensure_ascii=False).encode()) + 1
        if size > MAX_BYTES:
            break
        chosen.append(item)
    return chosen[::-1]
