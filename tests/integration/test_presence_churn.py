"""A binding connecting and closing sockets a hundred times, on two processes on one Redis, costs the room little.

Real server processes, real WebSockets, a real redis-server, in both async
modes. The churner speaks Socket.IO by hand (as a script would, and quickly);
the readers are ordinary clients, one on each process.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import websocket

from ephemeral import protocol
from ephemeral.connect_limit import CONNECTS_PER_BINDING
from ephemeral.presence_pacing import DEPARTURE_GRACE, PRESENCE_INTERVAL
from tests.conftest import ASYNC_MODES
from tests.support.payloads import aliases
from tests.support.people import EVENT_TIMEOUT, Person, Refused, Socket
from tests.support.redis import RedisServer
from tests.support.server import RunningServer, start_all, stop_all

CYCLES = 100
PROCESSES = 2


@pytest.fixture(params=ASYNC_MODES)
def two_processes(
    request: pytest.FixtureRequest, own_redis: RedisServer, tmp_path: Path
) -> Iterator[list[RunningServer]]:
    started = start_all(tmp_path, [(request.param, own_redis.env())] * PROCESSES)
    yield started
    stop_all(started)


def connect_and_close(person: Person, url: str, room_id: str) -> dict[str, Any] | None:
    """Open a socket to the process at `url` and close it at once: None if it got in, else the refusal."""
    ws = websocket.create_connection(
        url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket",
        header=[f"Cookie: {person.cookie_header()}"],
        timeout=EVENT_TIMEOUT,
    )
    try:
        assert ws.recv().startswith("0{")
        ws.send("40" + json.dumps({"room": room_id}))
        frame = ws.recv()
        while frame.startswith("42"):  # the room's events may overtake the CONNECT answer (through Redis)
            frame = ws.recv()
        if frame.startswith("40"):
            return None
        assert frame.startswith("44"), frame  # CONNECT_ERROR
        refusal: dict[str, Any] = json.loads(frame[2:])
        return refusal
    finally:
        ws.close()


def lines(before: list[str], updates: list[Any]) -> list[str]:
    """The "joined"/"left" lines the web client shows for these presence updates (chat.js)."""
    shown = []
    for update in updates:
        now = aliases(update)
        shown += [f"{alias} joined" for alias in now if alias not in before]
        shown += [f"{alias} left" for alias in before if alias not in now]
        before = now
    return shown


def connect_once_allowed(person: Person, room_id: str, url: str) -> Socket:
    """An honest client refused for connecting too often waits as long as the refusal says, then gets in."""
    deadline = time.monotonic() + EVENT_TIMEOUT
    while True:
        try:
            return person.connect(room_id, url=url)
        except Refused as refusal:
            if str(refusal) != protocol.REFUSED_TOO_MANY_CONNECTS or time.monotonic() > deadline:
                raise
            time.sleep(1 / CONNECTS_PER_BINDING.per_second / 10)  # a tenth of a token: what the web client does, finer


def test_a_hundred_connects_and_closes_reach_readers_on_both_processes_as_a_few_updates(
    two_processes: list[RunningServer], people_at: Callable[[str], Person]
) -> None:
    a, b = two_processes
    ann = people_at(a.url)
    room_id = ann.create(alias="ann").json()["room_id"]
    readers = {"ann": ann.connect(room_id, url=a.url)}
    bob = people_at(b.url)
    assert bob.join(room_id, alias="bob").status_code == 200
    readers["bob"] = bob.connect(room_id, url=b.url)
    for reader in readers.values():
        reader.wait_for("presence", lambda p: aliases(p) == ["ann", "bob"])
    cleo = people_at(a.url)
    assert cleo.join(room_id, alias="cleo").status_code == 200

    seen = {name: len(reader.log) for name, reader in readers.items()}
    started = time.monotonic()
    answers = [connect_and_close(cleo, (a, b)[n % 2].url, room_id) for n in range(CYCLES)]
    churned = time.monotonic()
    refusals = [answer for answer in answers if answer is not None]
    connected = CYCLES - len(refusals)
    print(f"\n{a.async_mode}: {CYCLES} cycles in {churned - started:.1f} s, {connected} got in")

    # One bucket for both processes: its burst, and what refilled while the churn ran.
    assert connected <= CONNECTS_PER_BINDING.burst + (churned - started) * CONNECTS_PER_BINDING.per_second + 1
    assert refusals
    for refusal in refusals:
        assert refusal["message"] == protocol.REFUSED_TOO_MANY_CONNECTS
        assert 1 <= refusal["data"]["retry_after"] <= 1 / CONNECTS_PER_BINDING.per_second

    for reader in readers.values():
        reader.wait_for("presence", lambda p: aliases(p) == ["ann", "bob"])
    # Whatever is still paced is due within an interval and a grace of the last close: let it come, then count.
    time.sleep(max(0.0, churned + PRESENCE_INTERVAL + DEPARTURE_GRACE + 0.5 - time.monotonic()))
    # Two updates per interval per process at most: an arrival, and the flush after it.
    bound = PROCESSES * 2 * ((churned - started) / PRESENCE_INTERVAL + 2)
    for name, reader in readers.items():
        since_churn = [payload for event, payload in reader.log[seen[name] :] if event == "presence"]
        told = [aliases(update) for update in since_churn]
        print(f"{a.async_mode}: {name} was told {told}")
        assert len(since_churn) <= bound, told
        assert len(lines(["ann", "bob"], since_churn)) <= len(since_churn)
        assert told and told[-1] == ["ann", "bob"]  # the final state, from the store, on both processes
        assert reader.pending("message") == []

    # Cleo, honest again, connects as soon as her bucket allows, and everyone sees her arrive.
    back = connect_once_allowed(cleo, room_id, b.url)
    assert back.wait("welcome")["alias"] == "cleo"
    for reader in readers.values():
        reader.wait_for("presence", lambda p: aliases(p) == ["ann", "bob", "cleo"])
