"""The room registry in Redis, shared by every Ephemeral process. No Flask, no Socket.IO.

Same contract as `MemoryRegistry`. Every check-then-act is one Lua script
(`ephemeral/lua/`), so processes can never both take the last seat or one alias.
Keys expire with their room; tokens are stored only as SHA-256 hashes; message
text never touches Redis storage (Socket.IO's pub/sub carries it in transit).
This process remembers which of its own sockets sit in which room.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import redis

from . import fields
from .config import ConfigError
from .errors import AliasTaken, Capacity, NotFound, RoomFull, Unauthorized, Unavailable, WrongPassword
from .rooms import (
    ROOM_ID_BYTES,
    TOKEN_BYTES,
    Binding,
    Closure,
    Departure,
    Hasher,
    PresenceChange,
    Seat,
    Speaker,
)

LUA = Path(__file__).with_name("lua")
HEARTBEAT_SECONDS = 1.0
# A process silent this long is dead: its sockets leave presence. Well under the
# ping timeout, well over a garbage-collection pause.
DEAD_AFTER_MS = 3000
EXPIRY_BATCH = 100
_ERRORS = {
    "not_found": NotFound,
    "unauthorized": Unauthorized,
    "room_full": RoomFull,
    "alias_taken": AliasTaken,
    "capacity": Capacity,
}
T = TypeVar("T")


class PersistenceRefused(ConfigError):
    """The Redis server writes to disk; rooms must never outlive its memory."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def connect(url: str, *, allow_persistence: bool) -> redis.Redis:
    """A client for the shared store; refuses one that persists unless told it may."""
    client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=10, health_check_interval=30)
    try:
        client.ping()
        if not allow_persistence:
            check_no_persistence(client)
    except (redis.ConnectionError, redis.TimeoutError):
        # The URL may hold a password: never in the message.
        raise ConfigError("cannot reach the Redis server named by EPHEMERAL_REDIS_URL") from None
    except redis.AuthenticationError:
        raise ConfigError("the Redis server refused the credentials in EPHEMERAL_REDIS_URL") from None
    return client


def check_no_persistence(client: redis.Redis) -> None:
    """Refuse a Redis that saves snapshots or keeps an append-only file."""
    try:
        save = str(client.config_get("save").get("save") or "")
        appendonly = str(client.config_get("appendonly").get("appendonly") or "no")
    except redis.ResponseError:
        raise PersistenceRefused(
            "Redis refused CONFIG GET, so its persistence settings cannot be checked; "
            "set EPHEMERAL_REDIS_ALLOW_PERSISTENCE=1 once you have checked save and appendonly yourself"
        ) from None
    if save.strip() or appendonly == "yes":
        raise PersistenceRefused(
            "Redis persists to disk (save or appendonly is on), so rooms could outlive their hour; "
            'run it with --save "" --appendonly no, or set EPHEMERAL_REDIS_ALLOW_PERSISTENCE=1 deliberately'
        )


@contextmanager
def _reachable() -> Iterator[None]:
    """A Redis outage is a temporary failure (503 / `unavailable`), not a crash."""
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError):
        raise Unavailable() from None


def _raise_for(status: str) -> None:
    error = _ERRORS.get(status)
    if error is not None:
        raise error()


def _seconds(exp_ms: int | str) -> float:
    return int(exp_ms) / 1000


