"""The per-binding socket cap holds across processes sharing one Redis: a binding's tabs count wherever they connect."""

from __future__ import annotations

import time

import pytest

from ephemeral import protocol
from tests.integration.test_multiprocess import processes  # noqa: F401 - the fixture, shared
from tests.support.people import EVENT_TIMEOUT, Person, Refused, Socket

PER_BINDING = 2
TOO_MANY = rf"^{protocol.REFUSED_TOO_MANY_SOCKETS}$"


def connect_when_allowed(person: Person, room_id: str, url: str) -> Socket:
    """The server frees a closed socket's place when it handles the close: retry until it has."""
    deadline = time.monotonic() + EVENT_TIMEOUT
    while True:
        try:
            return person.connect(room_id, url=url)
        except Refused as refusal:
            if str(refusal) != protocol.REFUSED_TOO_MANY_SOCKETS or time.monotonic() > deadline:
                raise


def test_one_bindings_sockets_on_two_processes_share_one_cap(processes, people_at):  # noqa: F811
    a, b = processes(2, {"EPHEMERAL_MAX_SOCKETS_PER_BINDING": str(PER_BINDING)})
    ann = people_at(a.url)
    room_id = ann.create(alias="ann").json()["room_id"]
    on_a = ann.connect(room_id, url=a.url)
    on_b = ann.connect(room_id, url=b.url)
    for sock in (on_a, on_b):
        assert sock.wait("welcome")["alias"] == "ann"
    for server in (a, b):
        with pytest.raises(Refused, match=TOO_MANY):
            ann.connect(room_id, url=server.url)
    on_b.close()  # a place frees on b; a sees it through Redis
    again = connect_when_allowed(ann, room_id, a.url)
    assert again.wait("welcome")["alias"] == "ann"
    with pytest.raises(Refused, match=TOO_MANY):
        ann.connect(room_id, url=b.url)
