"""Sockets per binding and per client address are capped; past either cap `connect_error` says `too_many_sockets`.

A refused socket holds no place, and a socket that closes, even while it is
still connecting, gives its places back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from ephemeral import create_app, protocol, socketio
from ephemeral.services import Services
from tests.support.inprocess import BackgroundTasks, Person, Socket
from tests.support.payloads import aliases
from tests.support.people import Refused

PER_BINDING = 2
PER_ADDRESS = 3
TOO_MANY = rf"^{protocol.REFUSED_TOO_MANY_SOCKETS}$"


@pytest.fixture
def app(tasks: BackgroundTasks) -> Iterator[Flask]:
    caps = {"MAX_SOCKETS_PER_BINDING": PER_BINDING, "MAX_SOCKETS_PER_ADDRESS": PER_ADDRESS}
    built = create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4, **caps}, environ={})
    yield built
    tasks.run()


@pytest.fixture
def svc(app: Flask) -> Services:
    found: Services = app.extensions["ephemeral"]
    return found


@pytest.fixture
def room_id(people: Callable[[], Person]) -> str:
    room: str = people().create(alias="host").json()["room_id"]
    return room


def member(people: Callable[[], Person], room_id: str, alias: str, address: str | None = None) -> Person:
    """Someone who joined the room, from their own address unless one is given."""
    person = people()
    if address is not None:
        person.http.environ_base["REMOTE_ADDR"] = address
    assert person.join(room_id, alias=alias).status_code == 200
    return person


def close(socket: Socket) -> None:
    socket.client.disconnect()
    assert not socket.connected


def test_a_binding_past_its_cap_is_refused_until_one_of_its_sockets_closes(
    people: Callable[[], Person], room_id: str
) -> None:
    ann = member(people, room_id, "ann")
    tabs = [ann.connect(room_id) for _ in range(PER_BINDING)]
    with pytest.raises(Refused, match=TOO_MANY):
        ann.connect(room_id)
    close(tabs[0])
    assert ann.connect(room_id).wait("welcome")["alias"] == "ann"


ONE_CLIENT = [
    pytest.param(["198.51.100.7"] * (PER_ADDRESS + 1), id="ipv4"),
    pytest.param([f"2001:db8:1:2::{n + 1:x}" for n in range(PER_ADDRESS + 1)], id="ipv6-one-64"),
    pytest.param(["::ffff:198.51.100.7", "198.51.100.7", "::ffff:198.51.100.7", "198.51.100.7"], id="ipv4-mapped"),
]


@pytest.mark.parametrize("addresses", ONE_CLIENT)
def test_a_client_address_past_its_cap_is_refused_whatever_its_bindings(
    people: Callable[[], Person], room_id: str, addresses: list[str]
) -> None:
    crowd = [member(people, room_id, f"p{n}", address) for n, address in enumerate(addresses)]
    sockets = [person.connect(room_id) for person in crowd[:PER_ADDRESS]]
    with pytest.raises(Refused, match=TOO_MANY):
        crowd[-1].connect(room_id)
    # Another client, even in the neighbouring /64 or the next IPv4 address, has places of its own.
    neighbour = "2001:db8:1:3::1" if ":" in addresses[-1] else "198.51.100.8"
    member(people, room_id, "next door", neighbour).connect(room_id).wait("welcome")
    close(sockets[0])
    assert crowd[-1].connect(room_id).wait("welcome")["alias"] == f"p{len(addresses) - 1}"


def test_a_refused_socket_holds_no_place(people: Callable[[], Person], room_id: str, svc: Services) -> None:
    address = "203.0.113.5"
    stranger = people()
    stranger.http.environ_base["REMOTE_ADDR"] = address
    for _ in range(PER_ADDRESS + 1):
        with pytest.raises(Refused, match=r"^unauthorized$"):
            stranger.connect(room_id)  # no binding
    ann = member(people, room_id, "ann", address)
    ann_tabs = [ann.connect(room_id) for _ in range(PER_BINDING)]
    with pytest.raises(Refused, match=TOO_MANY):
        ann.connect(room_id)  # her binding's cap, not the address's
    bob = member(people, room_id, "bob", address)
    bob.connect(room_id).wait("welcome")  # the address's last place
    with pytest.raises(Refused, match=TOO_MANY):
        bob.connect(room_id)
    for tab in ann_tabs:
        close(tab)
    assert len(svc.sockets) == 1  # only the address of bob's one socket is still counted


def test_a_socket_that_closes_while_it_connects_keeps_no_place(
    people: Callable[[], Person], room_id: str, svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its connection ends while the store is still answering: no disconnect handler will ever run for it."""
    ann = member(people, room_id, "ann")
    attach = svc.registry.attach

    def attach_then_connection_lost(*args: Any) -> Any:
        seat = attach(*args)
        server = socketio.server
        eio_sid = server.manager.eio_sid_from_sid(args[2], "/")
        server._handle_eio_disconnect(eio_sid, server.reason.TRANSPORT_CLOSE)  # what a dropped connection runs
        return seat

    monkeypatch.setattr(svc.registry, "attach", attach_then_connection_lost)
    with pytest.raises(Refused):
        ann.connect(room_id)
    monkeypatch.undo()
    assert svc.registry.presence(room_id) == []  # no ghost in the room
    assert len(svc.sockets) == 0
    assert aliases(ann.connect(room_id).wait("welcome")) == ["ann"]
