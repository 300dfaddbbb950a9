"""A socket still connecting when its binding or room is revoked never stays to read the room.

While the connect handler waits on the room store, python-socketio holds the
socket as "pending", and a disconnect did nothing to it: a logout of the same
binding, or a purge of its room, that landed then left a socket that finished
connecting and read the room unseen, while presence no longer listed it (on
Redis, a few tries in a hundred). Here the revocation must reach it: the
socket is refused, or disconnected the moment it has connected.

The servers run with test hooks (`ephemeral/connect_hold.py`): a test holds a
connect between its handler and its CONNECT packet, revokes it from another
process (from the same one in memory mode), and sees the revocation meet the
pending socket before letting it go on. Then hundreds of logouts race with a
connect of the same binding, with nothing held.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import websocket

from ephemeral.room_channels import COMMON
from tests.conftest import DEPLOYMENTS
from tests.support.people import EVENT_TIMEOUT, Person, raw_socket
from tests.support.process import HOOKS, wait_until
from tests.support.redis import RedisServer, running_redis
from tests.support.server import RunningServer, running_server, start_all, stop_all

SHARED = [deployment for deployment in DEPLOYMENTS if deployment[1] == "redis"]
# Connecting sockets that race a logout of their binding: on Redis, where the race is the store's round trips;
# in memory, where only the pause below opens a window.
TRIES = {"redis": 150, "memory": 50}
# Each connect waits this long after its handler: a logout sent with the CONNECT often lands then.
PAUSE = 0.01
LOGOUT = '421["logout",{}]'
# Seconds new processes get to subscribe to one another, before any socket has come.
LISTEN_WAIT = 5.0


@dataclass
class Processes:
    """`here`, where sockets connect, and `elsewhere`, where revocations start (the same process in memory)."""

    here: RunningServer
    elsewhere: RunningServer
    # On Redis: processes subscribed to the shared channel before anything connected to them.
    listening_at_start: int = 0


def _listeners(redis: RedisServer) -> int:
    with redis.client() as client:
        return int(dict(client.pubsub_numsub(COMMON)).get(COMMON, 0))


@pytest.fixture(scope="module", params=DEPLOYMENTS, ids=["-".join(d) for d in DEPLOYMENTS])
def processes(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Processes]:
    """Two processes on their own Redis, or one in memory, with test hooks."""
    async_mode, backend = request.param
    output = tmp_path_factory.mktemp("connecting")
    with contextlib.ExitStack() as stack:
        if backend == "memory":
            alone = stack.enter_context(running_server(output, async_mode, HOOKS))
            yield Processes(alone, alone)
            return
        redis = stack.enter_context(running_redis(output))
        env = {**HOOKS, **redis.env()}
        started = start_all(output, [(async_mode, env)] * 2)
        stack.callback(stop_all, started)
        with contextlib.suppress(AssertionError):  # the test below reads how many did
            wait_until(lambda: _listeners(redis) >= len(started), LISTEN_WAIT, "every process subscribed")
        yield Processes(*started, listening_at_start=_listeners(redis))


def hook(srv: RunningServer, action: str, body: dict[str, Any] | None = None) -> None:
    answer = requests.post(f"{srv.url}/_test/connects/{action}", json=body or {}, timeout=EVENT_TIMEOUT)
    assert answer.status_code == 200, answer.text


def counts(srv: RunningServer) -> dict[str, int]:
    """Connects held now, and disconnects that have met a socket still connecting."""
    found: dict[str, int] = requests.get(f"{srv.url}/_test/connects", timeout=EVENT_TIMEOUT).json()
    return found


def connecting(person: Person, url: str, room_id: str) -> websocket.WebSocket:
    """A raw socket of `person` at the process at `url` that has sent its CONNECT, answered or not."""
    ws = websocket.create_connection(
        url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket",
        header=[f"Cookie: {person.cookie_header()}"],
        timeout=EVENT_TIMEOUT,
    )
    assert ws.recv().startswith("0{")
    ws.send("40" + json.dumps({"room": room_id}))
    return ws


def until_refused_or_disconnected(ws: websocket.WebSocket) -> list[str]:
    """Every packet up to CONNECT_ERROR (44) or DISCONNECT (41); fails if neither comes within EVENT_TIMEOUT."""
    packets: list[str] = []
    deadline = time.monotonic() + EVENT_TIMEOUT
    while not packets or packets[-1][:2] not in ("41", "44"):
        ws.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            packet = ws.recv()
        except websocket.WebSocketTimeoutException:
            raise AssertionError(f"neither refused nor disconnected; it read {packets}") from None
        if packet == "2":  # a ping, answered as clients do
            ws.send("3")
        else:
            packets.append(packet)
    return packets


def _room_with_host(people_at: Callable[[str], Person], srv: RunningServer) -> tuple[str, Any]:
    host = people_at(srv.url)
    room_id: str = host.create(alias="host").json()["room_id"]
    host_socket = host.connect(room_id)
    assert host_socket.wait("welcome")["alias"] == "host"
    return room_id, host_socket


@pytest.mark.parametrize("processes", SHARED, ids=["-".join(d) for d in SHARED], indirect=True)
def test_every_process_hears_the_others_before_its_first_socket(processes: Processes) -> None:
    """python-socketio subscribes at the first connection; what others published before, such as a logout of
    that very socket's binding, was lost."""
    assert processes.listening_at_start == 2


