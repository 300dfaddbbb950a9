"""A binding connects at most a burst of sockets, then one per refill: a bucket per binding, on every process at once.

Memory and a real redis-server (`conftest.py`), as plain function calls; time
moves with `clock.advance`, never a sleep.
"""

from __future__ import annotations

import pytest

from ephemeral.errors import TooManyConnects
from ephemeral.ratelimit import Limit
from ephemeral.rooms import Binding, RoomStore
from tests.contract.conftest import Clock, MakeRegistry, new_room
from tests.support.redis import RedisServer

PASSWORD = "correct horse"
BURST, EVERY = 3, 10.0  # three connects at once, then one every 10 s
LIMIT = Limit(burst=BURST, per_second=1 / EVERY)


@pytest.fixture
def registry(make_registry: MakeRegistry) -> RoomStore:
    return make_registry(connect_limit=LIMIT)


@pytest.fixture
def ann(registry: RoomStore, mode: str) -> Binding:
    """Ann creates "Book club", in each mode."""
    return new_room(registry, mode, "Book club", "Ann", PASSWORD)


def cycle(registry: RoomStore, binding: Binding, sid: str) -> None:
    """One socket connects and closes again."""
    registry.attach(binding.room_id, binding.token, sid)
    registry.detach(sid)


def test_a_binding_connects_its_burst_then_is_told_how_long_to_wait(
    registry: RoomStore, ann: Binding, clock: Clock
) -> None:
    for n in range(BURST):
        cycle(registry, ann, f"ann-{n}")  # closing a socket gives no token back
    # Whole seconds until the next token. Redis keeps its own time: on a slow machine a second may
    # really have passed since the burst, and refilled a tenth of a token.
    with pytest.raises(TooManyConnects) as refused:
        registry.attach(ann.room_id, ann.token, "ann-late")
    assert EVERY - 1 <= (refused.value.retry_after or 0) <= EVERY
    clock.advance(EVERY / 2)
    with pytest.raises(TooManyConnects) as refused:
        registry.attach(ann.room_id, ann.token, "ann-late")
    assert EVERY / 2 - 1 <= (refused.value.retry_after or 0) <= EVERY / 2
    clock.advance(EVERY / 2)
    assert registry.attach(ann.room_id, ann.token, "ann-late").you == ann.you  # an honest reconnect gets in
    with pytest.raises(TooManyConnects):
        registry.attach(ann.room_id, ann.token, "ann-later")


def test_a_refill_never_holds_more_than_the_burst(registry: RoomStore, ann: Binding, clock: Clock) -> None:
    cycle(registry, ann, "ann-first")
    clock.advance(5 * EVERY)  # five tokens' worth of time, well within the room's life
    for n in range(BURST):
        cycle(registry, ann, f"ann-{n}")
    with pytest.raises(TooManyConnects):
        registry.attach(ann.room_id, ann.token, "ann-late")


def test_a_refused_socket_takes_no_place_and_changes_no_presence(registry: RoomStore, ann: Binding) -> None:
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    registry.attach(ann.room_id, bob.token, "bob-1")
    for n in range(BURST):
        cycle(registry, ann, f"ann-{n}")
    with pytest.raises(TooManyConnects):
        registry.attach(ann.room_id, ann.token, "ann-late")
    assert registry.speaker("ann-late") is None
    assert registry.detach("ann-late") is None  # the server detaches every socket that closes
    assert registry.presence(ann.room_id) == [bob.you]


def test_each_binding_has_a_bucket_of_its_own(registry: RoomStore, ann: Binding) -> None:
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    for n in range(BURST):
        cycle(registry, ann, f"ann-{n}")
    for n in range(BURST):
        cycle(registry, bob, f"bob-{n}")
    for binding in (ann, bob):
        with pytest.raises(TooManyConnects):
            registry.attach(ann.room_id, binding.token, "late")


def test_attaching_the_same_socket_again_takes_no_token(registry: RoomStore, ann: Binding) -> None:
    for _ in range(2 * BURST):
        registry.attach(ann.room_id, ann.token, "ann-1")
    for n in range(2, BURST + 1):
        registry.attach(ann.room_id, ann.token, f"ann-{n}")
    with pytest.raises(TooManyConnects):
        registry.attach(ann.room_id, ann.token, "ann-late")


@pytest.fixture
def redis_only(store: str) -> None:
    if store != "redis":
        pytest.skip("one process holds every room in memory: nothing to share")


def test_connects_on_every_process_take_from_one_bucket(
    redis_only: None, make_registry: MakeRegistry, registry: RoomStore, ann: Binding
) -> None:
    other = make_registry(connect_limit=LIMIT)
    cycle(registry, ann, "here-1")
    cycle(other, ann, "there-1")
    cycle(registry, ann, "here-2")
    for process in (registry, other):
        with pytest.raises(TooManyConnects):
            process.attach(ann.room_id, ann.token, "late")


def test_a_socket_put_back_after_its_process_was_thought_dead_takes_no_token(
    redis_only: None, make_registry: MakeRegistry, registry: RoomStore, ann: Binding, redis_server: RedisServer
) -> None:
    registry.attach(ann.room_id, ann.token, "ann-1")
    for n in range(2, BURST + 1):
        cycle(registry, ann, f"ann-{n}")  # the bucket is empty, ann-1 still open
    with redis_server.client() as client:
        client.zadd("eph:procs", dict.fromkeys(client.zrange("eph:procs", 0, -1), 0))  # a stall: thought dead
    make_registry(connect_limit=LIMIT).upkeep()  # another process's heartbeat drops our sockets
    assert registry.presence(ann.room_id) == []
    with pytest.raises(TooManyConnects):
        # Beats first (it was not registered), which puts ann-1 back; the new socket is refused.
        registry.attach(ann.room_id, ann.token, "ann-new")
    assert registry.presence(ann.room_id) == [ann.you]
    assert registry.speaker("ann-1") is not None


def test_logout_and_purge_leave_no_bucket_behind(
    redis_only: None, registry: RoomStore, ann: Binding, redis_server: RedisServer
) -> None:
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    registry.attach(ann.room_id, bob.token, "bob-1")
    registry.attach(ann.room_id, ann.token, "ann-1")
    with redis_server.client() as client:
        assert client.hlen(f"eph:room:{ann.room_id}:connects") == 2
        assert client.pttl(f"eph:room:{ann.room_id}:connects") > 0  # it expires with the room
        assert registry.logout("bob-1") is not None
        assert client.hlen(f"eph:room:{ann.room_id}:connects") == 1
        assert registry.purge("ann-1") is not None
        assert list(client.scan_iter(f"eph:room:{ann.room_id}*")) == []
