"""Threads in unit tests: hold work in flight, collect what each thread ended with; Events only, no sleeps."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

WAIT = 10  # seconds; only a bound so a broken gate fails instead of hanging


class HeldOffload:
    """An offload that parks each call until released, so a test holds hashes in flight."""

    def __init__(self) -> None:
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()

    def __call__(self, fn: Callable[..., Any], *args: Any) -> Any:
        self.entered.release()
        assert self.release.wait(WAIT), "test never released the held hash"
        return fn(*args)

    def wait_entered(self) -> None:
        assert self.entered.acquire(timeout=WAIT), "no hash reached the offload"


class Outcomes:
    """Collects what each background call ended with; wakes the test on every outcome."""

    def __init__(self) -> None:
        self.results: list[object] = []
        self._changed = threading.Condition()

    def run(self, fn: Callable[[], object]) -> threading.Thread:
        def target() -> None:
            try:
                outcome: object = fn()
            except Exception as error:  # noqa: BLE001 - the outcome is what the test asserts
                outcome = error
            with self._changed:
                self.results.append(outcome)
                self._changed.notify_all()

        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        return thread

    def wait_for(self, count: int) -> list[object]:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.results) >= count, timeout=WAIT), self.results
            return list(self.results)
