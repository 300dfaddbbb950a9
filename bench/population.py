"""Rooms full of connected clients, for any of the servers.

Ephemeral: each room is created over the JSON API and every other seat joins it,
each request from its own loopback address, then every seat opens a socket with
its cookie and `auth: {"room": id}`. The floor and the Node peer need only the
room name in `auth`; the ceiling takes it as the URL path.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import api_client, wire

HOST = "127.0.0.1"
PASSWORD = "correct horse battery staple"
# Set-up requests in flight at once: below Ephemeral's bcrypt queue (1 running + 16 waiting).
SETUP_CONCURRENCY = 8
CONNECT_CONCURRENCY = 64
SETUP_RETRIES = 50


@dataclass
class Target:
    kind: str  # "ephemeral" | "floor" | "node" | "ceiling"
    port: int  # the first (or only) process's
    pid: int
    # A deployment of several processes sharing a Redis: each process's port and
    # PID (clients are spread over them round-robin), and the Redis server's PID.
    ports: tuple[int, ...] = ()
    pids: tuple[int, ...] = ()
    store_pids: tuple[int, ...] = ()
    # Processes of the deployment that hold no socket: what they spend is what others' rooms cost them.
    idle_pids: tuple[int, ...] = ()
    creators: api_client.Addresses = field(default_factory=lambda: api_client.Addresses(10))
    joiners: api_client.Addresses = field(default_factory=lambda: api_client.Addresses(11))

    def __post_init__(self) -> None:
        self.ports = self.ports or (self.port,)
        self.pids = self.pids or (self.pid,)

    def port_for(self, index: int) -> int:
        return self.ports[index % len(self.ports)]


@dataclass(frozen=True, slots=True)
class Seat:
    """What one client needs to connect: the room, and Ephemeral's cookie."""

    room: str
    cookie: str | None = None


class Client:
    """One connected socket of any kind, with a uniform `send`."""

    def __init__(self, target: Target, on_message: wire.OnFrame) -> None:
        self.kind = target.kind
        self.sio: wire.SocketIOClient | None = None
        self.raw: wire.RawClient | None = None
        if self.kind == "ceiling":
            self.raw = wire.RawClient(on_message)
        else:
            self.sio = wire.SocketIOClient(on_message)

    async def connect(self, target: Target, seat: Seat, index: int = 0, timeout: float = 30.0) -> None:
        """Connect to the `index`-th process of the target, round-robin."""
        port = target.port_for(index)
        if self.raw is not None:
            await self.raw.connect(HOST, port, seat.room, timeout)
        else:
            assert self.sio is not None
            await self.sio.connect(HOST, port, {"room": seat.room}, seat.cookie, timeout)

    def send(self, text: str, on_ack: Callable[[bool], None]) -> None:
        """Send a chat message; `on_ack(ok)` runs when the server answers (the ceiling never does)."""
        if self.raw is not None:
            self.raw.send(text)
            return
        assert self.sio is not None
        future = self.sio.emit_with_ack("message", json.dumps({"text": text}, separators=(",", ":")))
        future.add_done_callback(lambda f: on_ack(not f.cancelled() and f.exception() is None and _ok(f.result())))

    @property
    def disconnected(self) -> bool:
        client = self.raw or self.sio
        return client is not None and client.disconnected

    def close(self) -> None:
        client = self.raw or self.sio
        if client is not None:
            client.close()


def _ok(ack_text: str) -> bool:
    try:
        answer = json.loads(ack_text)
    except ValueError:
        return False
    return bool(answer) and isinstance(answer[0], dict) and answer[0].get("ok") is True


async def _with_retry(call: Callable[[], Any]) -> api_client.Answer:
    """Retry set-up requests the server answered 429 (bcrypt queue full), briefly."""
    for _attempt in range(SETUP_RETRIES):
        answer: api_client.Answer = await call()
        if answer.status != 429:
            return answer
        await asyncio.sleep(0.05)
    return answer


async def make_rooms(target: Target, rooms: int, seats_per_room: int, tag: str = "r") -> list[list[Seat]]:
    """`rooms` rooms with `seats_per_room` seats each; Ephemeral's come from the JSON API."""
    if target.kind != "ephemeral":
        return [[Seat(f"{tag}{r}") for _ in range(seats_per_room)] for r in range(rooms)]
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def create(r: int) -> tuple[str, str]:
        async with gate:
            answer = await _with_retry(
                lambda: api_client.post_json(
                    HOST,
                    target.port_for(r),
                    "/api/rooms",
                    {"alias": "s0", "name": f"bench {tag}{r}", "password": PASSWORD},
                    target.creators.next(),
                )
            )
        if answer.status != 201 or not answer.cookie:
            raise RuntimeError(f"create answered {answer.status} {answer.body.get('error')}")
        return str(answer.body["room_id"]), answer.cookie

    created = await asyncio.gather(*(create(r) for r in range(rooms)))

    async def join(room_id: str, s: int) -> Seat:
        async with gate:
            answer = await _with_retry(
                lambda: api_client.post_json(
                    HOST,
                    target.port_for(s),
                    f"/api/rooms/{room_id}/join",
                    {"alias": f"s{s}", "password": PASSWORD},
                    target.joiners.next(),
                )
            )
        if answer.status != 200 or not answer.cookie:
            raise RuntimeError(f"join answered {answer.status} {answer.body.get('error')}")
        return Seat(room_id, answer.cookie)

    joined = await asyncio.gather(*(join(room_id, s) for room_id, _cookie in created for s in range(1, seats_per_room)))
    result: list[list[Seat]] = []
    it = iter(joined)
    for room_id, cookie in created:
        result.append([Seat(room_id, cookie), *(next(it) for _ in range(1, seats_per_room))])
    return result


@dataclass
class Connected:
    clients: list[Client]
    failures: int
    seconds: float  # wall time to connect them all
    connect_times: list[float]


async def connect_all(
    target: Target, seats: list[Seat], on_message: wire.OnFrame, concurrency: int = CONNECT_CONCURRENCY
) -> Connected:
    """Open one socket per seat, `concurrency` handshakes at a time."""
    gate = asyncio.Semaphore(concurrency)
    times: list[float] = []
    failures = 0

    async def one(index: int, seat: Seat) -> Client | None:
        nonlocal failures
        client = Client(target, on_message)
        async with gate:
            began = time.perf_counter()
            try:
                await client.connect(target, seat, index)
            except (TimeoutError, OSError, wire.Refused):
                failures += 1
                client.close()
                return None
            times.append(time.perf_counter() - began)
        return client

    started = time.perf_counter()
    made = await asyncio.gather(*(one(index, seat) for index, seat in enumerate(seats)))
    return Connected([c for c in made if c is not None], failures, time.perf_counter() - started, times)
