"""Engine.IO sessions without a Socket.IO connection are closed at their deadline; a member's stays.

A client could open Engine.IO sessions, answer their pings and never send the
Socket.IO CONNECT: each one held some 60 KiB for as long as it liked. With
`EPHEMERAL_CONNECT_DEADLINE` at 1 s here, a session that never connects (over
a WebSocket, over long-polling), one whose CONNECT was refused and one whose
connection ended are each closed with Engine.IO's CLOSE packet, no sooner than
the deadline; a member connected from the start still talks afterwards. Pings
come every 10 s, so nothing here is closed for silence.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import requests
import websocket

from tests.conftest import ASYNC_MODES
from tests.support.people import EVENT_TIMEOUT, Person
from tests.support.server import RunningServer, running_server

DEADLINE = 1
# How long a session is watched before the test calls it left open: far past the deadline, short of a ping's.
WATCH_SECONDS = 4 * DEADLINE + EVENT_TIMEOUT
READ_STEP = 0.5  # seconds one read waits before the watch checks its bound


@dataclass
class Ending:
    """What an idle client saw: the packets after the handshake, whether and after how long its session ended."""

    packets: list[str] = field(default_factory=list)
    closed: bool = False
    seconds: float = 0.0


@pytest.fixture(scope="module", params=ASYNC_MODES)
def deadline_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    env = {"EPHEMERAL_CONNECT_DEADLINE": str(DEADLINE)}
    with running_server(tmp_path_factory.mktemp("deadline"), request.param, env) as srv:
        yield srv


def _websocket(url: str, cookie: str = "") -> websocket.WebSocket:
    ws = websocket.create_connection(
        url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket",
        header=[f"Cookie: {cookie}"] if cookie else [],
        timeout=EVENT_TIMEOUT,
    )
    assert ws.recv().startswith("0{")
    return ws


def _idle_websocket(ws: websocket.WebSocket, started: float) -> Ending:
    """Answer pings and send nothing else until the server ends the session (or the watch runs out)."""
    ending = Ending()
    ws.settimeout(READ_STEP)
    try:
        while time.monotonic() - started < WATCH_SECONDS:
            try:
                packet = ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            if packet == "":  # a close frame
                ending.closed = True
                break
            if packet == "2":
                ws.send("3")
            ending.packets.append(packet)
    except (websocket.WebSocketConnectionClosedException, ConnectionError):
        ending.closed = True
    ending.seconds = time.monotonic() - started
    ws.close()
    return ending


def never_connects_over_a_websocket(url: str, _person: Person, _room_id: str) -> Ending:
    started = time.monotonic()
    return _idle_websocket(_websocket(url), started)


def is_refused(url: str, _person: Person, room_id: str) -> Ending:
    """CONNECT without a cookie: `connect_error`, and the session stays open as far as the client cares."""
    started = time.monotonic()
    ws = _websocket(url)
    ws.send("40" + json.dumps({"room": room_id}))
    assert ws.recv().startswith("44"), "the CONNECT was not refused"
    return _idle_websocket(ws, started)


def ends_its_connection(url: str, person: Person, room_id: str) -> Ending:
    """A member's second tab connects, then sends its own DISCONNECT and keeps the session."""
    started = time.monotonic()
    ws = _websocket(url, person.cookie_header())
    ws.send("40" + json.dumps({"room": room_id}))
    assert ws.recv().startswith("40"), "the CONNECT was not accepted"
    ws.send("41")
    return _idle_websocket(ws, started)


def never_connects_over_long_polling(url: str, _person: Person, _room_id: str) -> Ending:
    started, ending = time.monotonic(), Ending()
    with requests.Session() as http:
        opened = http.get(f"{url}/socket.io/?EIO=4&transport=polling", timeout=EVENT_TIMEOUT)
        assert opened.text.startswith("0{"), opened.text
        session = f"{url}/socket.io/?EIO=4&transport=polling&sid={json.loads(opened.text[1:])['sid']}"
        while not ending.closed and time.monotonic() - started < WATCH_SECONDS:
            answer = http.get(session, timeout=WATCH_SECONDS)
            if answer.status_code == 400:  # the session is gone
                ending.closed = True
                break
            packets = answer.text.split("\x1e")
            ending.packets += packets
            if "2" in packets:
                http.post(session, data="3", timeout=EVENT_TIMEOUT)
            ending.closed = "1" in packets
    ending.seconds = time.monotonic() - started
    return ending


IDLE = [never_connects_over_a_websocket, never_connects_over_long_polling, is_refused, ends_its_connection]


def test_sessions_without_a_connection_close_at_their_deadline_and_a_member_stays(
    deadline_server: RunningServer, people_at: Callable[[str], Person]
) -> None:
    ann = people_at(deadline_server.url)
    room_id = ann.create(alias="ann").json()["room_id"]
    member = ann.connect(room_id)
    assert member.wait("welcome")["alias"] == "ann"
    with ThreadPoolExecutor(len(IDLE)) as pool:
        futures = [pool.submit(idle, deadline_server.url, ann, room_id) for idle in IDLE]
        endings = {idle.__name__: future.result() for idle, future in zip(IDLE, futures, strict=True)}
    for name, ending in endings.items():
        assert ending.closed, f"{name}: its session is still open after {ending.seconds:.1f} s"
        assert "1" in ending.packets, f"{name}: no CLOSE packet; it read {ending.packets}"
        assert ending.seconds >= DEADLINE, f"{name}: closed before its deadline"
    assert member.send("still here")["ok"]
    assert member.wait("message")["alias"] == "ann"
    assert member.client.connected
    assert deadline_server.alive()
    assert "Traceback" not in deadline_server.output()
