"""Rooms, participants and the in-memory registry. No Flask and no Socket.IO here.

Every check-then-act on room state happens inside one critical section that never
yields (no hashing, no I/O, no emit). Methods return what the caller must tell
clients; the caller emits after the lock is released.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from . import fields
from .errors import AliasTaken, Capacity, NotFound, RoomFull, Unauthorized, WrongPassword

Clock = Callable[[], float]

ROOM_ID_BYTES = 16  # 128 bits
TOKEN_BYTES = 32
_ROOM_ID_SHAPE = re.compile(r"[A-Za-z0-9_-]{22}")


class Hasher(Protocol):
    def hash(self, password: str) -> bytes: ...
    def verify(self, password: str, hashed: bytes) -> bool: ...


@dataclass(frozen=True, slots=True)
class Binding:
    """A participant's proof of membership, returned by create and join."""

    room_id: str
    token: str
    name: str
    alias: str
    expires_at: float  # wall-clock seconds, for clients


@dataclass(frozen=True, slots=True)
class Seat:
    """What a newly attached socket learns, and whether presence changed."""

    room_id: str
    name: str
    alias: str
    expires_at: float
    participants: list[str]
    presence_changed: bool


@dataclass(frozen=True, slots=True)
class Speaker:
    room_id: str
    token: str
    alias: str


@dataclass(frozen=True, slots=True)
class PresenceChange:
    room_id: str
    participants: list[str]


@dataclass(frozen=True, slots=True)
class Departure:
    """A logout: these sockets must be closed; presence may have changed."""

    sids: list[str]
    presence: PresenceChange | None


@dataclass(frozen=True, slots=True)
class Closure:
    """A room that is gone: tell its sockets why, then close them (on every process)."""

    room_id: str
    reason: str  # "purged" | "expired" | "shutdown"
    by: str | None


@dataclass(slots=True)
class Participant:
    alias: str
    token: str
    sids: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Room:
    room_id: str
    name: str
    password_hash: bytes
    expires_mono: float
    expires_at: float
    participants: dict[str, Participant] = field(default_factory=dict)  # by token
    alias_keys: set[str] = field(default_factory=set)

    def connected_aliases(self) -> list[str]:
        return sorted((p.alias for p in self.participants.values() if p.sids), key=fields.alias_key)

    def all_sids(self) -> list[str]:
        return [sid for p in self.participants.values() for sid in p.sids]


def looks_like_room_id(value: str) -> bool:
    return bool(_ROOM_ID_SHAPE.fullmatch(value))


class RoomStore(Protocol):
    """The interface handlers use; a shared (Redis) store can stand in for memory."""

    def create(self, name: object, alias: object, password: object) -> Binding: ...
    def join(self, room_id: str, alias: object, password: object) -> Binding: ...
    def exists(self, room_id: str) -> bool: ...
    def authenticate(self, room_id: str, token: str) -> Binding | None: ...
    def attach(self, room_id: str, token: str, sid: str) -> Seat: ...
    def detach(self, sid: str) -> PresenceChange | None: ...
    def speaker(self, sid: str) -> Speaker | None: ...
    def presence(self, room_id: str) -> list[str]: ...
    def logout(self, sid: str) -> Departure | None: ...
    def purge(self, sid: str) -> Closure | None: ...
    def expire_due(self) -> list[Closure]: ...
    def close_all(self, reason: str) -> list[Closure]: ...
    def leave(self) -> list[PresenceChange]: ...
    def tend(self) -> list[PresenceChange]: ...
    def live_rooms(self) -> int: ...


