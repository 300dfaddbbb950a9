"""Connections: many idle authenticated sockets on one server process.

Seats are made first (Ephemeral: rooms of `per_room` over the JSON API), then
the server's RSS is read, every socket connects, and the sockets sit idle
through at least one ping round while /healthz is probed. RSS per socket is the
growth from connecting, divided by the sockets connected.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from . import api_client, population
from .procs import rss_bytes
from .stats import CpuMeter, latency_ms


async def _probe_health(
    target: population.Target, seconds: float, every: float
) -> tuple[list[float], int, list[list[float]]]:
    """Latencies, errors, and [wall-clock start, ms] of each probe (to match slow ones with GC pauses)."""
    times: list[float] = []
    when: list[list[float]] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.time()
        try:
            status, took = await api_client.get(population.HOST, target.port, "/healthz")
        except (TimeoutError, OSError):
            errors += 1
        else:
            times.append(took)
            when.append([round(started, 3), round(took * 1000, 2)])
            errors += status != 200
        await asyncio.sleep(every)
    return times, errors, when


async def run(target: population.Target, params: dict[str, Any]) -> dict[str, Any]:
    count, per_room = int(params["sockets"]), int(params["per_room"])
    rooms = math.ceil(count / per_room)
    began = time.perf_counter()
    seat_rooms = await population.make_rooms(target, rooms, per_room, tag="idle")
    seats = [seat for room in seat_rooms for seat in room][:count]
    setup_s = time.perf_counter() - began
    await asyncio.sleep(0.5)
    rss_before = rss_bytes(target.pid)
    meter = CpuMeter(target.pids, target.store_pids)
    connected = await population.connect_all(
        target, seats, lambda _text: None, concurrency=int(params.get("concurrency", 64))
    )
    connect_cpu = meter.read()
    idle_meter = CpuMeter(target.pids, target.store_pids)
    idle_began = time.time()
    health, health_errors, health_probes = await _probe_health(target, float(params["idle_seconds"]), 0.25)
    idle_window = [idle_began, time.time()]
    idle_cpu = idle_meter.read()
    rss_after = rss_bytes(target.pid)
    dropped = sum(client.disconnected for client in connected.clients)
    for client in connected.clients:
        client.close()
    sockets = len(connected.clients)
    return {
        "sockets_wanted": count,
        "sockets": sockets,
        "rooms": rooms,
        "per_room": per_room,
        "setup_s": round(setup_s, 2),
        "connect_failures": connected.failures,
        "dropped_while_idle": dropped,
        "connect_s": round(connected.seconds, 3),
        "connects_per_s": round(sockets / connected.seconds, 1) if connected.seconds else None,
        "connect_latency_ms": latency_ms(connected.connect_times),
        "connect_server_cpu": connect_cpu["server_cpu"],
        "connect_loadgen_cpu": connect_cpu["loadgen_cpu"],
        "idle_server_cpu": idle_cpu["server_cpu"],
        "idle_loadgen_cpu": idle_cpu["loadgen_cpu"],
        "idle_other_cpu": idle_cpu["other_cpu"],
        "rss_before_mb": round(rss_before / 2**20, 2),
        "rss_after_mb": round(rss_after / 2**20, 2),
        "rss_per_socket_kb": round((rss_after - rss_before) / sockets / 1024, 2) if sockets else None,
        "healthz_ms": latency_ms(health),
        "idle_window": idle_window,
        "healthz_probes": health_probes,
        "healthz_errors": health_errors,
        "errors": connected.failures + dropped + health_errors,
    }
