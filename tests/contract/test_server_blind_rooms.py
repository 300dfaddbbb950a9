"""Server-blind rooms in the store: what it keeps instead of the name, what it gives out, and to whom.

Every other rule (joining, presence, logout, purge, expiry, limits, several
processes) runs on a server-blind room too, through the `mode` fixture of the
contract suite (`conftest.py`).
"""

from __future__ import annotations

import json

import pytest

from ephemeral.errors import Invalid, WrongPassword
from ephemeral.passwords import PasswordHasher
from ephemeral.rooms import E2E, GROUP, STANDARD, Door, RoomStore, Speaker
from ephemeral.rooms.memory import MemoryRegistry
from tests.contract.conftest import SEALED, TTL, Clock, MakeRegistry
from tests.support.redis import RedisServer

VERIFIER = "v" * 43  # the store takes it as it takes a password: shapes are checked before it


def test_a_server_blind_room_gives_its_members_the_sealed_name_and_key_parameters(registry: RoomStore) -> None:
    ann = registry.create(None, "Ann", VERIFIER, SEALED)
    bob = registry.join(ann.room_id, "Bob", VERIFIER)
    seat = registry.attach(ann.room_id, bob.token, "bob-1")
    for seen in (ann, bob, seat, registry.authenticate(ann.room_id, ann.token)):
        assert seen is not None
        assert (seen.name, seen.sealed, seen.mode) == (None, SEALED, E2E)
    assert registry.speaker("bob-1") == Speaker(ann.room_id, bob.you, E2E, GROUP)


def test_a_standard_room_has_a_name_and_no_keys(registry: RoomStore) -> None:
    ann = registry.create("Book club", "Ann", "correct horse")
    assert (ann.name, ann.sealed, ann.mode) == ("Book club", None, STANDARD)
    assert registry.door(ann.room_id) == Door(STANDARD)


def test_the_door_tells_the_mode_and_key_parameters_without_a_binding(registry: RoomStore) -> None:
    ann = registry.create(None, "Ann", VERIFIER, SEALED)
    assert registry.door(ann.room_id) == Door(E2E, SEALED.kdf)


@pytest.mark.parametrize("ending", ["never-made", "purged", "expired"])
def test_the_door_of_a_gone_room_is_none(registry: RoomStore, clock: Clock, ending: str) -> None:
    ann = registry.create(None, "Ann", VERIFIER, SEALED)
    registry.attach(ann.room_id, ann.token, "ann-1")
    room_id = "A" * 22 if ending == "never-made" else ann.room_id
    if ending == "purged":
        registry.purge("ann-1")
    if ending == "expired":
        clock.advance(TTL)
    assert registry.door(room_id) is None


def test_a_server_blind_room_takes_no_name(registry: RoomStore, hasher: PasswordHasher) -> None:
    with pytest.raises(Invalid):
        registry.create("Book club", "Ann", VERIFIER, SEALED)
    assert hasher.hashes_run == 0
    assert registry.live_rooms() == 0


def test_the_verifier_is_checked_like_a_password(registry: RoomStore) -> None:
    ann = registry.create(None, "Ann", VERIFIER, SEALED)
    with pytest.raises(WrongPassword):
        registry.join(ann.room_id, "Bob", "w" * 43)


# What every room keeps besides its name or sealed name: its rules, lock and join counter (lua/common.lua).
RULES = ("kind", "purge", "ttl", "seats", "locked", "joins", "disappear", "vanish", "history")


@pytest.mark.parametrize("store", ["redis"])
def test_redis_keeps_the_mode_key_parameters_and_sealed_name_never_a_name(
    registry: RoomStore, redis_server: RedisServer
) -> None:
    blind = registry.create(None, "Ann", VERIFIER, SEALED)
    standard = registry.create("Book club", "Ann", "correct horse")
    with redis_server.client() as client:
        kept = client.hgetall(f"eph:room:{blind.room_id}")
        assert set(kept) == {"mode", "kdf", "name_ct", "hash", "exp", *RULES}
        assert (kept["mode"], kept["name_ct"]) == (E2E, SEALED.name_ct)
        assert json.loads(kept["kdf"]) == {"alg": SEALED.kdf.alg, "iter": SEALED.kdf.iter, "salt": SEALED.kdf.salt}
        assert set(client.hgetall(f"eph:room:{standard.room_id}")) == {"name", "hash", "exp", *RULES}


@pytest.mark.parametrize("store", ["memory"])
def test_memory_keeps_the_sealed_name_never_a_name(registry: RoomStore) -> None:
    blind = registry.create(None, "Ann", VERIFIER, SEALED)
    assert isinstance(registry, MemoryRegistry)
    room = registry._table.rooms[blind.room_id]
    assert (room.name, room.sealed) == (None, SEALED)


@pytest.mark.parametrize("store", ["redis"])
def test_every_process_sees_the_same_server_blind_room(make_registry: MakeRegistry) -> None:
    here, there = make_registry(), make_registry()
    ann = here.create(None, "Ann", VERIFIER, SEALED)
    assert there.door(ann.room_id) == Door(E2E, SEALED.kdf)
    bob = there.join(ann.room_id, "Bob", VERIFIER)
    seat = there.attach(ann.room_id, bob.token, "bob-1")
    assert (bob.sealed, seat.sealed, seat.name) == (SEALED, SEALED, None)
    assert there.speaker("bob-1") == Speaker(ann.room_id, bob.you, E2E, GROUP)
    assert here.authenticate(ann.room_id, bob.token) == bob
