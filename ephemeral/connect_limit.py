"""How often one binding may connect a socket: a token bucket per binding, kept by the room store.

Each socket that connects with a binding takes a token from that binding's
bucket, atomically with its attach (`RoomStore.attach`: under the memory
store's lock, or in `lua/attach.lua` on every process at once). An empty bucket
refuses the socket with `connect_error` `too_many_connects` and the whole
seconds until the next token, before the socket takes a place or changes
presence. The bucket lives and dies with its binding; a socket put back after a
stall of the store is not a new connect and takes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .ratelimit import Limit

# A browser that restores every tab of a room at once (at most the 16 sockets
# a binding may hold) and refreshes a few gets in; after that one connect per
# 3 s, more than a person refreshing or a phone changing networks needs, and
# 1/20th of what a script cycling one binding would otherwise get.
CONNECTS_PER_BINDING = Limit(burst=20, per_second=20 / 60)


def wait_seconds(tokens: float, limit: Limit) -> int:
    """Whole seconds until a bucket holding `tokens` (< 1) has a whole one again."""
    return max(1, math.ceil((1 - tokens) / limit.per_second))


@dataclass(slots=True)
class ConnectBucket:
    """One binding's bucket in the memory store: tokens left at `stamp` (monotonic seconds)."""

    tokens: float
    stamp: float

    @classmethod
    def full(cls, limit: Limit, now: float) -> ConnectBucket:
        return cls(limit.burst, now)

    def take(self, limit: Limit, now: float) -> int:
        """A socket connects: 0 when a token was there (and is spent), else whole seconds to wait."""
        self.tokens = min(limit.burst, self.tokens + max(0.0, now - self.stamp) * limit.per_second)
        self.stamp = now
        if self.tokens < 1:
            return wait_seconds(self.tokens, limit)
        self.tokens -= 1
        return 0


def lua_args(limit: Limit) -> tuple[str, str]:
    """The limit as `lua/attach.lua` takes it: burst, and tokens per millisecond."""
    return repr(float(limit.burst)), repr(limit.per_second / 1000)
