"""How often a room hears that one participant came or went: at most once per interval, a departure after a grace.

A participant's arrival (their first socket) is told at once, unless the room
was told about them less than `PRESENCE_INTERVAL` ago; a departure (their last
socket closed) always waits `DEPARTURE_GRACE` first, so a refresh or a
reconnect, which comes back within it, is no departure at all. Whatever waits
is one flush per participant: it reads the room's presence from the store
when it is due, so it carries the final state, and it is told only if that
state differs, for this participant, from what the room was last told. A
socket that connects and closes again, a thousand times, costs the room two
updates per interval at most: the arrival, and the flush.

Pure bookkeeping with an injected clock; `events/announce.py` reads the store,
sleeps and emits. Each process paces the changes it sees, so with several
processes on one Redis a participant cycling sockets on all of them reaches a
room at most once per interval per process.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]
Key = tuple[str, str]  # room id, participant id

# Seconds between two updates a room gets about one participant.
PRESENCE_INTERVAL = 1.0
# Seconds a participant whose last socket closed may take to come back unannounced:
# a page refresh, or a reconnect after the network dropped, reconnects within it.
DEPARTURE_GRACE = 1.0


@dataclass(slots=True)
class _Pace:
    told_at: float  # when the room was last told about this participant (or a flush began)
    shown: bool  # whether that told them present
    due: float | None = None  # a flush is scheduled for then
    flushing: bool = False  # a flush is reading the store


class PresencePacer:
    """Per room and participant: whether to tell the room now, later (when), or not at all."""

    def __init__(
        self, interval: float = PRESENCE_INTERVAL, grace: float = DEPARTURE_GRACE, clock: Clock = time.monotonic
    ) -> None:
        self._interval = interval
        self._grace = grace
        self._clock = clock
        self._paces: OrderedDict[Key, _Pace] = OrderedDict()
        self._lock = threading.Lock()

    def arrived(self, room_id: str, who: str) -> float | None:
        """`who`'s first socket attached. 0: tell the room now; else seconds until `flushing`, or None if one is due."""
        now = self._clock()
        with self._lock:
            pace = self._touch((room_id, who), now, shown=False)
            if pace.due is not None:
                return None
            if now - pace.told_at >= self._interval:
                pace.told_at, pace.shown = now, True
                return 0.0
            pace.due = pace.told_at + self._interval
            return pace.due - now

    def left(self, room_id: str, who: str) -> float | None:
        """`who`'s last socket closed: seconds until `flushing`, or None when a flush is already due."""
        now = self._clock()
        with self._lock:
            pace = self._touch((room_id, who), now, shown=True)
            if pace.due is not None:
                return None
            pace.due = max(now + self._grace, pace.told_at + self._interval)
            return pace.due - now

    def flushing(self, room_id: str, who: str) -> None:
        """A due flush begins, before it reads the store: a change from now on needs a flush of its own."""
        now = self._clock()
        with self._lock:
            pace = self._touch((room_id, who), now, shown=True)
            pace.due, pace.flushing, pace.told_at = None, True, now

    def put_off(self, room_id: str, who: str) -> float:
        """The flush could not read the store: seconds until it tries again."""
        now = self._clock()
        with self._lock:
            pace = self._touch((room_id, who), now, shown=True)
            pace.flushing, pace.due = False, now + self._interval
            return self._interval

    def settled(self, room_id: str, who: str, present: bool) -> bool:
        """The flush read `present` from the store: whether the room must be told (the room now knows)."""
        now = self._clock()
        with self._lock:
            pace = self._touch((room_id, who), now, shown=not present)
            pace.flushing = False
            tell, pace.shown = pace.shown != present, present
            return tell

    def __len__(self) -> int:
        """Participants being paced now: those with a change in the last interval, or one waiting."""
        with self._lock:
            self._sweep(self._clock())
            return len(self._paces)

    def _touch(self, key: Key, now: float, *, shown: bool) -> _Pace:
        """The pace of `key`, new if none (`shown`: what the room must have been told before this change)."""
        self._sweep(now)
        pace = self._paces.get(key)
        if pace is None:
            pace = self._paces[key] = _Pace(told_at=now - self._interval, shown=shown)
        self._paces.move_to_end(key)
        return pace

    def _sweep(self, now: float) -> None:
        """Forget the paces that decide nothing any more, oldest touched first."""
        while self._paces:
            pace = next(iter(self._paces.values()))
            if pace.due is not None or pace.flushing or now - pace.told_at < self._interval:
                return
            self._paces.popitem(last=False)
