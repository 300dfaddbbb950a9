"""Looking at a running server process from outside: its counters, memory and descriptors."""

from __future__ import annotations

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
