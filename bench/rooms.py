"""Many rooms: R rooms of C clients, every client sending one message per second."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from . import population
from .driver import Driver, Tally


async def run(target: population.Target, params: dict[str, Any]) -> dict[str, Any]:
    rooms, per_room = int(params["rooms"]), int(params["clients_per_room"])
    tally = Tally()
    seats = await population.make_rooms(target, rooms, per_room, tag="many")
    # Interleave rooms, so that consecutive sends (round-robin) land in different rooms.
    ordered = [room[c] for c in range(per_room) for room in seats]
    connected = await population.connect_all(target, ordered, tally.on_message)
    if connected.failures:
        raise RuntimeError(f"{connected.failures} sockets failed to connect")
    driver = Driver(target, tally, connected.clients, per_room)
    if params.get("ready_file"):
        Path(params["ready_file"]).touch()  # tells bench.message_profile to start its profiler
    await asyncio.sleep(float(params.get("settle_seconds", 0.5)))
    rate = len(connected.clients) * float(params["per_client_per_s"])
    result = await driver.step(rate, float(params["seconds"]), float(params["drain_seconds"]), float("inf"))
    for client in connected.clients:
        client.close()
    return {"rooms": rooms, "clients_per_room": per_room, "connect_s": round(connected.seconds, 3), **result}
