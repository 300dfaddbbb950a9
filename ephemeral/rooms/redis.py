"""The room store in Redis, shared by every Ephemeral process. No Flask, no Socket.IO.

Same contract as `MemoryRegistry`. Every rule is decided in one Lua script (`lua/`), so processes
can never both take the last seat or one alias, nor two hosts kick each other. Keys expire with
their room; tokens are stored only as SHA-256 hashes; message text never touches Redis storage
(Socket.IO's pub/sub carries it in transit): of messages the room keeps ids, authors and
reactions only (`redis_messages.py`). This process remembers which of its own sockets sit
in which room. A spent proof of work is `eph:proof:<challenge nonce>`, set once (`SET NX`) and
expiring with it. Two shared indexes serve room control (`redis_control.py`): `eph:hostless`
(rooms whose present people have no present host, since when) and `eph:reported` (reported
rooms, by count); a room's end takes it out of both.
"""

from __future__ import annotations

import time

from .. import fields
from ..errors import Capacity, Unavailable, WrongPassword
from . import redis_codec as codec
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
from .redis_client import reachable, reachable_call
from .redis_control import RoomControl
from .redis_messages import RoomMessages

HEARTBEAT_SECONDS = 1.0
# A process silent this long is dead: its sockets leave presence. Well under the
# ping timeout, well over a garbage-collection pause.
DEAD_AFTER_MS = 3000
EXPIRY_BATCH = 100
COLLISION = "collision"
# A socket put back after a stall is already open: no cap applies to it.
NO_SOCKET_CAP = 0


