"""Each contract test runs once per room store: in memory, and in a real redis-server.

A test that asks for `mode` runs on a standard room and on a server-blind one,
made by `new_room`: the store keeps random bytes of the right shapes as its key
parameters and sealed name (it does no cryptography), and takes the verifier as
it takes a password, so the same calls hold every rule in both modes.

A test moves time with `clock.advance(seconds)`: the memory store reads fake
clocks; for Redis, whose scripts read the server's own time, every room (and
every spent proof of work) is made that much older instead. Either way, rooms
age and nothing sleeps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

import pytest

from ephemeral.connect_limit import CONNECTS_PER_BINDING
from ephemeral.passwords import PasswordHasher
from ephemeral.ratelimit import Limit
from ephemeral.rooms import E2E, HOST_GRACE, MODES, STANDARD, Binding, Hasher, MemoryRegistry, RoomStore, Rules, Sealed
from ephemeral.rooms.redis import RedisRegistry
from ephemeral.rooms.redis_client import connect
from tests.support.e2e_shapes import sealed
from tests.support.redis import RedisServer

TTL = 60.0
MAX_ROOMS = 3
MAX_PARTICIPANTS = 4
MAX_SOCKETS_PER_BINDING = 16
START_MONO = 500.0
START_WALL = 1_700_000_000.0
STORES = ("memory", "redis")
SEALED: Sealed = sealed()


class Clock(Protocol):
    def advance(self, seconds: float) -> None: ...
    def wall(self) -> float: ...


class FakeClocks:
    """The memory store's monotonic and wall clocks, moved together."""

    def __init__(self) -> None:
        self.mono, self.now = START_MONO, START_WALL

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.now += seconds

    def wall(self) -> float:
        return self.now


class RedisAges:
    """Redis keeps its own time: age every room instead (its expiry, its place in the expiry and hostless indexes)."""

    def __init__(self, server: RedisServer) -> None:
        self._client = server.client()

    def advance(self, seconds: float) -> None:
        shift = int(seconds * 1000)
        for key in self._client.scan_iter("eph:room:*"):
            if key.count(":") == 2:  # the room's own hash, not its sets
                self._client.hincrby(key, "exp", -shift)
        for index in ("eph:expiries", "eph:hostless"):  # when rooms end; since when they have no present host
            for room_id, score in self._client.zrange(index, 0, -1, withscores=True):
                self._client.zadd(index, {room_id: score - shift})
        for key in self._client.scan_iter("eph:room:*:connects"):  # connect buckets refill as if time passed
            for token, bucket in self._client.hgetall(key).items():
                tokens, stamp = bucket.split()
                self._client.hset(key, token, f"{tokens} {int(stamp) - shift}")
        for key in self._client.scan_iter("eph:proof:*"):  # spent proofs of work grow as old
            left = self._client.pttl(key) - shift
            if left > 0:
                self._client.pexpire(key, left)
            else:
                self._client.delete(key)

    def wall(self) -> float:
        return time.time()


class MakeRegistry(Protocol):
    def __call__(
        self,
        *,
        hasher: Hasher | None = None,
        max_rooms: int = ...,
        max_participants: int = ...,
        max_sockets_per_binding: int = ...,
        connect_limit: Limit = ...,
        host_grace: float = ...,
    ) -> RoomStore: ...


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def new_room(
    registry: RoomStore, mode: str, name: str, alias: str, password: str, rules: Rules | None = None
) -> Binding:
    """A room named `name`; a server-blind one keeps `SEALED` instead, and `password` stands for its verifier."""
    if mode == E2E:
        return registry.create(None, alias, password, SEALED, rules)
    return registry.create(name, alias, password, rules=rules)


def title(mode: str, name: str) -> tuple[str | None, Sealed | None]:
    """What `new_room` gives its bindings and seats as (name, sealed)."""
    return (name, None) if mode == STANDARD else (None, SEALED)


@pytest.fixture
def clock(store: str, request: pytest.FixtureRequest) -> Clock:
    if store == "memory":
        return FakeClocks()
    server: RedisServer = request.getfixturevalue("redis_server")
    server.flush()
    return RedisAges(server)


@pytest.fixture
def hasher() -> PasswordHasher:
    return PasswordHasher(b"k" * 32, cost=4)


@pytest.fixture
def make_registry(store: str, hasher: PasswordHasher, clock: Clock, request: pytest.FixtureRequest) -> MakeRegistry:
    """Registries of the store under test share its clock; a race test passes its own hasher and limits."""
    default_hasher = hasher

    def make(
        *,
        hasher: Hasher | None = None,
        max_rooms: int = MAX_ROOMS,
        max_participants: int = MAX_PARTICIPANTS,
        max_sockets_per_binding: int = MAX_SOCKETS_PER_BINDING,
        connect_limit: Limit = CONNECTS_PER_BINDING,
        host_grace: float = HOST_GRACE,
    ) -> RoomStore:
        limits: dict[str, Any] = {
            "ttl": TTL,
            "max_rooms": max_rooms,
            "max_participants": max_participants,
            "max_sockets_per_binding": max_sockets_per_binding,
            "connect_limit": connect_limit,
            "host_grace": host_grace,
        }
        if isinstance(clock, FakeClocks):
            fakes = clock
            mono: Callable[[], float] = lambda: fakes.mono  # noqa: E731
            return MemoryRegistry(hasher or default_hasher, clock=mono, wall=fakes.wall, **limits)
        client = connect(request.getfixturevalue("redis_server").url, allow_persistence=False)
        return RedisRegistry(client, hasher or default_hasher, **limits)

    return make


@pytest.fixture
def registry(make_registry: MakeRegistry) -> RoomStore:
    return make_registry()
