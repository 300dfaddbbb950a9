"""A binding holds at most `max_sockets_per_binding` sockets, counted on every process; a closed socket frees its place.

Memory and a real redis-server (`conftest.py`), as plain function calls.
"""

from __future__ import annotations

import pytest

from ephemeral.errors import TooManySockets
from ephemeral.rooms import Binding, Participant, RoomStore
from tests.contract.conftest import MakeRegistry, new_room
from tests.support.redis import RedisServer

PASSWORD = "correct horse"
CAP = 2


@pytest.fixture
def registry(make_registry: MakeRegistry) -> RoomStore:
    return make_registry(max_sockets_per_binding=CAP)


@pytest.fixture
def ann(registry: RoomStore, mode: str) -> Binding:
    """Ann creates "Book club", in each mode."""
    return new_room(registry, mode, "Book club", "Ann", PASSWORD)


def present(registry: RoomStore, room_id: str) -> list[Participant]:
    return registry.presence(room_id)


def test_a_binding_past_its_cap_is_refused_and_a_detach_frees_a_place(registry: RoomStore, ann: Binding) -> None:
    registry.attach(ann.room_id, ann.token, "ann-1")
    registry.attach(ann.room_id, ann.token, "ann-2")
    with pytest.raises(TooManySockets):
        registry.attach(ann.room_id, ann.token, "ann-3")
    assert registry.speaker("ann-3") is None  # the refused socket was never attached
    registry.detach("ann-1")
    assert registry.attach(ann.room_id, ann.token, "ann-3").you == ann.you
    assert present(registry, ann.room_id) == [ann.you]


def test_each_binding_has_a_cap_of_its_own(registry: RoomStore, ann: Binding) -> None:
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    for n in range(CAP):
        registry.attach(ann.room_id, ann.token, f"ann-{n}")
    for n in range(CAP):
        registry.attach(ann.room_id, bob.token, f"bob-{n}")
    assert present(registry, ann.room_id) == [ann.you, bob.you]


def test_attaching_the_same_socket_again_takes_no_second_place(registry: RoomStore, ann: Binding) -> None:
    registry.attach(ann.room_id, ann.token, "ann-1")
    registry.attach(ann.room_id, ann.token, "ann-1")
    registry.attach(ann.room_id, ann.token, "ann-2")
    with pytest.raises(TooManySockets):
        registry.attach(ann.room_id, ann.token, "ann-3")


def test_a_refused_socket_counts_for_nothing(registry: RoomStore, ann: Binding) -> None:
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    registry.attach(ann.room_id, bob.token, "bob-1")
    registry.attach(ann.room_id, ann.token, "ann-1")
    registry.attach(ann.room_id, ann.token, "ann-2")
    with pytest.raises(TooManySockets):
        registry.attach(ann.room_id, ann.token, "ann-3")
    assert registry.detach("ann-3") is None  # the server detaches every socket that closes
    assert registry.detach("ann-1") is None
    change = registry.detach("ann-2")  # her last socket: she leaves, as if the refused one never was
    assert change is not None and change.participants == [bob.you]
    assert present(registry, ann.room_id) == [bob.you]


@pytest.fixture
def redis_only(store: str) -> None:
    if store != "redis":
        pytest.skip("one process holds every room in memory: nothing to share")


def test_sockets_on_every_process_count_against_one_cap(
    redis_only: None, make_registry: MakeRegistry, registry: RoomStore, ann: Binding
) -> None:
    other = make_registry(max_sockets_per_binding=CAP)
    registry.attach(ann.room_id, ann.token, "ann-here")
    other.attach(ann.room_id, ann.token, "ann-there")
    for process in (registry, other):
        with pytest.raises(TooManySockets):
            process.attach(ann.room_id, ann.token, "ann-third")
    other.detach("ann-there")
    registry.attach(ann.room_id, ann.token, "ann-third")


def test_a_dead_processs_sockets_free_their_places(
    redis_only: None, make_registry: MakeRegistry, registry: RoomStore, ann: Binding, redis_server: RedisServer
) -> None:
    """A process that stops beating (crashed, or cut off from Redis) loses its sockets, and their places."""
    registry.attach(ann.room_id, ann.token, "ann-1")
    registry.attach(ann.room_id, ann.token, "ann-2")
    with redis_server.client() as client:
        # Every process so far last beat long ago: dead, as after a crash.
        client.zadd("eph:procs", dict.fromkeys(client.zrange("eph:procs", 0, -1), 0))
    survivor = make_registry(max_sockets_per_binding=CAP)
    survivor.upkeep()  # its first heartbeat finds the dead one and drops its sockets
    survivor.attach(ann.room_id, ann.token, "ann-3")
    survivor.attach(ann.room_id, ann.token, "ann-4")
    with pytest.raises(TooManySockets):
        survivor.attach(ann.room_id, ann.token, "ann-5")