class RedisRegistry(RoomControl, RoomMessages):
    """The `RoomStore` of several processes; this object also tracks the sockets of its own process.

    The room control rules (kick, lock, roles, hosting, reports) live in `redis_control.py`; the message
    actions (speak, edit, unsend, react) in `redis_messages.py`.
    """

    # -- joining ------------------------------------------------------------

    @reachable_call
    def create(
        self, name: object, alias: object, password: object, sealed: Sealed | None = None, rules: Rules | None = None
    ) -> Binding:
        clean_name, clean_alias = stored_name(name, sealed), fields.alias(alias)
        clean_password = fields.password(password)
        chosen = settle(rules, ttl=self._ttl_ms / 1000, max_participants=self._max_participants)
        life_ms = min(chosen.ttl * 1000, self._ttl_ms)
        if self._run("capacity", self._max_rooms):
            raise Capacity()  # before paying for a hash; create.lua decides again
        hashed = self._hasher.hash(clean_password).decode("ascii")
        token, alias_keys = new_token(), codec.alias_keys(clean_alias)
        switches = (int(chosen.vanish), int(chosen.history))
        rules_args = (chosen.kind, chosen.purge, chosen.seats, chosen.disappear, *switches)
        limits: tuple[int | str, ...] = (life_ms, self._max_rooms, *rules_args, *codec.sealed_args(sealed))
        status = COLLISION
        while status == COLLISION:  # a fresh random id was taken (never in practice): draw again
            room_id, you = new_room_id(), Participant(new_participant_id(), clean_alias, HOST)
            seat = (you.id, codec.stored(you), alias_keys, codec.token_hash(token))
            status, *rest = self._run("create", room_id, clean_name or "", hashed, *seat, *limits)
        codec.raise_for(status)
        exp_ms, state = rest
        return Binding(room_id, token, clean_name, you, codec.seconds(exp_ms), sealed, self._state(state))

    @reachable_call
    def join(self, room_id: str, alias: object, password: object) -> Binding:
        clean_alias, clean_password = fields.alias(alias), fields.password(password)
        status, *rest = self._run("password_hash", room_id)
        codec.raise_for(status)
        if not self._hasher.verify(clean_password, rest[0].encode("ascii")):
            raise WrongPassword()
        token, alias_keys = new_token(), codec.alias_keys(clean_alias)
        status = COLLISION
        while status == COLLISION:
            you = Participant(new_participant_id(), clean_alias, MEMBER)
            status, *rest = self._run(
                "join", room_id, you.id, codec.stored(you), alias_keys, codec.token_hash(token), self._max_participants
            )
        codec.raise_for(status)
        exp_ms, title, state = rest
        name, sealed = codec.titled(title)
        return Binding(room_id, token, name, you, codec.seconds(exp_ms), sealed, self._state(state))

    @reachable_call
    def exists(self, room_id: str) -> bool:
        return bool(self._run("exists", room_id))

    @reachable_call
    def door(self, room_id: str) -> Door | None:
        status, *rest = self._run("door", room_id)
        if status != "ok":
            return None
        return Door.of(codec.kdf(rest[0]) if rest[0] else None)

    @reachable_call
    def authenticate(self, room_id: str, token: str) -> Binding | None:
        status, *rest = self._run("member", room_id, codec.token_hash(token))
        if status != "ok":
            return None
        exp_ms, title, participant, state = rest
        name, sealed = codec.titled(title)
        you = codec.loaded(participant)
        return Binding(room_id, token, name, you, codec.seconds(exp_ms), sealed, self._state(state))

    # -- sockets and presence ------------------------------------------------

    @reachable_call
    def attach(self, room_id: str, token: str, sid: str) -> Seat:
        hashed = codec.token_hash(token)
        arguments = (room_id, hashed, sid, self._process, self._max_sockets, *self._connects)
        status, *rest = self._run("attach", *arguments)
        if status == "rejoin":
            self._pending += self._beat()  # register, put our sockets back, then attach
            status, *rest = self._run("attach", *arguments)
        codec.raise_for(status, rest)
        exp_ms, title, participant, first, present, state = rest
        with self._lock:
            self._sockets[sid] = (room_id, hashed)
        name, sealed = codec.titled(title)
        you, people = codec.loaded(participant), codec.present(present)
        return Seat(room_id, name, you, codec.seconds(exp_ms), people, bool(first), sealed, self._state(state))

    def detach(self, sid: str) -> PresenceChange | None:
        with self._lock:
            entry = self._sockets.pop(sid, None)
        if entry is None:
            return None
        try:
            with reachable():
                return self._detach(entry[0], sid)
        except Unavailable:
            self._departures.append((entry[0], sid))  # upkeep() retries once Redis answers
            raise

    def _detach(self, room_id: str, sid: str) -> PresenceChange | None:
        status, *rest = self._run("detach", room_id, sid)
        left = codec.loaded(rest[1]).id if status == "changed" and len(rest) > 1 and rest[1] else None
        return PresenceChange(room_id, codec.present(rest[0]), left=left) if status == "changed" else None

    @reachable_call
    def speaker(self, sid: str) -> Speaker | None:
        entry = self._sockets.get(sid)
        if entry is None:
            return None
        status, *rest = self._run("member", *entry)
        if status != "ok":
            return None
        _, title, participant, state = rest
        mode = mode_of(codec.titled(title)[1])
        return Speaker(entry[0], codec.loaded(participant), mode, self._state(state).kind)

    @reachable_call
    def presence(self, room_id: str) -> list[Participant]:
        return codec.present(self._run("presence", room_id))

    # -- leaving ---------------------------------------------------------------

    @reachable_call
    def logout(self, sid: str) -> Departure | None:
        entry = self._sockets.get(sid)
        if entry is None:
            return None
        status, *rest = self._run("logout", entry[0], entry[1])
        if status != "ok":
            return None
        sids, changed, present = rest
        self._forget_sids(sids)
        presence = PresenceChange(entry[0], codec.present(present)) if changed else None
        return Departure(sorted(sids), presence)

    @reachable_call
    def purge(self, sid: str) -> Closure | None:
        entry = self._sockets.get(sid)
        if entry is None:
            return None
        status, *rest = self._run("purge", entry[0], entry[1])
        codec.raise_for(status)  # `forbidden`: a member, and the room's purge policy is `hosts`
        if status != "ok":
            return None
        self._forget_room(entry[0])
        return Closure(entry[0], "purged", codec.loaded(rest[0]))

    @reachable_call
    def upkeep(self) -> Notices:
        """Every process's reaper: each expired room and each due handover is claimed by exactly one; heartbeat;
        dead processes leave."""
        closures = [Closure(room_id, "expired", None) for room_id in self._run("expire_due", EXPIRY_BATCH)]
        for closure in closures:
            self._forget_room(closure.room_id)
        return Notices(closures=closures, presence=self._tend() + self._hand_over_due())

    @reachable_call
    def shutdown(self) -> Notices:
        """Rooms belong to every process: this one's sockets leave presence; clients reconnect elsewhere."""
        with self._lock:
            self._sockets.clear()
        self._left = True  # no more heartbeats: they would register us again
        return Notices(presence=codec.changes(self._run("leave", self._process)))

    @reachable_call
    def live_rooms(self) -> int:
        return int(self._run("live_rooms"))

    @reachable_call
    def spend_proof(self, challenge_id: str, ttl: float) -> bool:
        return bool(self._client.set(f"eph:proof:{challenge_id}", 1, nx=True, px=max(1, int(ttl * 1000))))

    # -- helpers -----------------------------------------------------------------

    def _tend(self) -> list[PresenceChange]:
        """Heartbeat once a second, and retry departures that Redis missed."""
        found, self._pending = self._pending, []
        if self._left or time.monotonic() < self._next_beat:
            return found
        while self._departures:
            room_id, sid = self._departures[0]
            change = self._detach(room_id, sid)
            self._departures.pop(0)
            if change is not None:
                found.append(change)
        return found + self._beat()

    def _beat(self) -> list[PresenceChange]:
        """Heartbeat; drops dead processes' sockets, and puts ours back if we were thought dead."""
        self._next_beat = time.monotonic() + HEARTBEAT_SECONDS
        known, changes = self._run("heartbeat", self._process, DEAD_AFTER_MS)
        found = codec.changes(changes)
        if not known:
            found += self._reattach()
        return found

    def _reattach(self) -> list[PresenceChange]:
        """We were not registered (thought dead after a stall): put our live sockets back."""
        changes = []
        with self._lock:
            sockets = list(self._sockets.items())
        for sid, (room_id, hashed) in sockets:
            status, *rest = self._run("attach", room_id, hashed, sid, self._process, NO_SOCKET_CAP, *self._connects)
            if status == "ok" and rest[3]:
                changes.append(PresenceChange(room_id, codec.present(rest[4])))
        return changes
