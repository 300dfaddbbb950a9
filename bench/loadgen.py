"""The load generator process: `python -m bench.loadgen JOB.json RESULT.json`.

It runs one scenario against one already running server, in its own process so
that its CPU is its own and the orchestrator's bookkeeping never competes with
it, and writes the scenario's result (with its own CPU share) as JSON.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

from . import actions, blind, connections, fanout, payloads, population, rooms, storm
from .procs import raise_fd_limit

SCENARIOS = {
    "fanout": fanout.run,
    "rooms": rooms.run,
    "small_rooms": rooms.run,
    "connections": connections.run,
    "storm": storm.run,
    "payloads": payloads.run,
    "blind": blind.run,
    "actions": actions.run,
}


# The load generator's own collector pauses delay what it measures: they are
# recorded (wall-clock start, ms) so a slow probe can be told apart from a slow server.
GC_REPORT_MS = 5.0


class _GcPauses:
    def __init__(self) -> None:
        self.began = 0.0
        self.pauses: list[list[float]] = []

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.began = time.perf_counter()
            return
        took = (time.perf_counter() - self.began) * 1000
        if took >= GC_REPORT_MS:
            self.pauses.append([round(time.time() - took / 1000, 3), round(took, 1), info["generation"]])


async def _main(job: dict[str, Any]) -> dict[str, Any]:
    spec = job["target"]
    target = population.Target(
        spec["kind"],
        int(spec["port"]),
        int(spec["pid"]),
        ports=tuple(spec.get("ports", ())),
        pids=tuple(spec.get("pids", ())),
        store_pids=tuple(spec.get("store_pids", ())),
        idle_pids=tuple(spec.get("idle_pids", ())),
    )
    began_wall, began_cpu = time.perf_counter(), time.process_time()
    result = await SCENARIOS[job["scenario"]](target, job["params"])
    wall = time.perf_counter() - began_wall
    result["loadgen_cpu_total"] = round((time.process_time() - began_cpu) / wall, 3)
    result["wall_s"] = round(wall, 2)
    result["loadgen_gc_pauses"] = GC_PAUSES.pauses
    return result


GC_PAUSES = _GcPauses()


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[1]).read_text())
    gc.callbacks.append(GC_PAUSES)
    raise_fd_limit()
    result = asyncio.run(_main(job))
    Path(argv[2]).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
