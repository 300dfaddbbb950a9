"""Participant identity: a stable random id per binding, never given out twice in a room, and a role."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from ephemeral.rooms import HOST, MEMBER, Binding, RoomStore, memory, redis
from tests.contract.conftest import new_room

PASSWORD = "correct horse"
URL_SAFE_64_BITS_OR_MORE = re.compile(r"[A-Za-z0-9_-]{11,}")


@pytest.fixture
def ann(registry: RoomStore, mode: str) -> Binding:
    """Ann creates "Book club", in each mode."""
    return new_room(registry, mode, "Book club", "Ann", PASSWORD)


def test_the_creator_is_host_and_joiners_are_members(registry: RoomStore, ann: Binding) -> None:
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    assert (ann.you.alias, ann.you.role) == ("Ann", HOST)
    assert (bob.you.alias, bob.you.role) == ("Bob", MEMBER)


def test_ids_are_random_url_safe_and_distinct(registry: RoomStore, ann: Binding) -> None:
    others = [registry.join(ann.room_id, f"Guest {n}", PASSWORD) for n in range(3)]
    ids = [ann.you.id] + [other.you.id for other in others]
    assert all(URL_SAFE_64_BITS_OR_MORE.fullmatch(found) for found in ids)
    assert len(set(ids)) == len(ids)
    assert ann.you.id not in (ann.room_id, ann.token)


def test_every_socket_and_lookup_of_a_binding_is_the_same_participant(registry: RoomStore, ann: Binding) -> None:
    first = registry.attach(ann.room_id, ann.token, "ann-1")
    second = registry.attach(ann.room_id, ann.token, "ann-2")
    assert first.you == second.you == ann.you
    assert registry.authenticate(ann.room_id, ann.token).you == ann.you  # type: ignore[union-attr]
    assert registry.speaker("ann-2").you == ann.you  # type: ignore[union-attr]
    assert registry.presence(ann.room_id) == [ann.you]


def test_presence_carries_ids_and_roles(registry: RoomStore, ann: Binding) -> None:
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    registry.attach(ann.room_id, ann.token, "ann-1")
    seat = registry.attach(ann.room_id, bob.token, "bob-1")
    assert seat.participants == [ann.you, bob.you]


def test_the_same_alias_after_logout_is_a_new_participant(registry: RoomStore, ann: Binding) -> None:
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    registry.attach(ann.room_id, bob.token, "bob-1")
    registry.logout("bob-1")
    again = registry.join(ann.room_id, "Bob", PASSWORD)
    assert again.you.alias == "Bob"
    assert again.you.id != bob.you.id


def test_the_purger_is_named_by_id(registry: RoomStore, ann: Binding) -> None:
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    registry.attach(ann.room_id, bob.token, "bob-1")
    assert registry.purge("bob-1").by == bob.you  # type: ignore[union-attr]


@pytest.fixture
def repeating_ids(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Participant ids drawn from a script: the same id twice, then a fresh one."""
    drawn = ["A" * 16, "A" * 16, "B" * 16]
    queue = iter(drawn)
    for module in (memory, redis):
        monkeypatch.setattr(module, "new_participant_id", lambda: next(queue))
    yield drawn


def test_an_id_is_never_given_out_twice_in_a_room(registry: RoomStore, repeating_ids: list[str]) -> None:
    ann = registry.create("Book club", "Ann", PASSWORD)
    registry.attach(ann.room_id, ann.token, "ann-1")
    registry.logout("ann-1")  # even after its participant is gone
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    assert (ann.you.id, bob.you.id) == ("A" * 16, "B" * 16)
