"""The session cookie's room bindings: room id -> binding token, several per browser."""

from __future__ import annotations

from flask import session

from .errors import TooManyRooms
from .rooms import Binding, RoomStore

SESSION_KEY = "rooms"
# A cookie must stay under 4 KB (16 bindings take about 1.2 KB); a browser seldom
# needs more live rooms than this. A create or join past it is refused.
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


def _live(registry: RoomStore, but: str | None) -> list[list[str]]:
    """The cookie's bindings that still open their room, other than `but`'s."""
    return [
        [room_id, token]
        for room_id, token in _pairs()
        if room_id != but and registry.authenticate(room_id, token) is not None
    ]


def make_room_for(room_id: str | None, registry: RoomStore) -> None:
    """Before a create (`room_id` None) or a join, and before its bcrypt: refuse a room past the cookie's cap.

    Pushing the oldest binding out instead would leave its seat and alias taken
    with nobody able to log out of it (`docs/decisions.md`).
    """
    if len(_live(registry, room_id)) >= MAX_BINDINGS:
        raise TooManyRooms(f"This browser is in {MAX_BINDINGS} rooms, as many as it can hold. Leave one first.")


def remember(binding: Binding, registry: RoomStore) -> None:
    """Add a binding, dropping dead ones (logged out, purged, expired); a live one is never dropped."""
    live = _live(registry, binding.room_id)
    live.append([binding.room_id, binding.token])
    session[SESSION_KEY] = live
