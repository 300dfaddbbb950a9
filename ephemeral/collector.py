"""Garbage collection for a process holding thousands of long-lived sockets.

CPython's full (generation 2) collection stops the whole process while it walks
every tracked object, about 170 per idle socket under gevent: over 400 ms at
5,000 sockets, and it ran again each time that heap grew by a quarter. Objects
that survived a full collection are moved out of its reach (`gc.freeze`), so
later collections walk only what is newer.

Frozen objects that later become cyclic garbage (about 2% of closed sockets
leave a cycle of ~20 KB) are not reclaimed until a pass over everything. One
comes when the frozen heap has doubled since the last, and at the latest
FULL_PASS_AT_LEAST_EVERY seconds after it (`tend`, from the reaper), so such
garbage is held neither past a bounded growth nor for long. Those passes walk
the whole heap and pause the process as before, rarely instead of often.

Python 3.14's incremental collector reports no generation-2 collections of its
own; there the schedule freezes nothing and `tend` only collects now and then.
"""

from __future__ import annotations

import gc
import time

# A full pass over everything once the frozen heap has grown this much since the last one,
FULL_PASS_GROWTH = 2.0
# and at least this often (seconds): garbage among frozen objects waits no longer.
FULL_PASS_AT_LEAST_EVERY = 600.0


class FreezeSchedule:
    """gc callback: freezes the survivors of each full collection; unfreezes all when they have doubled."""

    def __init__(self, clock: float = 0.0) -> None:
        self.after_full_pass = 0  # frozen right after the last collection that walked everything
        self.full_pass_due = True  # nothing frozen yet: the next full collection walks everything
        self.full_pass_at = clock  # time.monotonic() of that collection

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase != "stop" or info["generation"] != 2:
            return
        gc.freeze()
        frozen = gc.get_freeze_count()
        if self.full_pass_due:
            self.after_full_pass = frozen
            self.full_pass_due = False
            self.full_pass_at = time.monotonic()
        elif frozen > FULL_PASS_GROWTH * self.after_full_pass:
            # Back into generation 2: the next full collection walks and reclaims them.
            gc.unfreeze()
            self.full_pass_due = True

    def tend(self, now: float) -> bool:
        """Walk everything now if the last full pass is too old; True if it did."""
        if now < self.full_pass_at + FULL_PASS_AT_LEAST_EVERY:  # not now - at: rounding could miss the boundary
            return False
        gc.unfreeze()
        self.full_pass_due = True
        self.full_pass_at = now  # also when no callback runs (Python 3.14)
        gc.collect()
        return True


_schedule: FreezeSchedule | None = None


def tune(async_mode: str) -> FreezeSchedule:
    """At start-up: fewer objects per connection, and full collections that walk only new objects."""
    global _schedule
    if async_mode == "gevent":
        from gevent import config

        # Each green thread kept the stack that spawned it (~11 objects, three per
        # socket), for debugging tools we do not use; spawning is faster without.
        config.track_greenlet_tree = False
    _schedule = FreezeSchedule(time.monotonic())
    gc.callbacks.append(_schedule)
    return _schedule


def tend() -> None:
    """From the reaper: a full pass if the last one is too old (no-op unless `tune` ran)."""
    if _schedule is not None:
        _schedule.tend(time.monotonic())
