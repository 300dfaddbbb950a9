"""Run a server script with its garbage-collector pauses timed: `python bench/gc_probe.py SCRIPT ARGS...`.

CPython's cyclic collector stops the whole process; a full (generation 2)
collection walks every tracked object, and with thousands of sockets that is
long enough to show in every client's latency. This wrapper only adds a
callback around each collection (no per-object work) and prints one line per
collection of 10 ms or more to stderr, which the orchestrator reads from the
server's log.
"""

from __future__ import annotations

import gc
import os
import runpy
import sys
import time

REPORT_MS = 10.0
MARK = "bench-gc"
_began = [0.0]


def _on_collect(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _began[0] = time.perf_counter()
        return
    took = (time.perf_counter() - _began[0]) * 1000
    if took >= REPORT_MS:
        print(f"{MARK} t={time.time():.3f} gen={info['generation']} ms={took:.1f}", file=sys.stderr, flush=True)


def parse(log_text: str, window: tuple[float, float] | None = None) -> dict[str, float | int]:
    """Pauses of 10 ms or more in a server log, optionally only those within a wall-clock window."""
    pauses = []
    for line in log_text.splitlines():
        if not line.startswith(MARK):
            continue
        fields = dict(part.split("=", 1) for part in line.split()[1:])
        at, generation, ms = float(fields["t"]), int(fields["gen"]), float(fields["ms"])
        if window is None or window[0] <= at <= window[1]:
            pauses.append((generation, ms))
    full = [ms for generation, ms in pauses if generation == 2]
    return {
        "pauses_over_10ms": len(pauses),
        "longest_ms": max((ms for _, ms in pauses), default=0.0),
        "full_collections_over_10ms": len(full),
        "longest_full_ms": max(full, default=0.0),
    }


if __name__ == "__main__":
    gc.callbacks.append(_on_collect)
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))
    runpy.run_path(sys.argv[0], run_name="__main__")
