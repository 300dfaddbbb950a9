"""The memory store's rooms and socket map, and how it finds a room, a binding or a host in them.

The caller (`MemoryRegistry`) holds its lock around every call: nothing here locks.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import Capacity, NotFound, Unauthorized
from .memory_room import Member, Room
from .model import Closure, Participant


class RoomTable:
    """Every room of the process by id, and every socket of it (sid -> room id, token)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.rooms: dict[str, Room] = {}
        self.sockets: dict[str, tuple[str, str]] = {}
        self._clock = clock

    def check_capacity(self, max_rooms: int) -> None:
        if len(self.rooms) < max_rooms:
            return
        # Rooms past their time but not yet reaped do not count.
        now = self._clock()
        if sum(room.expires_mono > now for room in self.rooms.values()) >= max_rooms:
            raise Capacity()

    def find(self, room_id: str) -> Room | None:
        """A room that is past its time is already gone for every caller."""
        room = self.rooms.get(room_id)
        if room is None or room.expires_mono <= self._clock():
            return None
        return room

    def live(self, room_id: str) -> Room:
        room = self.find(room_id)
        if room is None:
            raise NotFound()
        return room

    def member(self, room_id: str, token: str) -> tuple[Room, Member] | None:
        room = self.find(room_id)
        member = room.members.get(token) if room else None
        return (room, member) if room and member else None

    def member_of(self, sid: str) -> tuple[Room, Member] | None:
        entry = self.sockets.get(sid)
        return self.member(*entry) if entry else None

    def host_of(self, sid: str) -> tuple[Room, Member]:
        """The room and binding behind a socket whose participant hosts: `Unauthorized`, `Forbidden` otherwise."""
        found = self.member_of(sid)
        if found is None:
            raise Unauthorized()
        return found[0], found[0].require_host(found[1])

    def remove(self, room: Room, member: Member) -> list[str]:
        """Destroys a binding as on logout; returns its sockets, which leave the socket map."""
        sids = room.remove(member, self._clock())
        for gone in sids:
            self.sockets.pop(gone, None)
        return sids

    def close(self, room: Room, reason: str, by: Participant | None) -> Closure:
        """The room and everything of it (bindings, sockets, reports) is gone."""
        del self.rooms[room.room_id]
        for sid in room.all_sids():
            self.sockets.pop(sid, None)
        return Closure(room.room_id, reason, by)
