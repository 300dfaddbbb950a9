"""Join limits: a check in flight holds its tokens and its outcome settles them; a room's tokens go round by client.

Taking a token before bcrypt and refunding it after (as before) let a class of
50 joining at once empty the room's wrong-password budget with right passwords
still being checked, and refused the rest. Here a check holds a token of each
limit, and its outcome spends or frees each (`settle`); the next join counts
only what is neither spent nor held.

The two limits of a join wait differently:

- the client's own (its address): spent, the join is refused at once; all held
  by its own checks in flight, it waits for them to settle, as many joins as the
  limit's burst;
- the room's, which everyone who tries the room shares: spent or all held, the
  join waits for the room's next free token, and joins waiting for one take
  turns by client (`fair_queue.py`). A guesser who keeps a room's budget spent
  from a few addresses then delays an honest join by a round of those addresses
  (two seconds each by default), instead of winning every token as it refills.
  A join whose turn would come later than its wait allows is refused at once.
"""

from __future__ import annotations

import math
import threading
import time

from .errors import RateLimited
from .fair_queue import FairQueue, Place
from .ratelimit import TokenBuckets

Charge = tuple[TokenBuckets, str]

# A waiting join looks again at least this often, for tokens refilled meanwhile.
RECHECK_SECONDS = 1.0
# A head of the queue waiting for a refill never sleeps less than this (rounding must not spin it).
_SHORTEST_SLEEP = 0.001


class Holds:
    """The joins waiting for tokens; every hold and settle goes through its lock."""

    def __init__(self, recheck: float = RECHECK_SECONDS) -> None:
        self._settled = threading.Condition()
        self._recheck = recheck
        self._own_waiting: dict[Charge, int] = {}
        self._turns: dict[Charge, FairQueue] = {}  # joins waiting for a shared limit's token; none when empty

    def hold(self, own: Charge, shared: Charge, who: str, wait_limit: float) -> None:
        """Hold a token of both limits, or of neither; 429 when a limit refuses, or the wait would be too long.

        `own` is the client's own limit, `shared` the room's; `who` is the client, for
        taking turns. Waits at most `wait_limit` seconds in all.
        """
        deadline = time.monotonic() + wait_limit
        with self._settled:
            self._hold_own(own, deadline, wait_limit)
            try:
                self._hold_shared(shared, who, deadline)
            except BaseException:
                own[0].settle(own[1], spent=False)
                self._settled.notify_all()
                raise

    def would_refuse(self, own: Charge, shared: Charge, who: str, wait_limit: float) -> int:
        """0 when `hold` would hold or wait now, else the seconds of its refusal; holds and remembers nothing."""
        with self._settled:
            return own[0].would_wait(own[1]) or self._door(shared, who, wait_limit)

    def settle(self, outcomes: list[tuple[Charge, bool]]) -> None:
        """A check is over: each token is spent (True) or freed; whoever waits looks again."""
        with self._settled:
            for (buckets, key), spent in outcomes:
                buckets.settle(key, spent)
            self._settled.notify_all()

    def _hold_own(self, own: Charge, deadline: float, wait_limit: float) -> None:
        buckets, key = own
        queued = False
        try:
            while True:
                answer = buckets.reserve(key)
                if answer == 0:
                    return
                if answer > 0:
                    raise RateLimited(retry_after=answer)
                if not queued:  # all held by this client's checks in flight
                    if self._own_waiting.get(own, 0) >= buckets.limit.burst:
                        raise RateLimited(retry_after=math.ceil(wait_limit))
                    self._own_waiting[own] = self._own_waiting.get(own, 0) + 1
                    queued = True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise RateLimited(retry_after=math.ceil(wait_limit))
                self._settled.wait(min(remaining, self._recheck))
        finally:
            if queued:
                left = self._own_waiting.pop(own) - 1
                if left:
                    self._own_waiting[own] = left

    def _hold_shared(self, shared: Charge, who: str, deadline: float) -> None:
        buckets, key = shared
        if shared not in self._turns and buckets.reserve(key) == 0:
            return  # nobody waits, and a token is free
        wait = self._turn_wait(shared, who)
        if wait > deadline - time.monotonic():
            raise RateLimited(retry_after=_seconds(wait))
        queue = self._turns.setdefault(shared, FairQueue())
        place = Place(who)
        served = False
        try:
            if not queue.add(place, _capacity(buckets)):
                raise RateLimited(retry_after=_seconds(wait))
            self._settled.notify_all()  # a join whose place this one took is refused now
            while True:
                if place.evicted:
                    raise RateLimited(retry_after=_seconds(self._turn_wait(shared, who)))
                my_turn = queue.head() is place
                if my_turn and buckets.reserve(key) == 0:
                    queue.served(place)
                    served = True
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise RateLimited(retry_after=_seconds(self._turn_wait(shared, who)))
                sleep = min(remaining, self._recheck)
                if my_turn:  # the next token comes by refill, or sooner by a settle, which wakes this
                    sleep = min(sleep, max(buckets.refill_time(key), _SHORTEST_SLEEP))
                self._settled.wait(sleep)
        finally:
            if not served:
                queue.remove(place)
            if not len(queue) and self._turns.get(shared) is queue:
                del self._turns[shared]
            self._settled.notify_all()  # a new head, or one fewer ahead

    def _door(self, shared: Charge, who: str, wait_limit: float) -> int:
        """The refusal `_hold_shared` would answer at once: 0 when it would hold or queue."""
        buckets, key = shared
        queue = self._turns.get(shared)
        if queue is None and buckets.refill_time(key) == 0:
            return 0
        wait = self._turn_wait(shared, who)
        if wait > wait_limit or (queue is not None and not queue.has_room(who, _capacity(buckets))):
            return _seconds(wait)
        return 0

    def _turn_wait(self, shared: Charge, who: str) -> float:
        """Seconds at least before a join of `who` asked for now gets its token: one for each join served first.

        Tokens held by checks in flight count as free (a right password frees its
        own), so the wait is never overstated.
        """
        buckets, key = shared
        queue = self._turns.get(shared)
        needed = (queue.ahead(who) if queue is not None else 0) + 1
        return max(0.0, needed - buckets.level(key)) / buckets.limit.per_second


def _capacity(buckets: TokenBuckets) -> int:
    """Joins that may wait for one key's tokens: as many as its burst (a class fits, a storm does not)."""
    return max(1, math.ceil(buckets.limit.burst))


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))
