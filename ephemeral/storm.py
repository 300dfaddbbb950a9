"""Guessing storms: when a join must carry a proof of work, and how hard it must be.

A room is under a storm while its wrong-password bucket has spent more than half
its burst; the process is under one while its last N wrong-password joins (all
rooms together) fell within S seconds. Both calm down by themselves: a room once
its bucket has refilled past half (at most half the limit's period after the
last wrong password: 30 s by default), the process at most S seconds after its
last wrong password. Each process watches its own joins, as it keeps its own
rate limits: with several processes each sees its share of a storm.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from .ratelimit import Clock, Limit, TokenBuckets

# Defaults (docs/decisions.md): about a second of WebCrypto in Chromium slowed 4-6 times, as on a phone.
ROOM_STORM_BITS = 14
PROCESS_STORM_BITS = 14
# The process is under a storm past 20 wrong passwords in 10 s: bcrypt at cost 12 half busy with guesses.
PROCESS_STORM = Limit(burst=20, per_second=20 / 10)
# The process counter keeps one time per wrong password: N is capped here.
MAX_PROCESS_COUNT = 100_000


def never() -> bool:
    return False


class StormWatch:
    """Reads the room limits and counts wrong passwords; says how many zero bits a join's proof needs."""

    def __init__(
        self,
        room_buckets: TokenBuckets,
        process_limit: Limit,
        *,
        room_bits: int,
        process_bits: int,
        clock: Clock,
        under_pressure: Callable[[], bool] = never,
    ) -> None:
        """`under_pressure` is a process-wide signal of its own (the bcrypt budget running short, say):
        while it answers true the process counts as under a storm."""
        self._rooms = room_buckets
        self._room_threshold = room_buckets.limit.burst / 2
        self._room_bits = room_bits
        self._process_bits = process_bits
        self._count = max(1, min(MAX_PROCESS_COUNT, round(process_limit.burst)))
        self._window = process_limit.burst / process_limit.per_second
        self._clock = clock
        self._under_pressure = under_pressure
        self._recent: deque[float] = deque(maxlen=self._count)  # when the last wrong passwords were tried
        self._lock = threading.Lock()

    def wrong_password(self) -> None:
        """A join in any room of this process was refused for its password."""
        now = self._clock()
        with self._lock:
            self._recent.append(now)

    def room_storm(self, room_id: str) -> bool:
        return self._rooms.level(room_id) < self._room_threshold

    def process_storm(self) -> bool:
        if self._under_pressure():
            return True
        now = self._clock()
        with self._lock:
            return len(self._recent) == self._count and now - self._recent[0] < self._window

    def difficulty(self, room_id: str) -> int:
        """Zero bits a join into `room_id` must prove now; 0 outside a storm (or with proofs turned off)."""
        bits = self._process_bits if self._process_bits and self.process_storm() else 0
        if self._room_bits > bits and self.room_storm(room_id):
            bits = self._room_bits
        return bits
