"""Join limits count wrong passwords only: a check in flight holds its tokens, a right password frees them.

Taking a token before bcrypt and refunding it after (as before) let a class of
50 joining at once empty the room's wrong-password budget with right passwords
still being checked, and refused the rest. Here a check holds its tokens; the
next join counts only what is neither spent nor held, and when the rest is all
held it waits for those checks to settle instead of being refused.
"""

from __future__ import annotations

import math
import threading
import time

from .errors import RateLimited
from .ratelimit import HELD, TokenBuckets

Charge = tuple[TokenBuckets, str]

# A join whose tokens are all held looks again this often, for tokens refilled meanwhile.
RECHECK_SECONDS = 1.0


class Holds:
    """The joins waiting for checks in flight; every hold and settle goes through its lock."""

    def __init__(self) -> None:
        self._settled = threading.Condition()
        self._waiting: dict[Charge, int] = {}

    def hold(self, charges: list[Charge], wait_limit: float) -> None:
        """Hold a token of every limit, or none; 429 when a limit refuses, or the wait would be too long.

        As many joins may wait per key as the limit's burst (a class fits, a storm
        does not), each at most `wait_limit` seconds.
        """
        deadline = time.monotonic() + wait_limit
        queued: list[Charge] = []
        with self._settled:
            try:
                while True:
                    answer, blocking = self._try(charges)
                    if answer == 0:
                        return
                    if answer > 0:
                        raise RateLimited(retry_after=answer)
                    if not queued:
                        if any(self._waiting.get(charge, 0) >= charge[0].limit.burst for charge in blocking):
                            raise RateLimited(retry_after=math.ceil(wait_limit))
                        queued = blocking
                        for charge in queued:
                            self._waiting[charge] = self._waiting.get(charge, 0) + 1
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise RateLimited(retry_after=math.ceil(wait_limit))
                    self._settled.wait(min(remaining, RECHECK_SECONDS))
            finally:
                for charge in queued:
                    left = self._waiting.pop(charge) - 1
                    if left:
                        self._waiting[charge] = left

    def settle(self, charges: list[Charge], spent: bool) -> None:
        """A check is over: its tokens are spent (a wrong password) or freed; whoever waits looks again."""
        with self._settled:
            for buckets, key in charges:
                buckets.settle(key, spent)
            self._settled.notify_all()

    def _try(self, charges: list[Charge]) -> tuple[int, list[Charge]]:
        """0 with every token held; else the longest wait (or `HELD`) and the limits whose tokens are all held."""
        answers = [buckets.reserve(key) for buckets, key in charges]
        if not any(answers):
            return 0, []
        for (buckets, key), answer in zip(charges, answers, strict=True):
            if not answer:
                buckets.settle(key, spent=False)  # no one saw this hold: no one to wake
        blocking = [charge for charge, answer in zip(charges, answers, strict=True) if answer == HELD]
        longest = max(answers)
        return (longest if longest > 0 else HELD), blocking
