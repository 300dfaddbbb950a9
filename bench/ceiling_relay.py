"""The ceiling: a bare `websockets` relay, no Socket.IO, no Flask.

A client connects to ws://host:port/<room>; every text frame it sends goes to
every socket of that room, the sender included (its own copy is its ack).

Run: python bench/ceiling_relay.py PORT
"""

from __future__ import annotations

import asyncio
import sys
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve

rooms: dict[str, set[ServerConnection]] = {}


def health(connection: ServerConnection, request: Any) -> Any:
    if request.path == "/healthz":
        return connection.respond(HTTPStatus.OK, '{"status": "ok"}\n')
    return None


async def relay(websocket: ServerConnection) -> None:
    members = rooms.setdefault(websocket.request.path.lstrip("/"), set())  # type: ignore[union-attr]
    members.add(websocket)
    try:
        async for frame in websocket:
            broadcast(members, frame)
    finally:
        members.discard(websocket)


async def main(port: int) -> None:
    async with serve(
        relay, "127.0.0.1", port, process_request=health, compression=None, ping_interval=10, ping_timeout=10
    ) as server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
