"""The process's bcrypt budget: how many hashes run at once, how much CPU they may use, who waits, in what order."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from .errors import RateLimited
from .fair_queue import FairQueue, Place
from .ratelimit import Limit
from .words import N_

Clock = Callable[[], float]

# bcrypt at cost 12 costs ~0.3 CPU-seconds (docs/decisions.md has the figures).
# One hash at a time leaves a core to the event loop on a two-core host.
HASH_CONCURRENCY = 1
# Process-wide CPU for bcrypt, N CPU-seconds refilled at N per S seconds: 15
# CPU-seconds let a class of 50 (14.5 at cost 12) in at full speed; a storm that
# lasts gets half a core.
HASH_BUDGET = Limit(burst=15, per_second=0.5)
# How long a join or creation may wait for its hash to start, and how many may wait.
HASH_WAIT = 30
HASH_QUEUE = 128

BUSY = N_("The server is busy checking passwords. Try again in a moment.")
# The learned cost of a hash follows a change (of bcrypt cost, of CPU) within a few hashes.
_SMOOTHING = 0.3


class CpuBudget:
    """A token bucket of CPU-seconds that may go into debt by the hash in flight.

    A hash may start while the level is above zero; its measured CPU time is
    charged when it ends, so the level can dip below zero by one hash. Waiting
    for the debt to be refilled is what bounds the average.
    """

    def __init__(self, limit: Limit, clock: Clock) -> None:
        self._burst = limit.burst
        self._rate = limit.per_second
        self._clock = clock
        self._level = limit.burst
        self._stamp = clock()

    @property
    def rate(self) -> float:
        return self._rate

    def level(self) -> float:
        """CPU-seconds available now (negative: in debt)."""
        now = self._clock()
        self._level = min(self._burst, self._level + (now - self._stamp) * self._rate)
        self._stamp = now
        return self._level

    def delay(self) -> float:
        """Seconds until a hash may start: 0 when the level is above zero."""
        level = self.level()
        return 0.0 if level > 0 else (-level / self._rate) + 1e-3

    def charge(self, cpu_seconds: float) -> None:
        self._level = self.level() - cpu_seconds

    def spent_over_half(self) -> bool:
        return self.level() < self._burst / 2


@dataclass(frozen=True, slots=True)
class GateLimits:
    """What a gate was built with (from `EPHEMERAL_BCRYPT_THREADS`, `_QUEUE`, `_WAIT`, `_BUDGET`)."""

    running: int
    waiting: int
    max_wait: float
    budget: Limit


@dataclass(slots=True)
class Attempt:
    """One join or creation: whose it is (a keyed client address) and how many hashes it was let run."""

    key: str
    hashed: int = 0


# The attempt the hashes of this thread or green thread are for; the stores call the hasher without knowing it.
_attempt: ContextVar[Attempt | None] = ContextVar("ephemeral_hash_attempt", default=None)


@contextmanager
def hashing_for(attempt: Attempt) -> Iterator[Attempt]:
    """Every hash asked for inside waits its turn as `attempt.key`, and is counted in `attempt.hashed`."""
    token = _attempt.set(attempt)
    try:
        yield attempt
    finally:
        _attempt.reset(token)


# Hashes asked for outside any attempt (scripts, tests) share one key.
ANYONE = ""


class HashGate:
    """Runs `running` hashes at once within a CPU budget; the rest wait their turn, each a bounded time.

    Waiting hashes take turns by client (`fair_queue.py`): one address with many
    hashes waiting holds back others' by one hash a round, and when the queue is
    full a newcomer takes the place of the newest hash of whoever holds the most.
    A hash that would wait longer than `max_wait` (at least, by the CPU time of
    hashes so far), or finds `waiting` others already queued and none to displace,
    is refused 429 at once; one still waiting at its deadline, or displaced, is
    refused then. Not reentrant.
    """

    def __init__(
        self,
        running: int = HASH_CONCURRENCY,
        waiting: int = HASH_QUEUE,
        max_wait: float = HASH_WAIT,
        budget: Limit = HASH_BUDGET,
        clock: Clock = time.monotonic,
    ) -> None:
        self.limits = GateLimits(running, waiting, max_wait, budget)
        self._slots = running
        self._running = 0
        self._max_waiting = waiting
        self._max_wait = max_wait
        self._budget = CpuBudget(budget, clock)
        self._clock = clock
        self._queue = FairQueue()
        self._changed = threading.Condition()
        self._cpu_estimate = 0.0  # CPU-seconds of one hash, learned
        self.refused = 0

    # -- read-only signals ---------------------------------------------------

    def expected_wait(self, key: str = ANYONE) -> float:
        """Seconds a hash of `key` asked for now would wait at least before it starts, by the CPU hashes took so far."""
        with self._changed:
            return self._expected_wait(key)

    def would_refuse(self, key: str = ANYONE) -> int:
        """0 when a hash of `key` asked for now would be let in (to run or to wait), else the seconds to wait."""
        with self._changed:
            wait = self._expected_wait(key)
            return 0 if self._admits(key, wait) else _seconds(wait)

    def waiting(self) -> int:
        """Hashes waiting for their turn now."""
        with self._changed:
            return len(self._queue)

    def budget_level(self) -> float:
        """CPU-seconds of bcrypt the process may still spend at once (negative: in debt)."""
        with self._changed:
            return self._budget.level()

    def under_pressure(self) -> bool:
        """True while bcrypt has spent more than half of the process's CPU budget (a storm signal)."""
        with self._changed:
            return self._budget.spent_over_half()

    # -- taking a turn --------------------------------------------------------

    def __enter__(self) -> None:
        attempt = _attempt.get()
        key = attempt.key if attempt is not None else ANYONE
        with self._changed:
            wait = self._expected_wait(key)
            me = Place(key)
            if not (self._admits(key, wait) and self._queue.add(me, self._places())):
                self.refused += 1
                raise RateLimited(BUSY, retry_after=_seconds(wait))
            self._changed.notify_all()  # a waiter whose place this one took is refused now
            deadline = self._clock() + self._max_wait
            served = False
            try:
                self._wait_for_turn(me, deadline)
                self._queue.served(me)
                served = True
            finally:
                if not served:
                    self._queue.remove(me)
                self._changed.notify_all()  # a new head, one fewer ahead, or a displaced waiter to wake
            self._running += 1
            if attempt is not None:
                attempt.hashed += 1

    def _wait_for_turn(self, me: Place, deadline: float) -> None:
        while True:
            if me.evicted:
                self.refused += 1
                raise RateLimited(BUSY, retry_after=_seconds(self._expected_wait(me.key)))
            delay: float | None = None
            if self._queue.head() is me and self._running < self._slots:
                delay = self._budget.delay()
                if delay <= 0:
                    return
            remaining = deadline - self._clock()
            if remaining <= 0:
                self.refused += 1
                raise RateLimited(BUSY, retry_after=_seconds(self._expected_wait(me.key)))
            self._changed.wait(remaining if delay is None else min(delay, remaining))

    def __exit__(self, *exc: object) -> None:
        with self._changed:
            self._running -= 1
            self._changed.notify_all()

    def charge(self, cpu_seconds: float) -> None:
        """Count a finished hash's CPU time against the budget, and learn what a hash costs."""
        with self._changed:
            self._budget.charge(cpu_seconds)
            if self._cpu_estimate == 0:
                self._cpu_estimate = cpu_seconds
            else:
                self._cpu_estimate += _SMOOTHING * (cpu_seconds - self._cpu_estimate)

    def _places(self) -> int:
        """Places in the queue now: `waiting`, and any running slot that is free."""
        return self._slots + self._max_waiting - self._running

    def _admits(self, key: str, wait: float) -> bool:
        return wait <= self._max_wait and self._queue.has_room(key, self._places())

    def _expected_wait(self, key: str) -> float:
        # CPU time, not wall time: on a busy host a hash takes longer than its CPU time, but
        # never less, so the wait is at least this long and a refusal at the door is sure.
        # Hashes that start or end before a new one of `key` starts: those running, and
        # those served before it in the turns by client.
        ahead = self._queue.ahead(key) + self._running
        # One slot frees for every hash ahead beyond the slots; `slots` of them end per hash.
        by_slots = (ahead - self._slots + 1) * self._cpu_estimate / self._slots if ahead >= self._slots else 0.0
        debt = ahead * self._cpu_estimate - self._budget.level()
        by_budget = debt / self._budget.rate if debt >= 0 else 0.0
        return max(by_slots, by_budget)


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))
