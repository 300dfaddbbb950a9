"""Per-message server CPU by message body: 100 B plain, 2 KB Markdown, 4,000-char hostile Markdown.

Rooms of two clients each, every client sending at a fixed rate, so a message
costs the server one handler call and two deliveries; the body changes per
step. Server CPU (from /proc) divided by messages acknowledged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from . import corpus, population
from .driver import Driver, Tally

# What a client sends: text with Markdown. The hostile body is one of the worst
# for the render path that keeps its shape behind the stamp (bench/sanitizer.py).
BODIES = {
    "plain_100": corpus.PLAIN,
    "formatted_2k": corpus.FORMATTED_MARKDOWN,
    "hostile_4k": corpus.HOSTILE_MARKDOWN["line_breaks"],
}


def _text(body: str) -> Callable[[str], str]:
    # The stamp goes first and the whole text stays within the 4,000-character limit.
    return lambda stamp: f"{stamp} {body}"[: corpus.LIMIT]


async def run(target: population.Target, params: dict[str, Any]) -> dict[str, Any]:
    rooms, per_room = int(params["rooms"]), 2
    tally = Tally()
    seats = await population.make_rooms(target, rooms, per_room, tag="body")
    ordered = [room[c] for c in range(per_room) for room in seats]
    connected = await population.connect_all(target, ordered, tally.on_message)
    if connected.failures:
        raise RuntimeError(f"{connected.failures} sockets failed to connect")
    driver = Driver(target, tally, connected.clients, per_room)
    await asyncio.sleep(0.5)
    rate = len(connected.clients) * float(params["per_client_per_s"])
    results: dict[str, Any] = {}
    for name, body in BODIES.items():
        results[name] = await driver.step(
            rate, float(params["seconds"]), float(params["drain_seconds"]), float("inf"), _text(body)
        )
        await driver.quiet()
        await asyncio.sleep(float(params.get("pause_seconds", 1.0)))
    for client in connected.clients:
        client.close()
    return {"rooms": rooms, "clients_per_room": per_room, "bodies": results}