def _reachable_call(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        with _reachable():
            return method(*args, **kwargs)

    return wrapper


class RedisRegistry:
    """Rooms in Redis; this object also tracks the sockets of its own process."""

    def __init__(self, client: redis.Redis, hasher: Hasher, *, ttl: float, max_rooms: int, max_participants: int):
        self._hasher = hasher
        self._ttl_ms = int(ttl * 1000)
        self._max_rooms = max_rooms
        self._max_participants = max_participants
        self._process = secrets.token_hex(8)
        self._sockets: dict[str, tuple[str, str, str]] = {}  # sid -> (room id, token hash, token)
        self._lock = threading.Lock()  # guards _sockets; never held across Redis calls
        self._next_beat = 0.0
        self._left = False
        self._departures: list[tuple[str, str]] = []  # (room id, sid) left while Redis was away
        self._pending: list[PresenceChange] = []  # found outside tend(), announced by it
        common = (LUA / "common.lua").read_text(encoding="utf-8")
        self._scripts = {
            path.stem: client.register_script(common + "\n" + path.read_text(encoding="utf-8"))
            for path in LUA.glob("*.lua")
            if path.stem != "common"
        }

    def _run(self, name: str, *args: str | int) -> Any:
        return self._scripts[name](args=list(args))

    # -- joining ------------------------------------------------------------

    @_reachable_call
    def create(self, name: object, alias: object, password: object) -> Binding:
        clean_name, clean_alias = fields.room_name(name), fields.alias(alias)
        clean_password = fields.password(password)
        if self.live_rooms() >= self._max_rooms:
            raise Capacity()  # before paying for a hash; the script checks again
        hashed = self._hasher.hash(clean_password).decode("ascii")
        while True:
            room_id, token = secrets.token_urlsafe(ROOM_ID_BYTES), secrets.token_urlsafe(TOKEN_BYTES)
            status, *rest = self._run(
                "create",
                room_id,
                clean_name,
                hashed,
                clean_alias,
                fields.alias_key(clean_alias),
                token_hash(token),
                self._ttl_ms,
                self._max_rooms,
            )
            if status != "collision":  # 128 random bits; never in practice
                break
        _raise_for(status)
        return Binding(room_id, token, clean_name, clean_alias, _seconds(rest[0]))

    @_reachable_call
    def join(self, room_id: str, alias: object, password: object) -> Binding:
        clean_alias, clean_password = fields.alias(alias), fields.password(password)
        status, *rest = self._run("password_hash", room_id)
        _raise_for(status)
        if not self._hasher.verify(clean_password, rest[0].encode("ascii")):
            raise WrongPassword()
        token = secrets.token_urlsafe(TOKEN_BYTES)
        status, *rest = self._run(
            "join", room_id, clean_alias, fields.alias_key(clean_alias), token_hash(token), self._max_participants
        )
        _raise_for(status)
        exp_ms, name = rest
        return Binding(room_id, token, name, clean_alias, _seconds(exp_ms))

    @_reachable_call
    def exists(self, room_id: str) -> bool:
        status, *_ = self._run("password_hash", room_id)
        return bool(status == "ok")

    @_reachable_call
    def authenticate(self, room_id: str, token: str) -> Binding | None:
        status, *rest = self._run("member", room_id, token_hash(token))
        if status != "ok":
            return None
        exp_ms, name, alias = rest
        return Binding(room_id, token, name, alias, _seconds(exp_ms))

    # -- sockets and presence ------------------------------------------------

    @_reachable_call
    def attach(self, room_id: str, token: str, sid: str) -> Seat:
        hashed = token_hash(token)
        status, *rest = self._run("attach", room_id, hashed, sid, self._process)
        if status == "rejoin":
            self._pending += self._beat()  # register, put our sockets back, then attach
            status, *rest = self._run("attach", room_id, hashed, sid, self._process)
        _raise_for(status)
        exp_ms, name, alias, first, participants = rest
        with self._lock:
            self._sockets[sid] = (room_id, hashed, token)
        return Seat(room_id, name, alias, _seconds(exp_ms), self._sorted(participants), bool(first))

    def detach(self, sid: str) -> PresenceChange | None:
        with self._lock:
            entry = self._sockets.pop(sid, None)
        if entry is None:
            return None
        try:
            with _reachable():
                return self._detach(entry[0], sid)
        except Unavailable:
            self._departures.append((entry[0], sid))  # tend() retries once Redis answers
            raise

    def _detach(self, room_id: str, sid: str) -> PresenceChange | None:
        status, *rest = self._run("detach", room_id, sid)
        return PresenceChange(room_id, self._sorted(rest[0])) if status == "changed" else None

    @_reachable_call
    def speaker(self, sid: str) -> Speaker | None:
        entry = self._sockets.get(sid)
        if entry is None:
            return None
        room_id, hashed, token = entry
        status, *rest = self._run("member", room_id, hashed)
        return Speaker(room_id, token, rest[2]) if status == "ok" else None

    @_reachable_call
    def presence(self, room_id: str) -> list[str]:
        return self._sorted(self._run("presence", room_id))

    # -- leaving ---------------------------------------------------------------

    @_reachable_call
    def logout(self, sid: str) -> Departure | None:
        entry = self._sockets.get(sid)
        if entry is None:
            return None
        status, *rest = self._run("logout", entry[0], entry[1])
        if status != "ok":
            return None
        sids, was_online, participants = rest
        with self._lock:
            for gone in sids:
                self._sockets.pop(gone, None)
        presence = PresenceChange(entry[0], self._sorted(participants)) if was_online else None
        return Departure(sorted(sids), presence)

    @_reachable_call
    def purge(self, sid: str) -> Closure | None:
        entry = self._sockets.get(sid)
        if entry is None:
            return None
        status, *rest = self._run("purge", entry[0], entry[1])
        if status != "ok":
            return None
        self._forget_room(entry[0])
        return Closure(entry[0], "purged", rest[0])

    @_reachable_call
    def expire_due(self) -> list[Closure]:
        """Called by every process's reaper; each expired room is claimed by exactly one."""
        closures = [Closure(room_id, "expired", None) for room_id in self._run("expire_due", EXPIRY_BATCH)]
        for closure in closures:
            self._forget_room(closure.room_id)
        return closures

    def close_all(self, reason: str) -> list[Closure]:
        """Rooms belong to every process: one stopping closes none."""
        return []

    @_reachable_call
    def leave(self) -> list[PresenceChange]:
        """This process stops: its sockets leave presence; clients reconnect elsewhere."""
        with self._lock:
            self._sockets.clear()
        self._left = True  # no more heartbeats: they would register us again
        return self._changes(self._run("leave", self._process))

    @_reachable_call
    def live_rooms(self) -> int:
        return int(self._run("live_rooms"))

    @_reachable_call
    def tend(self) -> list[PresenceChange]:
        """Reaper tick: heartbeat, and drop the sockets of processes that died."""
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

    # -- helpers -----------------------------------------------------------------

    def _beat(self) -> list[PresenceChange]:
        """Heartbeat; drops dead processes' sockets, and puts ours back if we were thought dead."""
        self._next_beat = time.monotonic() + HEARTBEAT_SECONDS
        known, changes = self._run("heartbeat", self._process, DEAD_AFTER_MS)
        found = self._changes(changes)
        if not known:
            found += self._reattach()
        return found

    def _reattach(self) -> list[PresenceChange]:
        """We were not registered (thought dead after a stall): put our live sockets back."""
        changes = []
        with self._lock:
            sockets = list(self._sockets.items())
        for sid, (room_id, hashed, _token) in sockets:
            status, *rest = self._run("attach", room_id, hashed, sid, self._process)
            if status == "ok" and rest[3]:
                changes.append(PresenceChange(room_id, self._sorted(rest[4])))
        return changes

    def _forget_room(self, room_id: str) -> None:
        with self._lock:
            for sid in [sid for sid, entry in self._sockets.items() if entry[0] == room_id]:
                del self._sockets[sid]

    def _changes(self, raw: list[list[Any]]) -> list[PresenceChange]:
        return [PresenceChange(room_id, self._sorted(participants)) for room_id, participants in raw]

    @staticmethod
    def _sorted(aliases: list[str]) -> list[str]:
        return sorted(aliases, key=fields.alias_key)
