"""Many rooms: R rooms of C clients, every client sending at one rate, then, if asked, up a ladder of rates."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from . import population
from .driver import Driver, Tally


async def run(target: population.Target, params: dict[str, Any]) -> dict[str, Any]:
    """The fixed step's figures at the top level; with a `ladder` of per-client rates, the steps up it to the first
    that loses a message or passes `p99_limit_ms`, and the highest messages/s that passed (the saturation)."""
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
    clients = len(connected.clients)
    limit = float(params.get("p99_limit_ms", "inf"))  # the fixed step passes or fails as the ladder's first rung
    result = await driver.step(clients * float(params["per_client_per_s"]), *_timing(params), limit)
    ladder = await _climb(driver, clients, params, result, limit) if params.get("ladder") else {}
    for client in connected.clients:
        client.close()
    return {"rooms": rooms, "clients_per_room": per_room, "connect_s": round(connected.seconds, 3), **result, **ladder}


def _timing(params: dict[str, Any]) -> tuple[float, float]:
    return float(params["seconds"]), float(params["drain_seconds"])


async def _climb(
    driver: Driver, clients: int, params: dict[str, Any], fixed: dict[str, Any], limit: float
) -> dict[str, Any]:
    """Every client at each rate of the ladder in turn, after a fixed step that passed, up to the first step that
    fails; the saturation is the highest rate that passed."""
    if not fixed["passed"]:  # saturated below the fixed rate: the ladder has nothing to measure
        return {"ladder_steps": [], "saturated": True, "saturation_messages_per_s": None}
    steps: list[dict[str, Any]] = []
    best = fixed["messages_per_s"]
    for per_client in sorted(float(rate) for rate in params["ladder"]):
        await driver.quiet()
        await asyncio.sleep(float(params.get("pause_seconds", 0.5)))  # senders' buckets refill
        steps.append(await driver.step(clients * per_client, *_timing(params), limit))
        if not steps[-1]["passed"]:
            break
        best = max(best, steps[-1]["messages_per_s"])
    return {"ladder_steps": steps, "saturated": not steps[-1]["passed"], "saturation_messages_per_s": best}
