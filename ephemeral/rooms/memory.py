"""All rooms of one process, in its memory only. Nothing here is ever written out.

Every check-then-act happens inside one critical section that never yields (no
hashing, no I/O, no emit). Methods return what the caller must tell clients;
the caller emits after the lock is released. The rules that act on one room
live in `memory_room.py`; finding rooms, bindings and sockets in `memory_table.py`; who said
which message, and the reactions, in `memory_messages.py`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from .. import fields
from ..connect_limit import CONNECTS_PER_BINDING, ConnectBucket
from ..errors import Forbidden, TooManyConnects, TooManySockets, Unauthorized, WrongPassword
from ..ratelimit import Limit
from .memory_messages import MessageRules
from .memory_room import Member, Room
from .memory_table import RoomTable
from .model import (
    HOST,
    HOST_GRACE,
    HOSTS,
    MEMBER,
    Binding,
    Closure,
    Departure,
    Door,
    Notices,
    Participant,
    PresenceChange,
    Removal,
    Report,
    RoomState,
    Rules,
    Sealed,
    Seat,
    Speaker,
    mode_of,
    new_participant_id,
    new_room_id,
    new_token,
    settle,
    stored_name,
)
from .store import Hasher

Clock = Callable[[], float]
# Spent proofs of work kept at most; past it the oldest (the nearest to expiring) go first.
MAX_SPENT_PROOFS = 100_000


class MemoryRegistry(MessageRules):
    """The `RoomStore` of a single process; the message actions live in `memory_messages.py`."""

    def __init__(
        self,
        hasher: Hasher,
        *,
        ttl: float,
        max_rooms: int,
        max_participants: int,
        max_sockets_per_binding: int,
        connect_limit: Limit = CONNECTS_PER_BINDING,
        host_grace: float = HOST_GRACE,
        clock: Clock = time.monotonic,
        wall: Clock = time.time,
    ) -> None:
        self._hasher = hasher
        self._ttl = ttl
        self._max_rooms = max_rooms
        self._max_participants = max_participants
        self._max_sockets = max_sockets_per_binding
        self._connect_limit = connect_limit
        self._host_grace = host_grace
        self._clock = clock
        self._wall = wall
        self._table = RoomTable(clock)
        self._spent: OrderedDict[str, float] = OrderedDict()  # challenge id -> when it may be forgotten
        self._lock = threading.Lock()

    # -- joining ------------------------------------------------------------

    def create(
        self, name: object, alias: object, password: object, sealed: Sealed | None = None, rules: Rules | None = None
    ) -> Binding:
        clean_name, clean_alias = stored_name(name, sealed), fields.alias(alias)
        clean_password = fields.password(password)
        state = settle(rules, ttl=self._ttl, max_participants=self._max_participants)
        with self._lock:
            self._table.check_capacity(self._max_rooms)  # before paying for a hash
        hashed = self._hasher.hash(clean_password)
        with self._lock:
            self._table.check_capacity(self._max_rooms)  # others may have filled the last slot meanwhile
            room_id, now, lifetime = new_room_id(), self._clock(), min(float(state.ttl), self._ttl)
            room = Room(room_id, clean_name, hashed, state, now, now + lifetime, self._wall() + lifetime, sealed)
            self._table.rooms[room_id] = room
            return self._seat(room, clean_alias, HOST)

    def join(self, room_id: str, alias: object, password: object) -> Binding:
        clean_alias, clean_password = fields.alias(alias), fields.password(password)
        with self._lock:
            hashed = self._table.live(room_id).password_hash
        if not self._hasher.verify(clean_password, hashed):
            raise WrongPassword()
        with self._lock:
            room = self._table.live(room_id)  # it may have died while we hashed
            room.admit(clean_alias)
            return self._seat(room, clean_alias, MEMBER)

    def exists(self, room_id: str) -> bool:
        with self._lock:
            return self._table.find(room_id) is not None

    def door(self, room_id: str) -> Door | None:
        with self._lock:
            room = self._table.find(room_id)
            return Door.of(room.sealed.kdf if room.sealed else None) if room else None

    def authenticate(self, room_id: str, token: str) -> Binding | None:
        with self._lock:
            found = self._table.member(room_id, token)
            return self._binding(*found) if found else None

    # -- sockets and presence ------------------------------------------------

    def attach(self, room_id: str, token: str, sid: str) -> Seat:
        with self._lock:
            found = self._table.member(room_id, token)
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
            self._table.sockets[sid] = (room_id, token)
            room.watch_hosts(self._clock())
            present, first = room.present(), not was_connected
            return Seat(room_id, room.name, member.you, room.expires_at, present, first, room.sealed, room.state)

    def detach(self, sid: str) -> PresenceChange | None:
        with self._lock:
            entry = self._table.sockets.pop(sid, None)
            room = self._table.rooms.get(entry[0]) if entry else None
            member = room.members.get(entry[1]) if room and entry else None
            if room is None or member is None:
                return None
            member.sids.discard(sid)
            room.watch_hosts(self._clock())
            return None if member.sids else PresenceChange(room.room_id, room.present(), left=member.you.id)

    def speaker(self, sid: str) -> Speaker | None:
        with self._lock:
            found = self._table.member_of(sid)
            if found is None:
                return None
            room, member = found
            return Speaker(room.room_id, member.you, mode_of(room.sealed), room.state.kind)

    def presence(self, room_id: str) -> list[Participant]:
        with self._lock:
            room = self._table.find(room_id)
            return room.present() if room else []

    # -- leaving ---------------------------------------------------------------

    def logout(self, sid: str) -> Departure | None:
        with self._lock:
            found = self._table.member_of(sid)
            if found is None:
                return None
            room, member = found
            sids = self._table.remove(room, member)
            return Departure(sids, PresenceChange(room.room_id, room.present()) if sids else None)

    def purge(self, sid: str) -> Closure | None:
        with self._lock:
            found = self._table.member_of(sid)
            if found is None:
                return None
            room, member = found
            if room.state.purge == HOSTS and not member.hosts:
                raise Forbidden()
            return self._table.close(room, "purged", member.you)

    # -- room control ------------------------------------------------------------

    def kick(self, sid: str, participant_id: object) -> Removal:
        with self._lock:
            room, host = self._table.host_of(sid)
            target = room.kick_target(host, participant_id)
            sids = self._table.remove(room, target)
            presence = PresenceChange(room.room_id, room.present()) if sids else None
            return Removal(room.room_id, target.you, host.you, sids, presence)

    def lock(self, sid: str, locked: object) -> RoomState:
        with self._lock:
            room, _ = self._table.host_of(sid)
            return room.lock(locked)

    def promote(self, sid: str, participant_id: object) -> PresenceChange:
        with self._lock:
            room, _ = self._table.host_of(sid)
            room.promote(room.by_id(participant_id), self._clock())
            return PresenceChange(room.room_id, room.present())

    def step_down(self, sid: str) -> PresenceChange:
        with self._lock:
            room, host = self._table.host_of(sid)
            room.step_down(host, self._clock())
            return PresenceChange(room.room_id, room.present())

    # -- the operator ------------------------------------------------------------

    def report(self, room_id: str, reason: str) -> None:
        with self._lock:
            room = self._table.find(room_id)
            if room:
                room.report(reason)

    def reports(self) -> list[Report]:
        now = self._clock()
        with self._lock:
            reported = [room for room in self._table.rooms.values() if room.reports and room.expires_mono > now]
            reported.sort(key=lambda room: (-sum(room.reports.values()), room.made_mono))
            return [room.summary(now) for room in reported]

    def close(self, room_id: str) -> Closure | None:
        with self._lock:
            room = self._table.find(room_id)
            return self._table.close(room, "closed", None) if room else None

    def upkeep(self) -> Notices:
        """Expiry and handover after the grace: no other process shares these rooms."""
        now = self._clock()
        with self._lock:
            due = [room for room in self._table.rooms.values() if room.expires_mono <= now]
            closures = [self._table.close(room, "expired", None) for room in due]
            handed = [room for room in self._table.rooms.values() if room.hand_over_if_due(now, self._host_grace)]
            return Notices(closures, [PresenceChange(room.room_id, room.present()) for room in handed])

    def shutdown(self) -> Notices:
        """Rooms in memory die with the process: every one closes with reason `shutdown`."""
        with self._lock:
            return Notices(
                closures=[self._table.close(room, "shutdown", None) for room in list(self._table.rooms.values())]
            )

    def live_rooms(self) -> int:
        with self._lock:
            return len(self._table.rooms)

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

    def _seat(self, room: Room, alias: str, role: str) -> Binding:
        participant_id = new_participant_id()
        while participant_id in room.issued_ids:  # 96 random bits: never in practice
            participant_id = new_participant_id()
        connects = ConnectBucket.full(self._connect_limit, self._clock())
        member = Member(Participant(participant_id, alias, role), new_token(), connects)
        room.seat(member)
        return self._binding(room, member)

    def _binding(self, room: Room, member: Member) -> Binding:
        return Binding(room.room_id, member.token, room.name, member.you, room.expires_at, room.sealed, room.state)
