"""Percentiles, medians and CPU meters shared by the load generator and the report."""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Iterable, Sequence

from .procs import CLOCK_TICKS, thread_cpu_ns


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_ms(values: Iterable[float]) -> dict[str, float | None]:
    """p50/p95/p99/max in milliseconds of latencies given in seconds."""
    ordered = sorted(values)

    def ms(v: float | None) -> float | None:
        return None if v is None else round(v * 1000, 3)

    return {
        "p50": ms(percentile(ordered, 50)),
        "p95": ms(percentile(ordered, 95)),
        "p99": ms(percentile(ordered, 99)),
        "max": ms(ordered[-1] if ordered else None),
        "samples": len(ordered),
    }  # type: ignore[dict-item]


def median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine has spent busy since boot (/proc/stat)."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLOCK_TICKS


class CpuMeter:
    """CPU share (1.0 = one core) of this process, of the server, of its store and of everything else over one window.

    The server is every process of the deployment (one, or several sharing a
    Redis), the store that Redis server. `other_cpu` is the rest of the machine:
    on a shared machine, other people's work competing for the same two cores.
    """

    def __init__(self, server_pids: Sequence[int], store_pids: Sequence[int] = ()) -> None:
        self._pids = tuple(server_pids)
        self._store_pids = tuple(store_pids)
        self._wall = time.perf_counter()
        self._own = time.process_time()
        self._server = _threads(self._pids)
        self._store = _threads(self._store_pids)
        self._machine = machine_busy_seconds()

    def read(self) -> dict[str, float]:
        wall = max(time.perf_counter() - self._wall, 1e-9)
        server = _since(self._server, self._pids)
        store = _since(self._store, self._store_pids)
        own = time.process_time() - self._own
        other = machine_busy_seconds() - self._machine - server - store - own
        return {
            "wall_s": round(wall, 3),
            "server_cpu_s": round(server, 4),
            "server_cpu": round(server / wall, 3),
            "store_cpu_s": round(store, 4),
            "store_cpu": round(store / wall, 3),
            "loadgen_cpu": round(own / wall, 3),
            "other_cpu": round(max(other, 0.0) / wall, 3),
        }


def _threads(pids: Sequence[int]) -> dict[tuple[int, str], int]:
    return {(pid, tid): ns for pid in pids for tid, ns in thread_cpu_ns(pid).items()}


def _since(before: dict[tuple[int, str], int], pids: Sequence[int]) -> float:
    """CPU seconds of `pids` since `before`, thread by thread: one that exited meanwhile
    (an idle pool worker) drops out instead of making the sum go backwards."""
    now = _threads(pids)
    return sum(ns - before.get(key, 0) for key, ns in now.items()) / 1e9


def machine() -> dict[str, object]:
    load = os.getloadavg()
    return {"cores": os.cpu_count(), "loadavg": [round(x, 2) for x in load]}