class MemoryRegistry:
    """All rooms of this process, in memory only. Nothing here is ever written out."""

    def __init__(
        self,
        hasher: Hasher,
        *,
        ttl: float,
        max_rooms: int,
        max_participants: int,
        clock: Clock = time.monotonic,
        wall: Clock = time.time,
    ) -> None:
        self._hasher = hasher
        self._ttl = ttl
        self._max_rooms = max_rooms
        self._max_participants = max_participants
        self._clock = clock
        self._wall = wall
        self._rooms: dict[str, Room] = {}
        self._sockets: dict[str, tuple[str, str]] = {}  # sid -> (room_id, token)
        self._lock = threading.Lock()

    # -- joining ------------------------------------------------------------

    def create(self, name: object, alias: object, password: object) -> Binding:
        """Make a room and seat its creator. Hashing happens outside the lock."""
        clean_name, clean_alias = fields.room_name(name), fields.alias(alias)
        clean_password = fields.password(password)
        with self._lock:
            self._check_capacity()
        hashed = self._hasher.hash(clean_password)
        with self._lock:
            self._check_capacity()  # others may have filled the last slot meanwhile
            room_id = secrets.token_urlsafe(ROOM_ID_BYTES)
            room = Room(
                room_id=room_id,
                name=clean_name,
                password_hash=hashed,
                expires_mono=self._clock() + self._ttl,
                expires_at=self._wall() + self._ttl,
            )
            self._rooms[room_id] = room
            return self._seat(room, clean_alias)

    def join(self, room_id: str, alias: object, password: object) -> Binding:
        """Check the password off the lock, then take a seat under it."""
        clean_alias, clean_password = fields.alias(alias), fields.password(password)
        with self._lock:
            hashed = self._live_room(room_id).password_hash
        if not self._hasher.verify(clean_password, hashed):
            raise WrongPassword()
        with self._lock:
            room = self._live_room(room_id)  # it may have died while we hashed
            if len(room.participants) >= self._max_participants:
                raise RoomFull()
            if fields.alias_key(clean_alias) in room.alias_keys:
                raise AliasTaken()
            return self._seat(room, clean_alias)

    def exists(self, room_id: str) -> bool:
        with self._lock:
            return self._find(room_id) is not None

    def authenticate(self, room_id: str, token: str) -> Binding | None:
        with self._lock:
            room = self._find(room_id)
            participant = room.participants.get(token) if room else None
            if room is None or participant is None:
                return None
            return self._binding(room, participant)

    # -- sockets and presence ------------------------------------------------

    def attach(self, room_id: str, token: str, sid: str) -> Seat:
        """A socket connects with a binding; it belongs to this room for life."""
        with self._lock:
            room = self._find(room_id)
            participant = room.participants.get(token) if room else None
            if room is None or participant is None:
                raise Unauthorized()
            was_connected = bool(participant.sids)
            participant.sids.add(sid)
            self._sockets[sid] = (room_id, token)
            return Seat(
                room_id=room_id,
                name=room.name,
                alias=participant.alias,
                expires_at=room.expires_at,
                participants=room.connected_aliases(),
                presence_changed=not was_connected,
            )

    def detach(self, sid: str) -> PresenceChange | None:
        """A socket went away; returns the new presence if the visible set changed."""
        with self._lock:
            entry = self._sockets.pop(sid, None)
            if entry is None:
                return None
            room = self._rooms.get(entry[0])
            participant = room.participants.get(entry[1]) if room else None
            if room is None or participant is None:
                return None
            participant.sids.discard(sid)
            if participant.sids:
                return None
            return PresenceChange(room.room_id, room.connected_aliases())

    def speaker(self, sid: str) -> Speaker | None:
        with self._lock:
            found = self._participant_of(sid)
            if found is None:
                return None
            room, participant = found
            return Speaker(room.room_id, participant.token, participant.alias)

    def presence(self, room_id: str) -> list[str]:
        with self._lock:
            room = self._find(room_id)
            return room.connected_aliases() if room else []

    # -- leaving ---------------------------------------------------------------

    def logout(self, sid: str) -> Departure | None:
        """Destroy the binding behind this socket; its alias is free again."""
        with self._lock:
            found = self._participant_of(sid)
            if found is None:
                return None
            room, participant = found
            del room.participants[participant.token]
            room.alias_keys.discard(fields.alias_key(participant.alias))
            for gone in participant.sids:
                self._sockets.pop(gone, None)
            presence = PresenceChange(room.room_id, room.connected_aliases()) if participant.sids else None
            return Departure(sorted(participant.sids), presence)

    def purge(self, sid: str) -> Closure | None:
        """Destroy the room of this socket and every binding to it."""
        with self._lock:
            found = self._participant_of(sid)
            if found is None:
                return None
            room, participant = found
            return self._close(room, "purged", participant.alias)

    def expire_due(self) -> list[Closure]:
        """Called by the reaper: close every room whose time is up."""
        now = self._clock()
        with self._lock:
            due = [room for room in self._rooms.values() if room.expires_mono <= now]
            return [self._close(room, "expired", None) for room in due]

    def close_all(self, reason: str) -> list[Closure]:
        with self._lock:
            return [self._close(room, reason, None) for room in list(self._rooms.values())]

    def leave(self) -> list[PresenceChange]:
        """This process stops; with rooms in memory, `close_all` already closed them."""
        return []

    def tend(self) -> list[PresenceChange]:
        """Nothing to tend: no other process shares these rooms."""
        return []

    def live_rooms(self) -> int:
        with self._lock:
            return len(self._rooms)

    # -- helpers; callers hold the lock ----------------------------------------

    def _check_capacity(self) -> None:
        if len(self._rooms) < self._max_rooms:
            return
        # Rooms past their time but not yet reaped do not count.
        now = self._clock()
        if sum(room.expires_mono > now for room in self._rooms.values()) >= self._max_rooms:
            raise Capacity()

    def _find(self, room_id: str) -> Room | None:
        """A room that is past its time is already gone for every caller."""
        room = self._rooms.get(room_id)
        if room is None or room.expires_mono <= self._clock():
            return None
        return room

    def _live_room(self, room_id: str) -> Room:
        room = self._find(room_id)
        if room is None:
            raise NotFound()
        return room

    def _participant_of(self, sid: str) -> tuple[Room, Participant] | None:
        entry = self._sockets.get(sid)
        if entry is None:
            return None
        room = self._find(entry[0])
        participant = room.participants.get(entry[1]) if room else None
        if room is None or participant is None:
            return None
        return room, participant

    def _seat(self, room: Room, alias: str) -> Binding:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        participant = Participant(alias=alias, token=token)
        room.participants[token] = participant
        room.alias_keys.add(fields.alias_key(alias))
        return self._binding(room, participant)

    def _binding(self, room: Room, participant: Participant) -> Binding:
        return Binding(room.room_id, participant.token, room.name, participant.alias, room.expires_at)

    def _close(self, room: Room, reason: str, by: str | None) -> Closure:
        del self._rooms[room.room_id]
        for sid in room.all_sids():
            self._sockets.pop(sid, None)
        return Closure(room.room_id, reason, by)
