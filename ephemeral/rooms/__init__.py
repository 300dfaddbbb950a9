"""Rooms: the model, the store contract, and its two stores. No Flask, no Socket.IO here.

The Redis store is imported only by deployments that name a Redis server.
"""

from __future__ import annotations

from .memory import MemoryRegistry
from .model import (
    E2E,
    HOST,
    MEMBER,
    MODES,
    STANDARD,
    Binding,
    Closure,
    Departure,
    Door,
    Kdf,
    Notices,
    Participant,
    PresenceChange,
    Sealed,
    Seat,
    Speaker,
    looks_like_room_id,
)
from .store import Hasher, RoomStore

__all__ = [
    "E2E",
    "HOST",
    "MEMBER",
    "MODES",
    "STANDARD",
    "Binding",
    "Closure",
    "Departure",
    "Door",
    "Hasher",
    "Kdf",
    "MemoryRegistry",
    "Notices",
    "Participant",
    "PresenceChange",
    "RoomStore",
    "Sealed",
    "Seat",
    "Speaker",
    "looks_like_room_id",
]
