"""Identity and isolation: the server decides who speaks, in which room, and who is there.

Payload fields never name a speaker or a room, unknown and reserved event names
do nothing, aliases that look alike collide, a binding opens one room only, and
a room that is gone answers the same way, just as fast, whatever ended it.

The tests on the shared server run on gevent with rooms in memory and on eventlet
with rooms in Redis: each async mode and each store once. What they prove (the
binding decides the speaker and the room, unknown names reach no handler) rests
on the handlers, each mode's Socket.IO server and each store's rooms, never on
which mode is paired with which store.
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

import pytest
import requests
import websocket

from tests.conftest import each_mode_and_store_once
from tests.support.payloads import aliases, notice
from tests.support.people import Person, Refused, Socket, next_loopback_address, raw_events_until, raw_socket
from tests.support.server import running_server

# Fields a client might hope the server trusts.
FORGED_FIELDS = {"alias": "carol", "id": "forged-id", "ts": 1, "by": "carol", "reason": "expired", "to": "everyone"}


@dataclass
class OtherRoom:
    room_id: str
    carol: Person
    carol_socket: Socket
    dave_socket: Socket


@pytest.fixture
def other_room(people):
    """Room B, with carol and dave connected and presence settled."""
    carol = people()
    room_id = carol.create(alias="carol", name="room B", password="b-secret").json()["room_id"]
    carol_socket = carol.connect(room_id)
    carol_socket.wait("welcome")
    dave = people()
    assert dave.join(room_id, alias="dave", password="b-secret").status_code == 200
    dave_socket = dave.connect(room_id)
    dave_socket.wait("welcome")
    for sock in (carol_socket, dave_socket):
        sock.wait_for("presence", lambda p: aliases(p) == ["carol", "dave"])
    return OtherRoom(room_id, carol, carol_socket, dave_socket)


def _assert_untouched(other: OtherRoom) -> None:
    """Room B saw nothing from room A, and still works for both its members."""
    text = f"B goes on {random.random()}"
    assert other.carol_socket.send(text)["ok"]
    # Events reach a socket in order: anything from room A would be queued before this.
    assert other.dave_socket.wait("message")["html"] == f"<p>{text}</p>"
    assert other.carol_socket.wait("message")["html"] == f"<p>{text}</p>"
    for sock in (other.carol_socket, other.dave_socket):
        for event in ("message", "presence", "purged", "disconnect"):
            assert sock.pending(event) == [], event
    fresh_tab = other.carol.connect(other.room_id)
    assert aliases(fresh_tab.wait("welcome")) == ["carol", "dave"]
    fresh_tab.close()


# -- payload fields never choose the speaker or the room ------------------------


@each_mode_and_store_once
def test_message_naming_another_room_goes_only_to_the_senders_room(room, other_room):
    ann, bob = room.members
    payload = {"text": "for room A", **FORGED_FIELDS, "room": other_room.room_id, "room_id": other_room.room_id}
    ack = ann.socket.call("message", payload)
    assert ack["ok"] is True
    message = bob.socket.wait("message")
    assert (message["alias"], message["html"], message["id"]) == ("ann", "<p>for room A</p>", ack["id"])
    assert message["ts"] > 1_600_000_000_000
    _assert_untouched(other_room)


@each_mode_and_store_once
def test_logout_naming_another_room_logs_out_only_the_sender(room, other_room, people):
    ann, bob = room.members
    payload = {**FORGED_FIELDS, "room": other_room.room_id, "room_id": other_room.room_id, "token": "x"}
    assert bob.socket.call("logout", payload) == {"ok": True}
    bob.socket.wait("disconnect")
    assert ann.socket.wait_for("presence", lambda p: aliases(p) == ["ann"])
    _assert_untouched(other_room)
    # carol's binding in B is alive: her alias is still taken there.
    assert people().join(other_room.room_id, alias="carol", password="b-secret").status_code == 409


@each_mode_and_store_once
def test_purge_naming_another_room_purges_only_the_senders_room(room, other_room, people):
    ann, bob = room.members
    payload = {**FORGED_FIELDS, "room": other_room.room_id, "room_id": other_room.room_id}
    assert ann.socket.call("purge", payload) == {"ok": True}
    for member in (ann, bob):
        assert notice(member.socket.wait("purged")) == {"reason": "purged", "by": "ann"}
        member.socket.wait("disconnect")
    assert people().join(room.room_id, alias="eve", password=room.password).status_code == 404
    _assert_untouched(other_room)
    assert people().join(other_room.room_id, alias="eve", password="b-secret").status_code == 200


# -- unknown and reserved event names do nothing --------------------------------

UNKNOWN_EVENTS = [
    "welcome",
    "presence",
    "purged",
    "message ",
    " message",
    "Message",
    "MESSAGE",
    "message\x00",
    "logout ",
    "purge\u200b",
    "connect",
    "disconnect",
    "connect_error",
    "json",
    "*",
    "",
    "_test_raise",  # a test-only hook; absent unless EPHEMERAL_TEST_HOOKS=1
    "m" * 40_000,
]
HOPEFUL_PAYLOAD = {
    "text": "rebroadcast me",
    "html": "<b>rebroadcast me</b>",
    "participants": ["mallory"],
    "reason": "purged",
    "by": "bob",
    "alias": "bob",
    "room": "A" * 22,
}


def _settle(sockets: list[Socket], participants: list[str]) -> None:
    """Consume the presence updates of the setup, so later ones stand out."""
    for sock in sockets:
        sock.wait_for("presence", lambda p: aliases(p) == participants)


def _frames_until_barrier(ws: websocket.WebSocket) -> list[tuple[str, object]]:
    """What a raw member read up to the barrier message, less the presence of the room as set up."""
    seen = raw_events_until(ws, lambda name, payload: name == "message")
    assert seen[-1][1]["html"] == "<p>barrier</p>", seen
    return [
        (name, payload)
        for name, payload in seen[:-1]
        if not (name == "presence" and aliases(payload) == ["ann", "bob"])
    ]


@each_mode_and_store_once
@pytest.mark.parametrize("name", UNKNOWN_EVENTS, ids=[repr(n[:20]) for n in UNKNOWN_EVENTS])
def test_unknown_event_is_ignored_and_never_rebroadcast(room, name):
    ann, bob = room.members
    _settle([bob.socket], ["ann", "bob"])
    # A reader at the frame level: the client library hides events named `connect` or `disconnect`.
    observer = raw_socket(bob.person, room.room_id)
    acked = threading.Event()
    ann.socket.client.emit(name, HOPEFUL_PAYLOAD, callback=lambda *_: acked.set())
    ann.socket.client.emit(name, ({}, {"room": room.room_id}))  # the shape of a connect's arguments
    assert ann.socket.send("barrier")["ok"]
    assert _frames_until_barrier(observer) == []
    observer.close()
    assert bob.socket.wait("message")["html"] == "<p>barrier</p>"
    assert ann.socket.wait("message")["html"] == "<p>barrier</p>"
    for sock in (ann.socket, bob.socket):
        for event in ("welcome", "presence", "message", "purged", "disconnect"):
            assert sock.pending(event) == [], event
    assert not acked.is_set()
    # Nobody dropped out of presence or was seated again.
    tab = bob.person.connect(room.room_id)
    assert aliases(tab.wait("welcome")) == ["ann", "bob"]


@each_mode_and_store_once
def test_fake_disconnect_cannot_hide_a_reader(room):
    """A client `disconnect` event must not take its socket out of presence while it still reads."""
    ann, bob = room.members
    _settle([bob.socket], ["ann", "bob"])
    bob.socket.client.emit("disconnect", "client disconnect")
    bob.socket.client.emit("disconnect")
    assert ann.socket.send("who reads this?")["ok"]
    assert bob.socket.wait("message")["html"] == "<p>who reads this?</p>"
    assert ann.socket.pending("presence") == []
    # Logging out from another tab must close the first socket too: the server still knows it.
    second_tab = bob.person.connect(room.room_id)
    second_tab.wait("welcome")
    assert second_tab.call("logout") == {"ok": True}
    second_tab.wait("disconnect")
    bob.socket.wait("disconnect")
    assert ann.socket.wait_for("presence", lambda p: aliases(p) == ["ann"])


@each_mode_and_store_once
def test_fake_connect_cannot_attach_a_socket_to_a_second_room(people):
    """One person bound to A and B; a `connect` event on the A socket naming B changes nothing."""
    ann = people()
    room_a = ann.create(alias="ann", name="A", password="pw").json()["room_id"]
    room_b = ann.create(alias="ann", name="B", password="pw").json()["room_id"]
    dave = people()
    assert dave.join(room_b, alias="dave", password="pw").status_code == 200
    dave_socket = dave.connect(room_b)
    dave_socket.wait("welcome")
    _settle([dave_socket], ["dave"])
    socket_a = ann.connect(room_a)
    assert socket_a.wait("welcome")["room_id"] == room_a
    _settle([socket_a], ["ann"])
    socket_a.client.emit("connect", ({}, {"room": room_b}))
    socket_a.client.emit("connect", {"room": room_b})
    assert socket_a.send("said in A")["ok"]
    assert socket_a.wait("message")["html"] == "<p>said in A</p>"
    assert socket_a.pending("welcome") == []
    assert dave_socket.send("said in B")["ok"]
    assert dave_socket.wait("message")["html"] == "<p>said in B</p>"
    assert dave_socket.pending("message") == [] and dave_socket.pending("presence") == []
    assert socket_a.send("A again")["ok"]
    assert socket_a.wait("message")["html"] == "<p>A again</p>"  # "said in B" would have come first


# Aliases that look alike collide or are refused: tests/inprocess/test_validation.py.


# -- a binding opens one room --------------------------------------------------


@each_mode_and_store_once
def test_binding_opens_only_its_own_room_and_dies_alone(people, server):
    ann = people()
    room_a = ann.create(alias="ann", name="A", password="pw").json()["room_id"]
    bob = people()
    room_b = bob.create(alias="bob", name="B", password="pw").json()["room_id"]
    assert ann.join(room_b, alias="ann", password="pw").status_code == 200
    cookie = ann.cookie_header()  # holds bindings to A and B
    socket_a = ann.connect(room_a, cookie=cookie)
    assert socket_a.wait("welcome")["room_id"] == room_a
    assert ann.connect(room_b, cookie=cookie).wait("welcome")["room_id"] == room_b

    assert socket_a.call("logout") == {"ok": True}
    socket_a.wait("disconnect")
    with pytest.raises(Refused, match=r"^unauthorized$"):
        ann.connect(room_a, cookie=cookie)
    assert ann.connect(room_b, cookie=cookie).wait("welcome")["alias"] == "ann"
    page_a = requests.get(f"{server.url}/r/{room_a}", headers={"Cookie": cookie}, timeout=10)
    page_b = requests.get(f"{server.url}/r/{room_b}", headers={"Cookie": cookie}, timeout=10)
    assert 'id="chat"' not in page_a.text and 'name="password"' in page_a.text
    assert 'id="chat"' in page_b.text


# -- unknown, expired and purged rooms answer alike, and as fast ------------------

SAMPLES = 200
WARM_UP = 20
NOISE_FLOOR = 0.003  # seconds
NOISE_SHARE = 0.5
JOIN_BODY = json.dumps({"alias": "eve", "password": "a guess"})


def _poll_until_gone(srv, room_id: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while requests.get(f"{srv.url}/r/{room_id}", timeout=10).status_code != 404:
        assert time.monotonic() < deadline, "the room never went away"
        time.sleep(0.05)  # polling for a state change, not synchronising


def _purged_room(srv) -> str:
    """A purged room; retried if the one-second TTL ended it first on a slow machine."""
    for _attempt in range(5):
        owner = Person(srv.url)
        room_id = owner.create().json()["room_id"]
        try:
            sock = owner.connect(room_id)
            sock.wait("welcome")
            if sock.call("purge") == {"ok": True}:
                return room_id
        except (Refused, AssertionError):
            continue
        finally:
            owner.close()
    raise AssertionError("could not purge a room before it expired")


Answer = tuple[int, bytes, frozenset[tuple[str, str]]]


def _comparable(status: int, body: bytes, headers: Iterable[tuple[str, str]]) -> Answer:
    return status, body, frozenset((k.lower(), v) for k, v in headers if k.lower() != "date")


def _page(srv, room_id: str) -> tuple[int, str]:
    response = requests.get(f"{srv.url}/r/{room_id}", timeout=10)
    return response.status_code, response.text


def _one_shot_join(port: int, address: str, room_id: str) -> Answer:
    """A JSON join on a fresh connection: gevent's server answers a kept-alive one ~40 ms late."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(address, 0))
    try:
        connection.request(
            "POST", f"/api/rooms/{room_id}/join", JOIN_BODY, headers={"Content-Type": "application/json"}
        )
        response = connection.getresponse()
        return _comparable(response.status, response.read(), response.getheaders())
    finally:
        connection.close()


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_unknown_expired_and_purged_rooms_answer_alike_in_body_and_time(tmp_path, async_mode):
    # A real bcrypt cost, so that a gone room which still checked the password would stand out.
    env = {"EPHEMERAL_ROOM_TTL": "1", "EPHEMERAL_BCRYPT_COST": "10"}
    with running_server(tmp_path, async_mode, env) as srv:
        rooms = {"purged": _purged_room(srv)}
        rooms["expired"] = Person(srv.url).create().json()["room_id"]
        rooms["unknown"] = "Q" * 22
        for room_id in rooms.values():
            _poll_until_gone(srv, room_id)

        address = next_loopback_address()
        answers: dict[str, set[Answer]] = {kind: set() for kind in rooms}
        timings: dict[str, list[float]] = {kind: [] for kind in rooms}
        order = random.Random(20240601)
        kinds = list(rooms)
        for round_number in range(WARM_UP + SAMPLES):
            for kind in order.sample(kinds, len(kinds)):
                started = time.perf_counter()
                answer = _one_shot_join(srv.port, address, rooms[kind])
                elapsed = time.perf_counter() - started
                answers[kind].add(answer)
                if round_number >= WARM_UP:
                    timings[kind].append(elapsed)
        pages = {_page(srv, room_id) for room_id in rooms.values()}

    distinct = set().union(*answers.values())
    assert len(distinct) == 1, "the three kinds of gone room answered differently"
    status, body, _headers = distinct.pop()
    assert status == 404 and b"not_found" in body  # not 429: nothing here may count as a guess
    assert len(pages) == 1 and pages.pop()[0] == 404

    medians = {kind: statistics.median(values) for kind, values in timings.items()}
    report = ", ".join(f"{kind} {value * 1000:.2f} ms" for kind, value in medians.items())
    for first in kinds:
        for second in kinds:
            low, high = sorted((medians[first], medians[second]))
            assert high - low <= max(NOISE_FLOOR, NOISE_SHARE * low), f"median join times differ: {report}"
