"""The session cookie's room bindings: room id -> binding token, several per browser."""

from __future__ import annotations

from flask import session

from .rooms import Binding, RoomStore

SESSION_KEY = "rooms"
# A cookie must stay under 4 KB; a browser seldom needs more live rooms than this.
MAX_BINDINGS = 16


def _pairs() -> list[list[str]]:
    stored = session.get(SESSION_KEY)
    if not isinstance(stored, list):
        return []
    return [
        pair for pair in stored if isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
    ]


def token_for(room_id: str) -> str | None:
    for stored_room, token in _pairs():
        if stored_room == room_id:
            return token
    return None


def remember(binding: Binding, registry: RoomStore) -> None:
    """Add a binding, dropping dead ones (logged out, purged, expired) and the oldest past the cap."""
    live = [
        [room_id, token]
        for room_id, token in _pairs()
        if room_id != binding.room_id and registry.authenticate(room_id, token) is not None
    ]
    live.append([binding.room_id, binding.token])
    session[SESSION_KEY] = live[-MAX_BINDINGS:]
