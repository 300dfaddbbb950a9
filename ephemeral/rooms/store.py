"""The room store contract: what handlers may ask of rooms, whichever store holds them.

Two stores keep it: `MemoryRegistry` (one process) and `RedisRegistry` (several
processes on one Redis). `tests/contract/` runs every rule against both. Every
check-then-act is atomic: a lock with no yield inside in memory, one Lua script
in Redis. Errors are `ephemeral.errors` classes; either store may also raise
`Unavailable` when its backend is briefly out of reach.
"""

from __future__ import annotations

from typing import Protocol

from .model import (
    Audience,
    Binding,
    Closure,
    Departure,
    Door,
    Notices,
    Participant,
    PresenceChange,
    Reactions,
    Removal,
    Report,
    RoomState,
    Rules,
    Sealed,
    Seat,
    Share,
    Speaker,
)


class Hasher(Protocol):
    def hash(self, password: str) -> bytes: ...
    def verify(self, password: str, hashed: bytes) -> bool: ...


class RoomStore(Protocol):
    def create(
        self, name: object, alias: object, password: object, sealed: Sealed | None = None, rules: Rules | None = None
    ) -> Binding:
        """A person creates a room; they are seated as its `host` with a fresh participant id.

        `rules` are the creator's choices (kind, purge policy, a shorter lifetime,
        fewer seats), already checked against the server's limits; a store caps
        them at its own all the same.

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
        rest. Errors: `Invalid`, `NotFound`, `WrongPassword`, then `Locked`,
        `RoomFull` and `AliasTaken` (decided atomically with the seating; aliases
        that look alike collide, by `aliases.lookalike_keys`). The join that takes
        a pair room's second seat locks it, atomically. In a server-blind room the password
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

    # -- message actions: ids and authors, never text (`MESSAGES_KEPT` per room); `Unauthorized` without a binding

    def speak(self, sid: str, message_id: str, reply_to: object = None) -> Speaker:
        """The socket's participant sends message `message_id` (made by the caller): the `message` handler's one call.

        `Forbidden` (`HOSTS_SEND`) for a member of a broadcast room; `Invalid` (`NO_REPLY_TARGET`) when `reply_to`
        is not None and not the id of a message the room keeps. Records `message_id` -> the author's participant
        id, forgetting the room's oldest message (and its reactions) past `MESSAGES_KEPT`; all atomically.
        """
        ...

    def edit(self, sid: str, message_id: object) -> Speaker:
        """The socket's participant may replace the text of message `message_id`: it is theirs and still kept.

        `Forbidden` (`NOT_YOURS`) for another's message, one the room no longer keeps, and one that was unsent.
        Nothing stored changes: the new text is relayed, never kept.
        """
        ...

    def unsend(self, sid: str, message_id: object) -> Speaker:
        """The socket's participant takes back their message `message_id`; `Forbidden` (`NOT_YOURS`) as for `edit`.

        The id and its reactions are forgotten atomically, so any later edit, unsend, reaction or reply to it is
        refused.
        """
        ...

    def react(self, sid: str, message_id: object, emoji: object) -> Reactions:
        """The socket's participant (any, a broadcast room's readers too) toggles `emoji` on message `message_id`.

        `Invalid`: `NOT_A_REACTION` for an emoji not in `REACTIONS`, `NO_REACTION_TARGET` for a message the room
        does not keep. Returns the message's reactions after the toggle; two people toggling at once both count.
        """
        ...

    def share(self, sid: str, participant_id: object, said: list[tuple[str, str]]) -> Share:
        """The socket's participant hands participant `participant_id`, a newcomer, what their screen shows.

        `said` names each message by (message id, author id); `kept` answers, in order, whether the room keeps
        that id as that author's (an unsent or forgotten message is not passed on). `Forbidden` (`HISTORY_OFF`)
        unless the room chose history from peers; `Invalid` (`NO_SUCH_PARTICIPANT`) unless someone else of the
        room with an open socket has that id. Reads only: the history itself is relayed, never kept.
        """
        ...

    def audience(self, sid: str) -> Audience:
        """The socket's participant offers the room a file: who gets it. `Forbidden` (`HOSTS_SEND`) for a member
        of a broadcast room, who cannot send; otherwise every socket of the room but this one, on every process.
        Reads only: a file is never recorded."""
        ...

    def presence(self, room_id: str) -> list[Participant]:
        """The participants with at least one open socket, by alias; empty for a dead room."""
        ...

    def logout(self, sid: str) -> Departure | None:
        """Destroys the binding behind the socket: its alias is free, its id never comes back.

        When it held the room's last host role, the role passes at once to the
        participant who joined earliest, present ones first (`PresenceChange`
        carries the new roles). A room whose present people have had no present
        host for `host_grace` seconds gets one the same way, in `upkeep`.

        Returns its sockets on every process (to close) and the new presence if
        it was connected; None when the socket has no live binding.
        """
        ...

    def purge(self, sid: str) -> Closure | None:
        """Destroys the socket's room and every binding to it, atomically; None without a live binding.

        `Forbidden` when the room's purge policy is `hosts` and the socket's participant is not one.
        """
        ...

    # -- room control: the socket's participant must be a host (`Forbidden`), `Unauthorized` without a binding

    def kick(self, sid: str, participant_id: object) -> Removal:
        """A host removes someone else of the same room, member or host: their binding is destroyed as on logout.

        Returns their sockets on every process (to tell and close) and the room's new presence when they
        were connected. `Invalid` when no binding of this room has that id (or it is not text), or it is
        the host's own (leaving is `logout`).
        """
        ...

    def lock(self, sid: str, locked: object) -> RoomState:
        """A host locks or unlocks the room: while locked every join is refused (`Locked`); people in stay."""
        ...

    def promote(self, sid: str, participant_id: object) -> PresenceChange:
        """A host makes a participant of the room, present or not, a host too (no change if they are one).

        Returns the room's presence with the new roles; `Invalid` for no such id.
        """
        ...

    def step_down(self, sid: str) -> PresenceChange:
        """A host becomes a member. The last host hands over at once, as on leaving (see `logout`);
        `Invalid` when nobody else is present to take over."""
        ...

    # -- the operator: reports and closing, never a name, an alias or a message

    def report(self, room_id: str, reason: str) -> None:
        """Someone with the link reports the room for `reason` (one of `REPORT_REASONS`); nothing for a gone room.

        Reports live with the room and die with it.
        """
        ...

    def reports(self) -> list[Report]:
        """Every live reported room, most reported first, then the oldest first.

        `age` is seconds since the room was made; `participants` counts its bindings, present or not.
        """
        ...

    def close(self, room_id: str) -> Closure | None:
        """The operator ends a room (reason `closed`), as a purge does; None when it is already gone."""
        ...

    def upkeep(self) -> Notices:
        """The reaper's tick: close rooms past their time, hand over hosting where it is due (see `logout`),
        and (shared stores) drop dead processes' sockets."""
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
