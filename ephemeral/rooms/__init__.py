"""Rooms: the model, the store contract, and its two stores. No Flask, no Socket.IO here.

The Redis store is imported only by deployments that name a Redis server.
"""

from __future__ import annotations

from .memory import MemoryRegistry
from .model import (
    HOST,
    MEMBER,
    Binding,
    Closure,
    Departure,
    Notices,
    Participant,
    PresenceChange,
    Seat,
    Speaker,
    looks_like_room_id,
)
from .store import Hasher, RoomStore

__all__ = [
    "HOST",
    "MEMBER",
    "Binding",
    "Closure",
    "Departure",
    "Hasher",
    "MemoryRegistry",
    "Notices",
    "Participant",
    "PresenceChange",
    "RoomStore",
    "Seat",
    "Speaker",
    "looks_like_room_id",
]
