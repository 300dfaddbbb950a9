"""Garbage collection for a process holding thousands of long-lived sockets.

CPython's full (generation 2) collection stops the whole process while it walks
every tracked object, about 170 per idle socket under gevent: over 400 ms at
5,000 sockets, and it ran again each time that heap grew by a quarter. Objects
that survived a full collection are moved out of its reach (`gc.freeze`), so
later collections walk only what is newer. Frozen objects that later become
cyclic garbage (about 2% of closed sockets leave a cycle of ~20 KB) are not
reclaimed until the next pass over everything, which happens once the frozen
heap has doubled since the last one: the memory held that way is bounded by
the heap itself, and a steady population is never walked whole again.
"""

from __future__ import annotations

import gc

# A full pass over everything once the frozen heap has grown this much since the last one.
FULL_PASS_GROWTH = 2.0


class FreezeSchedule:
    """gc callback: freezes the survivors of each full collection; unfreezes all when they have doubled."""

    def __init__(self) -> None:
        self.after_full_pass = 0  # frozen right after the last collection that walked everything
        self.full_pass_due = True  # nothing frozen yet: the next full collection walks everything

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase != "stop" or info["generation"] != 2:
            return
        gc.freeze()
        frozen = gc.get_freeze_count()
        if self.full_pass_due:
            self.after_full_pass = frozen
            self.full_pass_due = False
        elif frozen > FULL_PASS_GROWTH * self.after_full_pass:
            # Back into generation 2: the next full collection walks and reclaims them.
            gc.unfreeze()
            self.full_pass_due = True


def tune(async_mode: str) -> FreezeSchedule:
    """At start-up: fewer objects per connection, and full collections that walk only new objects."""
    if async_mode == "gevent":
        from gevent import config

        # Each green thread kept the stack that spawned it (~11 objects, three per
        # socket), for debugging tools we do not use; spawning is faster without.
        config.track_greenlet_tree = False
    schedule = FreezeSchedule()
    gc.callbacks.append(schedule)
    return schedule
