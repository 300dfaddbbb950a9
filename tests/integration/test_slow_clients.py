"""Slow clients cannot hold the built-in server: request deadlines, and a bound on connections per address.

The server process runs with 1,024 descriptors, the soft limit many systemd
services and containers start with: without the bound, 2,000 connections that
never finish their headers take every descriptor (gevent) or every slot of
eventlet's pool, and nobody else gets in.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import select
import selectors
import socket
import time
from collections.abc import Iterator

import pytest
import requests

from tests.support.people import Person, next_loopback_address
from tests.support.process import fd_count, wait_until
from tests.support.server import RunningServer, running_server

ASYNC_MODES = ["gevent", "eventlet"]
SLOW_CONNECTIONS = 2000
BOUND = 100
LOW_FILE_LIMIT = ("prlimit", "--nofile=1024:1024", "--")
# Below eventlet's listen backlog (50): an overflowing backlog drops SYNs, which cost the client a second each.
BATCH = 40
PARTIAL_HEAD = b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
# Seconds without progress after which the server counts as having stopped taking connections.
STALL = 10.0

DEADLINE = 1  # EPHEMERAL_HEADER_TIMEOUT of the deadline server
PING_INTERVAL = 2  # so that a long poll outlasts the deadline
PACE = 0.1  # seconds between trickled bytes: well inside the deadline, so a per-read timeout would never fire
CLOSED_WITHIN = 15.0  # generous; each trickle below takes over 30 s to finish


class SlowConnections:
    """Connections from one address that each stop partway through their headers; notes which the server closed."""

    def __init__(self, srv: RunningServer, source: str) -> None:
        self._srv = srv
        self._source = source
        self._selector = selectors.DefaultSelector()
        self.opened = 0
        self.closed = 0

    def open(self, count: int) -> None:
        """Open `count`, a batch at a time, each batch once the server has accepted or closed the last one.

        If the server stops taking them (out of descriptors, or of pool slots),
        opening stops there: that is the attack succeeding.
        """
        baseline = fd_count(self._srv.process.pid)
        while self.opened < count:
            for _ in range(min(BATCH, count - self.opened)):
                conn = socket.create_connection(("127.0.0.1", self._srv.port), 10, (self._source, 0))
                self.opened += 1
                try:
                    conn.sendall(PARTIAL_HEAD)
                except OSError:  # closed by the server already
                    self._closed(conn)
                    continue
                conn.setblocking(False)
                self._selector.register(conn, selectors.EVENT_READ)

            if not self._settle(baseline):
                return

    def _settle(self, baseline: int) -> bool:
        """Wait until the server has accepted or closed every connection opened so far; False if it stalls."""
        stalled = time.monotonic() + STALL
        while time.monotonic() < stalled:
            # Give or take the start-up probe's keep-alive connection, closed meanwhile.
            if fd_count(self._srv.process.pid) - baseline + self.closed >= self.opened - 10:
                return True
            self._selector.select(timeout=0.01)  # wakes as soon as the server closes one
            self.drain()
        return False

    def drain(self) -> None:
        """Note every connection the server has closed since the last look."""
        for key, _ in self._selector.select(timeout=0):
            conn = key.fileobj
            assert isinstance(conn, socket.socket)
            try:
                if conn.recv(4096):
                    continue  # an answer, though the head is unfinished: still open
            except BlockingIOError:
                continue
            except OSError:
                pass
            self._closed(conn)

    def held(self) -> int:
        self.drain()
        return self.opened - self.closed

    def _closed(self, conn: socket.socket) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(conn)
        conn.close()
        self.closed += 1

    def close(self) -> None:
        for key in list(self._selector.get_map().values()):
            self._closed(key.fileobj)  # type: ignore[arg-type]
        self._selector.close()


@contextlib.contextmanager
def slow_connections(srv: RunningServer, source: str, count: int) -> Iterator[SlowConnections]:
    connections = SlowConnections(srv, source)
    try:
        connections.open(count)
        yield connections
    finally:
        connections.close()


def _create_and_chat(url: str) -> None:
    person = Person(url)
    try:
        answer = person.create()
        assert answer.status_code == 201
        sock = person.connect(answer.json()["room_id"])
        assert sock.wait("welcome")["alias"] == "ann"
        assert sock.send("still served")["ok"]
        assert sock.wait("message")["html"] == "<p>still served</p>"
    finally:
        person.close()


@pytest.mark.parametrize("async_mode", ASYNC_MODES)
def test_slow_connections_from_one_address_leave_room_for_everyone_else(tmp_path, async_mode):
    """2,000 connections stalled mid-headers from one address; someone else still creates a room and chats.

    The header deadline is long here, so only the per-address bound can let them in.
    """
    env = {"EPHEMERAL_MAX_CONNECTIONS_PER_ADDRESS": str(BOUND), "EPHEMERAL_HEADER_TIMEOUT": "300"}
    attacker = next_loopback_address()
    with running_server(tmp_path, async_mode, env, wrapper=LOW_FILE_LIMIT) as srv:
        with slow_connections(srv, attacker, SLOW_CONNECTIONS) as attack:
            _create_and_chat(srv.url)
            assert attack.opened == SLOW_CONNECTIONS
            wait_until(lambda: attack.held() <= BOUND, 30, "connections past the bound closed")
            assert attack.held() == BOUND
        assert srv.alive()
        output = srv.output()
    assert "refused" in output  # as a count
    assert attacker not in output


@pytest.fixture(scope="module", params=ASYNC_MODES)
def deadline_server(request, tmp_path_factory) -> Iterator[RunningServer]:
    env = {"EPHEMERAL_HEADER_TIMEOUT": str(DEADLINE), "EPHEMERAL_PING_INTERVAL": str(PING_INTERVAL)}
    with running_server(tmp_path_factory.mktemp("deadline"), request.param, env) as srv:
        yield srv


def _still_open_while_trickling(trickles: dict[socket.socket, bytes]) -> list[socket.socket]:
    """Send each connection its bytes, one every PACE seconds, until the server closes it; those it never closed."""
    sent = dict.fromkeys(trickles, 0)
    given_up = time.monotonic() + CLOSED_WITHIN
    while sent and time.monotonic() < given_up:
        for conn in list(sent):
            data = trickles[conn]
            if sent[conn] < len(data):
                try:
                    sent[conn] += conn.send(data[sent[conn] : sent[conn] + 1])
                except OSError:
                    del sent[conn]
        readable, _, _ = select.select(list(sent), [], [], PACE)
        for conn in readable:
            with contextlib.suppress(BlockingIOError):
                try:
                    if conn.recv(65536):
                        continue
                except OSError:
                    pass
                del sent[conn]
    return list(sent)


BODY = json.dumps({"alias": "ann", "name": "room", "password": "p" * 300}).encode()
POST_HEAD = (
    b"POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY)
)


def _trickled_head(port: int) -> tuple[socket.socket, bytes]:
    return socket.create_connection(("127.0.0.1", port)), b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 300


def _trickled_body(port: int) -> tuple[socket.socket, bytes]:
    conn = socket.create_connection(("127.0.0.1", port))
    conn.sendall(POST_HEAD)
    return conn, BODY


def _idle_after_a_request(port: int) -> tuple[socket.socket, bytes]:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    client.request("GET", "/healthz")
    answer = client.getresponse()
    assert answer.status == 200
    answer.read()
    assert client.sock is not None  # kept alive
    return client.sock, b""


def test_requests_that_trickle_or_idle_are_closed_at_the_deadline(deadline_server):
    """Headers or a body a byte at a time, or nothing after a response: closed, though no read ever waits long."""
    openings = {"head": _trickled_head, "body": _trickled_body, "idle": _idle_after_a_request}
    trickles, names = {}, {}
    try:
        for name, opening in openings.items():
            conn, data = opening(deadline_server.port)
            conn.setblocking(False)
            trickles[conn], names[conn] = data, name
        assert [names[conn] for conn in _still_open_while_trickling(trickles)] == []
    finally:
        for conn in trickles:
            conn.close()
    assert requests.get(deadline_server.url + "/healthz", timeout=10).status_code == 200


def test_a_socket_and_a_long_poll_outlast_the_deadline(deadline_server):
    """Once its head is in, a request runs as long as engine.io lets it."""
    person = Person(deadline_server.url)
    try:
        sock = person.connect(person.create().json()["room_id"])
        sock.wait("welcome")
        opened = requests.get(deadline_server.url + "/socket.io/?EIO=4&transport=polling", timeout=10)
        sid = json.loads(opened.text[1:])["sid"]
        # Nothing is queued for this session until its first ping, PING_INTERVAL (twice the deadline) away.
        poll = requests.get(deadline_server.url + f"/socket.io/?EIO=4&transport=polling&sid={sid}", timeout=30)
        assert (poll.status_code, poll.text) == (200, "2")
        assert sock.send("still here")["ok"]
        assert sock.wait("message")["html"] == "<p>still here</p>"
    finally:
        person.close()
