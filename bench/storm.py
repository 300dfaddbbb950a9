"""Join storm: wrong-password joins against one room while another room chats.

Room A runs a fixed fan-out load; room B is hit with `rate` wrong-password joins
per second, each from its own loopback address. Room A's latency is measured
calm, during the storm, and calm again. Ephemeral only (the floor has no
passwords), and with production bcrypt cost, since bcrypt is what a storm buys.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from . import api_client, population
from .driver import Driver, Tally
from .stats import latency_ms


async def _storm(target: population.Target, room_id: str, rate: float, seconds: float) -> dict[str, Any]:
    addresses = api_client.Addresses(12)
    statuses: Counter[int] = Counter()
    times: list[float] = []
    tasks: list[asyncio.Task[None]] = []

    async def attempt(n: int) -> None:
        try:
            answer = await api_client.post_json(
                population.HOST,
                target.port_for(n),
                f"/api/rooms/{room_id}/join",
                {"alias": f"intruder{n}", "password": f"wrong guess {n}"},
                addresses.next(),
            )
        except (TimeoutError, OSError):
            statuses[0] += 1
            return
        statuses[answer.status] += 1
        times.append(answer.seconds)

    began = time.perf_counter()
    total = round(rate * seconds)
    for n in range(total):
        await asyncio.sleep(max(0.0, began + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(attempt(n)))
    await asyncio.gather(*tasks)
    return {
        "attempts": total,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "latency_ms": latency_ms(times),
    }


async def run(target: population.Target, params: dict[str, Any]) -> dict[str, Any]:
    receivers, senders = int(params["receivers"]), int(params["senders"])
    room_size = receivers + senders
    tally = Tally()
    seats = (await population.make_rooms(target, 1, room_size, tag="chat"))[0]
    room_b = (await population.make_rooms(target, 1, 1, tag="stormed"))[0]
    connected = await population.connect_all(target, seats, tally.on_message)
    if connected.failures:
        raise RuntimeError(f"{connected.failures} sockets failed to connect")
    driver = Driver(target, tally, connected.clients[:senders], room_size)
    rate = float(params["deliveries_per_s"]) / room_size
    seconds, drain = float(params["seconds"]), float(params["drain_seconds"])
    await asyncio.sleep(0.5)
    phases: dict[str, Any] = {}
    phases["calm_before"] = await driver.step(rate, seconds, drain, float("inf"))
    await driver.quiet()
    storm_task = asyncio.create_task(_storm(target, room_b[0].room, float(params["joins_per_s"]), seconds))
    phases["storm"] = await driver.step(rate, seconds, drain, float("inf"))
    phases["storm"]["joins"] = await storm_task
    await driver.quiet()
    phases["calm_after"] = await driver.step(rate, seconds, drain, float("inf"))
    for client in connected.clients:
        client.close()
    calm = [phases["calm_before"]["latency_ms"]["p99"], phases["calm_after"]["latency_ms"]["p99"]]
    return {
        "receivers": receivers,
        "senders": senders,
        "deliveries_per_s": float(params["deliveries_per_s"]),
        "joins_per_s": float(params["joins_per_s"]),
        "phases": phases,
        "calm_p99_ms": round(sum(calm) / 2, 3),
        "storm_p99_ms": phases["storm"]["latency_ms"]["p99"],
    }
