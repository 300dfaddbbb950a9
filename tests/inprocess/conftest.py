"""In-process fixtures: a fresh app per test (its own rooms and limits), people, a room of two.

`room` is a standard room; `any_room` is one of each mode (`mode`), for the rules
that hold alike in a server-blind room, whose keys are random bytes of the right
shapes (the server opens none of them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from ephemeral import create_app, socketio
from ephemeral.rooms import E2E, MODES, STANDARD
from tests.support.e2e_shapes import create_body, envelope
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
    password: str  # a server-blind room's verifier
    members: list[Member]
    mode: str = STANDARD


def message_in(mode: str, text: str = "hello") -> dict[str, Any]:
    """A good `message` payload for a room of `mode`: text, or an envelope of one padded block."""
    return {"e2e": envelope()} if mode == E2E else {"text": text}


def open_room(people: Callable[[], Person], mode: str, **rules: Any) -> Room:
    """A room of `mode` (and `rules`: kind, purge, ttl, seats) with ann (host) and bob connected; presence settled."""
    ann = people()
    if mode == E2E:
        body = create_body(alias="ann", **rules)
        created = ann.post_json("/api/rooms", body).json()
        secret = {"verifier": body["verifier"]}
    else:
        created = ann.create(alias="ann", name="test room", password="secret", **rules).json()
        secret = {"password": "secret"}
    ann_socket = ann.connect(created["room_id"])
    bob = people()
    joined = bob.post_json(f"/api/rooms/{created['room_id']}/join", {"alias": "bob", **secret}).json()
    bob_socket = bob.connect(created["room_id"])
    assert aliases(bob_socket.wait("welcome")) == ["ann", "bob"]
    ann_socket.wait_for("presence", lambda p: aliases(p) == ["ann", "bob"])
    return Room(
        created["room_id"],
        next(iter(secret.values())),
        [
            Member(ann, ann_socket, "ann", created["participant_id"]),
            Member(bob, bob_socket, "bob", joined["participant_id"]),
        ],
        mode,
    )


@pytest.fixture
def room(people: Callable[[], Person]) -> Room:
    """A standard room with ann (host) and bob connected; presence has settled at two."""
    return open_room(people, STANDARD)


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def any_room(people: Callable[[], Person], mode: str) -> Room:
    """A room of two, in each mode."""
    return open_room(people, mode)
