"""Ephemeral's JSON API (create, join) over asyncio, from a chosen loopback source address.

Room creation and wrong-password joins are rate-limited per client address, so
every request can come from its own address in 127.0.0.0/8 (Linux routes the
whole block to the loopback interface; no set-up needed).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: dict[str, Any]
    cookie: str | None  # "name=value" of the session cookie, when one was set
    seconds: float


class Addresses:
    """Hands out distinct loopback source addresses from 127.<block>.0.1 upwards."""

    def __init__(self, block: int) -> None:
        self._block = block
        self._numbers = itertools.count(1)

    def next(self) -> str:
        n = next(self._numbers)
        return f"127.{self._block}.{(n >> 8) & 255}.{n & 255 or 1}"


async def post_json(host: str, port: int, path: str, body: Any, source: str, timeout: float = 30.0) -> Answer:
    """One `POST` on a fresh connection (`Connection: close`) from `source`."""
    started = time.perf_counter()
    payload = json.dumps(body).encode()
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, local_addr=(source, 0)), timeout)
    try:
        writer.write(
            (
                f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
            ).encode()
            + payload
        )
        raw = await asyncio.wait_for(reader.read(-1), timeout)
    finally:
        writer.close()
    head, _, content = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    cookie = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "set-cookie":
            cookie = value.strip().split(";", 1)[0]
    try:
        parsed = json.loads(content) if content else {}
    except ValueError:
        parsed = {}
    return Answer(status, parsed if isinstance(parsed, dict) else {}, cookie, time.perf_counter() - started)


async def get(host: str, port: int, path: str, timeout: float = 10.0) -> tuple[int, float]:
    """`GET path`; returns the status and the seconds it took."""
    started = time.perf_counter()
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        raw = await asyncio.wait_for(reader.read(-1), timeout)
    finally:
        writer.close()
    return int(raw.split(b" ", 2)[1]), time.perf_counter() - started
