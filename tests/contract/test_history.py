"""History from peers in the store: who may hand a newcomer the messages their screen shows, and which of them.

The store never sees the history itself (`events/history.py` relays it): it says whether the room chose history
from peers, where the newcomer's sockets are, and which of the messages offered it still keeps as said by the
author named, so that an unsent message or an invented one is not passed on. Memory and a real redis-server.
"""

from __future__ import annotations

from functools import partial

import pytest

from ephemeral.errors import Forbidden, Invalid, Unauthorized
from ephemeral.rooms import Binding, MemoryRegistry, RoomStore, Rules, Share
from ephemeral.rooms.model import HISTORY_OFF, NO_SUCH_PARTICIPANT
from tests.contract.conftest import MakeRegistry, new_room
from tests.contract.test_message_actions import PASSWORD, Kept, Room, kept, look, open_room, refuses

HISTORY = Rules(history=True)
__all__ = ["kept", "look"]  # fixtures shared with the message actions


@pytest.fixture
def room(registry: RoomStore, mode: str) -> Room:
    """Ann hosts a room that chose history from peers; Bob and Cleo are in it, one socket each."""
    return open_room(registry, mode, HISTORY)


def test_a_room_that_did_not_opt_in_refuses_history(registry: RoomStore, mode: str) -> None:
    plain = open_room(registry, mode)
    registry.speak("ann-1", "m1")
    for sid in ("ann-1", "bob-1"):  # a host too
        refuses(partial(registry.share, sid, plain.cleo.you.id, [("m1", plain.ann.you.id)]), Forbidden, HISTORY_OFF)


def test_a_member_hands_history_to_every_socket_of_the_newcomer(registry: RoomStore, room: Room, mode: str) -> None:
    registry.attach(room.room_id, room.cleo.token, "cleo-2")
    registry.speak("ann-1", "m1")
    shared = registry.share("bob-1", room.cleo.you.id, [("m1", room.ann.you.id)])
    assert shared == Share(room.room_id, room.bob.you, mode, shared.sids, [True])
    assert sorted(shared.sids) == ["cleo-1", "cleo-2"]


def test_only_messages_the_room_keeps_by_the_author_named_pass(registry: RoomStore, room: Room, kept: Kept) -> None:
    ann, bob = room.ann.you.id, room.bob.you.id
    for sid, message_id in (("ann-1", "m1"), ("bob-1", "m2"), ("bob-1", "m3")):
        registry.speak(sid, message_id)
    registry.unsend("bob-1", "m3")
    offered = [("m1", ann), ("m2", bob), ("m3", bob), ("m1", bob), ("never-sent", ann), ("m2", "")]
    assert registry.share("ann-1", room.cleo.you.id, offered).kept == [True, True, False, False, False, False]
    assert registry.share("ann-1", room.cleo.you.id, []).kept == []
    assert kept.authors(room.room_id) == {"m1": ann, "m2": bob}  # reads only


def test_the_newcomer_is_someone_else_here_with_a_socket_open(registry: RoomStore, room: Room) -> None:
    away = registry.join(room.room_id, "Dan", PASSWORD)  # seated, never connected
    registry.logout("cleo-1")
    for newcomer in (room.bob.you.id, away.you.id, room.cleo.you.id, "nobody", "", None, 7, ["x"]):
        refuses(partial(registry.share, "bob-1", newcomer, []), Invalid, NO_SUCH_PARTICIPANT)


def test_history_needs_a_live_binding(registry: RoomStore, room: Room) -> None:
    with pytest.raises(Unauthorized):
        registry.share("nobody-1", room.cleo.you.id, [])
    registry.logout("bob-1")
    with pytest.raises(Unauthorized):
        registry.share("bob-1", room.cleo.you.id, [])


def test_history_stays_in_its_room(registry: RoomStore, room: Room, mode: str) -> None:
    other = open_room_as(registry, mode, "Zed")
    with pytest.raises(Invalid):
        registry.share("bob-1", other.you.id, [])


def test_history_reaches_a_newcomer_on_another_process(store: str, make_registry: MakeRegistry) -> None:
    """On Redis the sharer's process finds the sockets the newcomer opened on another one."""
    here = make_registry()
    there = make_registry() if store == "redis" else here
    ann = here.create("Book club", "Ann", PASSWORD, rules=HISTORY)
    here.attach(ann.room_id, ann.token, "ann-1")
    here.speak("ann-1", "m1")
    cleo = there.join(ann.room_id, "Cleo", PASSWORD)
    there.attach(ann.room_id, cleo.token, "cleo-1")
    assert here.share("ann-1", cleo.you.id, [("m1", ann.you.id)]).sids == ["cleo-1"]
    if not isinstance(here, MemoryRegistry):
        assert there.share("cleo-1", ann.you.id, [("m1", ann.you.id)]).kept == [True]


def open_room_as(registry: RoomStore, mode: str, alias: str) -> Binding:
    """Another room with history, its creator connected as `<alias>-1`: their binding."""
    binding = new_room(registry, mode, "Elsewhere", alias, PASSWORD, HISTORY)
    registry.attach(binding.room_id, binding.token, f"{alias.lower()}-1")
    return binding
