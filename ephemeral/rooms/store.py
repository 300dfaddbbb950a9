"""The room store contract: what handlers may ask of rooms, whichever store holds them.

Two stores keep it: `MemoryRegistry` (one process) and `RedisRegistry` (several
processes on one Redis). `tests/contract/` runs every rule against both. Every
check-then-act is atomic: a lock with no yield inside in memory, one Lua script
in Redis. Errors are `ephemeral.errors` classes; either store may also raise
`Unavailable` when its backend is briefly out of reach.
"""

from __future__ import annotations

from typing import Protocol

from .model import Binding, Closure, Departure, Door, Notices, Participant, PresenceChange, Sealed, Seat, Speaker


class Hasher(Protocol):
    def hash(self, password: str) -> bytes: ...
    def verify(self, password: str, hashed: bytes) -> bool: ...


class RoomStore(Protocol):
    def create(self, name: object, alias: object, password: object, sealed: Sealed | None = None) -> Binding:
        """A person creates a room; they are seated as its `host` with a fresh participant id.

        With `sealed` the room is server-blind: `name` must be None (the store keeps
        `sealed` instead, checked by `ephemeral.e2e`), and `password` is the
        clients' verifier, hashed like any password. Errors: `Invalid` (a field),
        `Capacity` (the live-room cap; checked before and after hashing,
        atomically with the insert).
        """
        ...

    def join(self, room_id: str, alias: object, password: object) -> Binding:
        """A person with the password takes a seat as a `member` with a fresh participant id.

        The password is checked first, so only someone who knows it learns the
        rest. Errors: `Invalid`, `NotFound`, `WrongPassword`, then `RoomFull` and
        `AliasTaken` (decided atomically with the seating; aliases that look alike
        collide, by `aliases.lookalike_keys`). In a server-blind room the password
        is the clients' verifier: the store does not tell the two apart
        (`admission.join_room` matches what was sent to the room's `door` first).
        """
        ...

    def exists(self, room_id: str) -> bool:
        """Whether the room is alive (not purged, not past its time); reads no secret."""
        ...

    def door(self, room_id: str) -> Door | None:
        """A live room's mode and, server-blind, its key parameters (public by design); None when it is gone."""
        ...

    def authenticate(self, room_id: str, token: str) -> Binding | None:
        """The binding behind a cookie's token, or None once it was logged out or its room ended."""
        ...

    def attach(self, room_id: str, token: str, sid: str) -> Seat:
        """A socket connects with a binding and belongs to that room for life.

        `presence_changed` is true when it is the participant's first open
        socket. Errors: `Unauthorized` (no such live binding), `TooManyConnects`
        (the binding's connect bucket is empty, `connect_limit.py`; its
        `retry_after` says for how long), `TooManySockets` (the binding holds
        its most sockets, counted on every process); both decided atomically
        with the attach, in that order. `detach` frees the socket's place.
        """
        ...

    def detach(self, sid: str) -> PresenceChange | None:
        """A socket closed; the room's new presence (`left`: who) when its participant has no socket left."""
        ...

    def speaker(self, sid: str) -> Speaker | None:
        """Who sends on this socket, or None once the binding or room is gone."""
        ...

    def presence(self, room_id: str) -> list[Participant]:
        """The participants with at least one open socket, by alias; empty for a dead room."""
        ...

    def logout(self, sid: str) -> Departure | None:
        """Destroys the binding behind the socket: its alias is free, its id never comes back.

        Returns its sockets on every process (to close) and the new presence if
        it was connected; None when the socket has no live binding.
        """
        ...

    def purge(self, sid: str) -> Closure | None:
        """Destroys the socket's room and every binding to it, atomically; None without a live binding."""
        ...

    def upkeep(self) -> Notices:
        """The reaper's tick: close rooms past their time, and (shared stores) drop dead processes' sockets."""
        ...

    def shutdown(self) -> Notices:
        """This process stops. In memory its rooms close (`shutdown`); in Redis they live on and
        only this process's sockets leave presence, so clients reconnect to another process."""
        ...

    def live_rooms(self) -> int:
        """How many rooms are alive, for the capacity rule and the stats."""
        ...

    def spend_proof(self, challenge_id: str, ttl: float) -> bool:
        """A join pays with a proof of work: true the first time its challenge is spent, on any process.

        The store remembers the challenge for `ttl` seconds (until it has expired
        everywhere), atomically: of two joins spending it at once, one gets true.
        """
        ...
