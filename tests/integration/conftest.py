"""Rooms with people already in them, over real sockets."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.support.payloads import aliases
from tests.support.people import Person, Socket


@dataclass
class Member:
    person: Person
    socket: Socket
    alias: str


@dataclass
class Room:
    room_id: str
    password: str
    members: list[Member]


@pytest.fixture
def room(people):
    """A room with ann and bob connected; both have seen presence settle at two."""
    ann = people()
    room_id = ann.create(alias="ann", name="test room", password="secret").json()["room_id"]
    ann_socket = ann.connect(room_id)
    assert ann_socket.wait("welcome")["alias"] == "ann"
    bob = people()
    assert bob.join(room_id, alias="bob", password="secret").status_code == 200
    bob_socket = bob.connect(room_id)
    assert aliases(bob_socket.wait("welcome")) == ["ann", "bob"]
    ann_socket.wait_for("presence", lambda p: aliases(p) == ["ann", "bob"])
    return Room(room_id, "secret", [Member(ann, ann_socket, "ann"), Member(bob, bob_socket, "bob")])