@pytest.mark.parametrize("revocation", ["logout", "purge"])
def test_a_revocation_that_meets_a_connecting_socket_disconnects_it_once_connected(
    processes: Processes, people_at: Callable[[str], Person], revocation: str
) -> None:
    here, elsewhere = processes.here, processes.elsewhere
    room_id, host_socket = _room_with_host(people_at, elsewhere)
    ann = people_at(elsewhere.url)
    assert ann.join(room_id, alias="ann").status_code == 200
    first = raw_socket(ann, room_id)
    hook(here, "hold")
    try:
        late = connecting(ann, here.url, room_id)
        wait_until(lambda: counts(here)["held"] == 1, EVENT_TIMEOUT, "the connect held")
        met = counts(here)["pending_disconnects"]
        if revocation == "logout":
            first.send(LOGOUT)
        else:
            assert host_socket.call("purge")["ok"]
        wait_until(lambda: counts(here)["pending_disconnects"] > met, EVENT_TIMEOUT, "the revocation met the socket")
        if revocation == "logout":
            assert host_socket.send("said after the logout")["ok"]
    finally:
        hook(here, "release")
    packets = until_refused_or_disconnected(late)
    assert packets[-1] == "41" and any(p.startswith('40{"sid"') for p in packets), packets
    assert not [p for p in packets if p.startswith(('42["message"', '42["welcome"'))], packets
    if revocation == "logout":
        assert people_at(here.url).join(room_id, alias="ann").status_code == 200  # the alias is free
    late.close()
    first.close()


def test_logouts_racing_connects_of_their_binding_leave_no_reader(
    processes: Processes, people_at: Callable[[str], Person]
) -> None:
    """Each try: one tab logs out as another connects; the new socket is refused or disconnected, every time."""
    here, elsewhere = processes.here, processes.elsewhere
    room_id, _host_socket = _room_with_host(people_at, elsewhere)
    met = counts(here)["pending_disconnects"]
    hook(here, "hold", {"seconds": PAUSE})
    for n in range(TRIES["memory" if here is elsewhere else "redis"]):
        person = people_at(elsewhere.url)
        assert person.join(room_id, alias=f"p{n}").status_code == 200
        first = raw_socket(person, room_id)
        late = connecting(person, here.url, room_id)
        first.send(LOGOUT)
        packets = until_refused_or_disconnected(late)
        assert not [p for p in packets if p.startswith('42["message"')], packets
        late.close()
        first.close()
        person.close()
    hook(here, "release")
    assert counts(here)["pending_disconnects"] > met, "no logout met a connecting socket: the race was not run"
