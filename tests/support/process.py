"""Looking at a running server process from outside: its counters, memory and descriptors."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from tests.support.server import RunningServer

HOOKS = {"EPHEMERAL_TEST_HOOKS": "1"}


def stats(srv: RunningServer) -> dict[str, Any]:
    """The test-hook counters of a server started with HOOKS."""
    answer: dict[str, Any] = requests.get(srv.url + "/_test/stats", timeout=10).json()
    return answer


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def fd_count(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))


def wait_until(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll server state (not a test's own events) until `predicate()` is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)  # polling another process's counters; nothing to wait on


def process_fields(pid: int) -> list[str]:
    """/proc/PID/stat after the command name: [0] is the state, [1] the parent, [11] and [12] the CPU ticks."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def children_of(pid: int) -> set[int]:
    """Living child processes of `pid`, whichever of its threads started them."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = process_fields(int(entry.name))
        except OSError:  # it ended while we looked
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time of `pid` (all its threads, not its children)."""
    fields = process_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def gone(pid: int) -> bool:
    """Ended: no such process, or only its exit status is left for a parent to read."""
    try:
        return process_fields(pid)[0] == "Z"
    except OSError:
        return True
