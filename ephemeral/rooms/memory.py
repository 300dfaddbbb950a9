"""All rooms of one process, in its memory only. Nothing here is ever written out.

Every check-then-act happens inside one critical section that never yields (no
hashing, no I/O, no emit). Methods return what the caller must tell clients;
the caller emits after the lock is released.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import aliases, fields
from ..connect_limit import CONNECTS_PER_BINDING, ConnectBucket
from ..errors import (
    AliasTaken,
    Capacity,
    NotFound,
    RoomFull,
    TooManyConnects,
    TooManySockets,
    Unauthorized,
    WrongPassword,
)
from ..ratelimit import Limit
from .model import (
    HOST,
    MEMBER,
    Binding,
    Closure,
    Departure,
    Door,
    Notices,
    Participant,
    PresenceChange,
    Sealed,
    Seat,
    Speaker,
    by_alias,
    mode_of,
    new_participant_id,
    new_room_id,
    new_token,
    stored_name,
)
from .store import Hasher

Clock = Callable[[], float]
# Spent proofs of work kept at most; past it the oldest (the nearest to expiring) go first.
MAX_SPENT_PROOFS = 100_000


@dataclass(slots=True)
class Member:
    """A binding to a room: who it is, the sockets of this process that carry it, how often it may connect."""

    you: Participant
    token: str
    connects: ConnectBucket
    sids: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Room:
    room_id: str
    name: str | None  # None in a server-blind room, which keeps `sealed` instead
    password_hash: bytes  # of the password, or of a server-blind room's verifier
    expires_mono: float
    expires_at: float
    sealed: Sealed | None = None
    members: dict[str, Member] = field(default_factory=dict)  # by token
    alias_keys: set[str] = field(default_factory=set)  # every member's look-alike keys; no two share one
    issued_ids: set[str] = field(default_factory=set)  # every participant id ever given out here

    def present(self) -> list[Participant]:
        return by_alias([m.you for m in self.members.values() if m.sids])

    def all_sids(self) -> list[str]:
        return [sid for m in self.members.values() for sid in m.sids]


class MemoryRegistry:
    """The `RoomStore` of a single process."""

    def __init__(
        self,
        hasher: Hasher,
        *,
        ttl: float,
        max_rooms: int,
        max_participants: int,
        max_sockets_per_binding: int,
        connect_limit: Limit = CONNECTS_PER_BINDING,
        clock: Clock = time.monotonic,
        wall: Clock = time.time,
    ) -> None:
        self._hasher = hasher
        self._ttl = ttl
        self._max_rooms = max_rooms
        self._max_participants = max_participants
        self._max_sockets = max_sockets_per_binding
        self._connect_limit = connect_limit
        self._clock = clock
        self._wall = wall
        self._rooms: dict[str, Room] = {}
        self._sockets: dict[str, tuple[str, str]] = {}  # sid -> (room_id, token)
        self._spent: OrderedDict[str, float] = OrderedDict()  # challenge id -> when it may be forgotten
        self._lock = threading.Lock()

    # -- joining ------------------------------------------------------------

    def create(self, name: object, alias: object, password: object, sealed: Sealed | None = None) -> Binding:
        clean_name, clean_alias = stored_name(name, sealed), fields.alias(alias)
        clean_password = fields.password(password)
        with self._lock:
            self._check_capacity()  # before paying for a hash
        hashed = self._hasher.hash(clean_password)
        with self._lock:
            self._check_capacity()  # others may have filled the last slot meanwhile
            room_id = new_room_id()
            ends = (self._clock() + self._ttl, self._wall() + self._ttl)  # expires_mono, expires_at
            room = Room(room_id, clean_name, hashed, *ends, sealed=sealed)
            self._rooms[room_id] = room
            return self._seat(room, clean_alias, HOST)

    def join(self, room_id: str, alias: object, password: object) -> Binding:
        clean_alias, clean_password = fields.alias(alias), fields.password(password)
        with self._lock:
            hashed = self._live_room(room_id).password_hash
        if not self._hasher.verify(clean_password, hashed):
            raise WrongPassword()
        with self._lock:
            room = self._live_room(room_id)  # it may have died while we hashed
            if len(room.members) >= self._max_participants:
                raise RoomFull()
            if not room.alias_keys.isdisjoint(aliases.lookalike_keys(clean_alias)):
                raise AliasTaken()
            return self._seat(room, clean_alias, MEMBER)

    def exists(self, room_id: str) -> bool:
        with self._lock:
            return self._find(room_id) is not None

    def door(self, room_id: str) -> Door | None:
        with self._lock:
            room = self._find(room_id)
            return Door.of(room.sealed.kdf if room.sealed else None) if room else None

    def authenticate(self, room_id: str, token: str) -> Binding | None:
        with self._lock:
            found = self._member(room_id, token)
            return self._binding(*found) if found else None

    # -- sockets and presence ------------------------------------------------

    def attach(self, room_id: str, token: str, sid: str) -> Seat:
        with self._lock:
            found = self._member(room_id, token)
            if found is None:
                raise Unauthorized()
            room, member = found
            if sid not in member.sids:
                wait = member.connects.take(self._connect_limit, self._clock())
                if wait:
                    raise TooManyConnects(retry_after=wait)
                if len(member.sids) >= self._max_sockets:
                    raise TooManySockets()
            was_connected = bool(member.sids)
            member.sids.add(sid)
            self._sockets[sid] = (room_id, token)
            present, first = room.present(), not was_connected
            return Seat(room_id, room.name, member.you, room.expires_at, present, first, room.sealed)

    def detach(self, sid: str) -> PresenceChange | None:
        with self._lock:
            entry = self._sockets.pop(sid, None)
            room = self._rooms.get(entry[0]) if entry else None
            member = room.members.get(entry[1]) if room and entry else None
            if room is None or member is None:
                return None
            member.sids.discard(sid)
            return None if member.sids else PresenceChange(room.room_id, room.present(), left=member.you.id)

    def speaker(self, sid: str) -> Speaker | None:
        with self._lock:
            found = self._member_of(sid)
            return Speaker(found[0].room_id, found[1].you, mode_of(found[0].sealed)) if found else None

    def presence(self, room_id: str) -> list[Participant]:
        with self._lock:
            room = self._find(room_id)
            return room.present() if room else []

    # -- leaving ---------------------------------------------------------------

    def logout(self, sid: str) -> Departure | None:
        with self._lock:
            found = self._member_of(sid)
            if found is None:
                return None
            room, member = found
            del room.members[member.token]
            room.alias_keys.difference_update(aliases.lookalike_keys(member.you.alias))
            for gone in member.sids:
                self._sockets.pop(gone, None)
            presence = PresenceChange(room.room_id, room.present()) if member.sids else None
            return Departure(sorted(member.sids), presence)

    def purge(self, sid: str) -> Closure | None:
        with self._lock:
            found = self._member_of(sid)
            return self._close(found[0], "purged", found[1].you) if found else None

    def upkeep(self) -> Notices:
        """Only expiry: no other process shares these rooms."""
        now = self._clock()
        with self._lock:
            due = [room for room in self._rooms.values() if room.expires_mono <= now]
            return Notices(closures=[self._close(room, "expired", None) for room in due])

    def shutdown(self) -> Notices:
        """Rooms in memory die with the process: every one closes with reason `shutdown`."""
        with self._lock:
            return Notices(closures=[self._close(room, "shutdown", None) for room in list(self._rooms.values())])

    def live_rooms(self) -> int:
        with self._lock:
            return len(self._rooms)

    def spend_proof(self, challenge_id: str, ttl: float) -> bool:
        now = self._clock()
        with self._lock:
            while self._spent and next(iter(self._spent.values())) <= now:
                self._spent.popitem(last=False)
            if self._spent.get(challenge_id, now) > now:
                return False
            self._spent[challenge_id] = now + ttl
            self._spent.move_to_end(challenge_id)
            while len(self._spent) > MAX_SPENT_PROOFS:
                self._spent.popitem(last=False)
            return True

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

    def _member(self, room_id: str, token: str) -> tuple[Room, Member] | None:
        room = self._find(room_id)
        member = room.members.get(token) if room else None
        return (room, member) if room and member else None

    def _member_of(self, sid: str) -> tuple[Room, Member] | None:
        entry = self._sockets.get(sid)
        return self._member(*entry) if entry else None

    def _seat(self, room: Room, alias: str, role: str) -> Binding:
        participant_id = new_participant_id()
        while participant_id in room.issued_ids:  # 96 random bits: never in practice
            participant_id = new_participant_id()
        room.issued_ids.add(participant_id)
        connects = ConnectBucket.full(self._connect_limit, self._clock())
        member = Member(Participant(participant_id, alias, role), new_token(), connects)
        room.members[member.token] = member
        room.alias_keys.update(aliases.lookalike_keys(alias))
        return self._binding(room, member)

    def _binding(self, room: Room, member: Member) -> Binding:
        return Binding(room.room_id, member.token, room.name, member.you, room.expires_at, room.sealed)

    def _close(self, room: Room, reason: str, by: Participant | None) -> Closure:
        del self._rooms[room.room_id]
        for sid in room.all_sids():
            self._sockets.pop(sid, None)
        return Closure(room.room_id, reason, by)
