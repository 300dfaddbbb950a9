"""Fan-out: one room, N receivers plus S senders, offered rate stepped up until loss or p99 > limit.

Every socket in the room receives every message, senders included, so one
message costs the server N + S deliveries and rates are counted in deliveries
per second over all of them. S is large enough that each sender stays within
Ephemeral's per-participant limit (5/s sustained) at the highest rate offered;
the floor and the ceiling get exactly the same room and senders.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from . import population, procs
from .driver import Driver, Tally

# A failed step during which the load generator could not keep its schedule, or
# other processes took a good part of the two cores, says little about the
# server (the machine is shared): it is repeated, up to STALL_TRIES times.
STALL_MS = 50.0
NOISE_CPU = 0.3
STALL_TRIES = 2


def senders_needed(receivers: int, top_deliveries: float, per_sender: float) -> int:
    """Smallest S with S * per_sender * (receivers + S) >= top_deliveries."""
    s = 1
    while s * per_sender * (receivers + s) < top_deliveries:
        s += 1
    return s


async def _search(
    attempt: Callable[[float], Awaitable[bool]], ladder: list[float], start_at: float, done: dict[float, bool]
) -> tuple[float | None, float | None]:
    """Up the ladder from `start_at` to the first failure; down from there if the very first step fails.

    Returns the highest passing and the lowest failing ladder value (None when not found).
    Loads in `done` (the fixed loads, already measured: load -> passed) are not repeated.
    """
    start = next((i for i, load in enumerate(ladder) if load >= start_at), len(ladder) - 1)
    last_pass: float | None = None
    for i in range(start, len(ladder)):
        passed = done[ladder[i]] if ladder[i] in done else await attempt(ladder[i])
        if passed:
            last_pass = ladder[i]
            continue
        if last_pass is not None or i == 0:
            return last_pass, ladder[i]
        for j in range(i - 1, -1, -1):  # started too high: walk down to a passing load
            if done[ladder[j]] if ladder[j] in done else await attempt(ladder[j]):
                return ladder[j], ladder[j + 1]
        return None, ladder[0]
    return last_pass, None


async def run(target: population.Target, params: dict[str, Any]) -> dict[str, Any]:
    """Ladder, then geometric bisection between the last pass and the first failure."""
    receivers = int(params["receivers"])
    senders = int(params["senders"])
    room_size = receivers + senders
    tally = Tally()
    seats = (await population.make_rooms(target, 1, room_size, tag="fan"))[0]
    sockets_before = [procs.open_sockets(pid) for pid in target.pids]
    connected = await population.connect_all(target, seats, tally.on_message)
    # Proof that the room is spread over every process of a deployment.
    sockets_added = [procs.open_sockets(pid) - before for pid, before in zip(target.pids, sockets_before, strict=True)]
    if connected.failures:
        raise RuntimeError(f"{connected.failures} fan-out sockets failed to connect")
    driver = Driver(target, tally, connected.clients[:senders], room_size)
    if params.get("ready_file"):
        Path(params["ready_file"]).touch()  # tells the orchestrator to start its profiler
    await asyncio.sleep(float(params.get("settle_seconds", 0.5)))
    limit = float(params["p99_limit_ms"])
    fixed = {float(x) for x in params.get("fixed_loads", [])}
    steps: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None

    async def attempt(offered: float) -> bool:
        nonlocal best
        seconds = params["fixed_seconds"] if offered in fixed else params["step_seconds"]
        for tries in range(1, int(params.get("stall_tries", STALL_TRIES)) + 1):
            result = await driver.step(offered / room_size, seconds, params["drain_seconds"], limit)
            result["fixed"] = offered in fixed
            result["tries"] = tries
            steps.append(result)
            await driver.quiet()
            await asyncio.sleep(float(params.get("pause_seconds", 0.5)))  # senders' buckets refill
            noisy = result["sender_lag_ms"] >= STALL_MS or result["other_cpu"] >= NOISE_CPU
            if result["passed"] or not noisy:
                break
        if result["passed"] and (best is None or result["delivered_per_s"] > best["delivered_per_s"]):
            best = result
        return bool(result["passed"])

    # Latency at fixed loads first, measured longer than ladder steps.
    done = {load: await attempt(load) for load in sorted(fixed)}
    last_pass, first_fail = await _search(
        attempt, sorted(float(x) for x in params["ladder"]), float(params.get("start_at", 0)), done
    )
    if last_pass is not None and first_fail is not None:
        low, high = last_pass, first_fail
        for _ in range(int(params.get("refine", 0))):
            middle = math.sqrt(low * high)
            if await attempt(middle):
                low = middle
            else:
                high = middle
    for client in connected.clients:
        client.close()
    return {
        "receivers": receivers,
        "senders": senders,
        "room_size": room_size,
        "connect_s": round(connected.seconds, 3),
        "sockets_added_by_process": sockets_added,
        "steps": steps,
        "saturated": first_fail is not None,
        "last_pass": last_pass,
        "first_fail": first_fail,
        "saturation_per_s": best["delivered_per_s"] if best else 0.0,
        "saturation_step": best,
    }
