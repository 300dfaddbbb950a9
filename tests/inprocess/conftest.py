"""In-process fixtures: a fresh app per test (its own rooms and limits), people, a room of two."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from ephemeral import create_app, socketio
from tests.support.inprocess import BackgroundTasks, Person, Socket
from tests.support.payloads import aliases


@pytest.fixture
def tasks(monkeypatch: pytest.MonkeyPatch) -> BackgroundTasks:
    queued = BackgroundTasks()
    monkeypatch.setattr(socketio, "start_background_task", queued.start)
    return queued


@pytest.fixture
def app(tasks: BackgroundTasks) -> Iterator[Flask]:
    built = create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4}, environ={})
    yield built
    tasks.run()


@pytest.fixture
def people(app: Flask, tasks: BackgroundTasks) -> Callable[[], Person]:
    return lambda: Person(app, tasks)


@dataclass
class Member:
    person: Person
    socket: Socket
    alias: str
    id: str


@dataclass
class Room:
    room_id: str
    password: str
    members: list[Member]


@pytest.fixture
def room(people: Callable[[], Person]) -> Room:
    """A room with ann (host) and bob connected; presence has settled at two."""
    ann = people()
    created = ann.create(alias="ann", name="test room", password="secret").json()
    ann_socket = ann.connect(created["room_id"])
    bob = people()
    joined = bob.join(created["room_id"], alias="bob", password="secret").json()
    bob_socket = bob.connect(created["room_id"])
    assert aliases(bob_socket.wait("welcome")) == ["ann", "bob"]
    ann_socket.wait_for("presence", lambda p: aliases(p) == ["ann", "bob"])
    return Room(
        created["room_id"],
        "secret",
        [
            Member(ann, ann_socket, "ann", created["participant_id"]),
            Member(bob, bob_socket, "bob", joined["participant_id"]),
        ],
    )
