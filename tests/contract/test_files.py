"""Files in the store: who may offer the room a file, and which sockets get it. Never the file itself.

The store keeps nothing of a file (`events/files.py` relays it, `transfers` follows it on its process): an offer
asks it, in one read, whether the participant may send and where every other socket of the room is, on every
process. Memory and a real redis-server.
"""

from __future__ import annotations

from functools import partial

from ephemeral.errors import Forbidden, Unauthorized
from ephemeral.rooms import Audience, RoomStore, Rules
from ephemeral.rooms.model import HOSTS_SEND
from tests.contract.test_message_actions import Kept, kept, look, open_room, processes, refuses

__all__ = ["kept", "look", "processes"]  # fixtures shared with the message actions


def test_an_offer_goes_to_every_other_socket_of_the_room(registry: RoomStore, mode: str) -> None:
    room = open_room(registry, mode)
    registry.attach(room.room_id, room.ann.token, "ann-2")
    found = registry.audience("bob-1")
    assert found == Audience(room.room_id, room.bob.you, mode, found.sids)
    assert sorted(found.sids) == ["ann-1", "ann-2", "cleo-1"]  # the sender's other tabs too, never this one
    assert sorted(registry.audience("ann-2").sids) == ["ann-1", "bob-1", "cleo-1"]


def test_sockets_on_another_process_get_the_offer(processes: tuple[RoomStore, RoomStore], mode: str) -> None:
    here, there = processes
    room = open_room(here, mode)
    there.attach(room.room_id, room.cleo.token, "cleo-2")
    assert sorted(here.audience("ann-1").sids) == ["bob-1", "cleo-1", "cleo-2"]
    assert sorted(there.audience("cleo-2").sids) == ["ann-1", "bob-1", "cleo-1"]


def test_a_socket_that_closed_gets_no_offer(registry: RoomStore) -> None:
    room = open_room(registry)
    registry.detach("cleo-1")
    assert sorted(registry.audience("ann-1").sids) == ["bob-1"]
    assert registry.audience("ann-1").room_id == room.room_id


def test_only_hosts_offer_files_in_a_broadcast_room(registry: RoomStore, mode: str) -> None:
    open_room(registry, mode, Rules(kind="broadcast"))
    refuses(partial(registry.audience, "bob-1"), Forbidden, HOSTS_SEND)
    assert sorted(registry.audience("ann-1").sids) == ["bob-1", "cleo-1"]


def test_no_offer_without_a_live_binding(registry: RoomStore) -> None:
    open_room(registry)
    registry.logout("bob-1")
    for sid in ("bob-1", "never-attached"):
        try:
            registry.audience(sid)
        except Unauthorized:
            continue
        raise AssertionError(f"{sid} was given an audience")
    registry.purge("ann-1")
    try:
        registry.audience("cleo-1")
    except Unauthorized:
        return
    raise AssertionError("a purged room's socket was given an audience")


def test_an_offer_records_nothing(registry: RoomStore, kept: Kept) -> None:
    room = open_room(registry)
    registry.audience("ann-1")
    assert kept.authors(room.room_id) == {}
