"""Token buckets with bounded memory, for joins, room creation and messages."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Limit:
    """`burst` actions at once, refilled at `per_second`."""

    burst: float
    per_second: float


# Tunable constants (documented in docs/protocol.md).
WRONG_PASSWORD_PER_ADDRESS = Limit(burst=10, per_second=10 / 60)
WRONG_PASSWORD_PER_ROOM = Limit(burst=30, per_second=30 / 60)
CREATE_PER_ADDRESS = Limit(burst=10, per_second=10 / 60)
MESSAGES_PER_PARTICIPANT = Limit(burst=20, per_second=5)
# Reports of rooms to the operator: a few per address, so one person cannot bury a real complaint.
REPORTS_PER_ADDRESS = Limit(burst=5, per_second=5 / 600)
# "Typing" notes per participant: a client sends one at most every 3 s while someone types; past this they are dropped.
TYPING_PER_PARTICIPANT = Limit(burst=5, per_second=1)
# A reader says how far it has read every few pieces of a file: a 10 MiB file at full speed is a few dozen.
FILE_PROGRESS_PER_PARTICIPANT = Limit(burst=200, per_second=100)
MAX_KEYS = 100_000
# `TokenBuckets.reserve`: the tokens left are all held by attempts in flight.
HELD = -1

_ADDRESS_KEY = secrets.token_bytes(32)


# An IPv6 client is its /64: the smallest block an end site gets (SLAAC needs a
# whole /64), so one home or phone can always pick any address in it. A wider
# prefix would join strangers: a /56 or /48 is often one subscriber, but a
# mobile carrier or a hosting provider puts many people under one.
IPV6_CLIENT_PREFIX = 64


def client_of(address: str | None) -> str:
    """What one client controls: an IPv4 address, or an IPv6 /64 (IPv4-mapped IPv6 is IPv4)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip.packed, IPV6_CLIENT_PREFIX), strict=False))
    return str(ip)


def address_key(address: str | None) -> str:
    """Keyed hash of a client (`client_of`), so limiter memory never holds the address itself."""
    raw = client_of(address).encode("utf-8", "replace")
    return hmac.new(_ADDRESS_KEY, raw, hashlib.sha256).hexdigest()[:32]


class TokenBuckets:
    """One bucket per key; the least recently used keys are dropped past `max_keys`."""

    def __init__(self, limit: Limit, clock: Clock, max_keys: int = MAX_KEYS) -> None:
        self._limit = limit
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._held: dict[str, int] = {}  # tokens held by attempts in flight, per key; no key at 0
        self._lock = threading.Lock()
        # A bucket untouched this long is full again, so forgetting it changes nothing.
        self._refill_time = limit.burst / limit.per_second

    def take(self, key: str) -> int:
        """Spend one token. Returns 0 when allowed, else whole seconds to wait."""
        now = self._clock()
        with self._lock:
            tokens = self._level(key, now)
            if tokens >= 1:
                self._store(key, tokens - 1, now)
                return 0
            self._store(key, tokens, now)
            return self._wait(tokens)

    def reserve(self, key: str) -> int:
        """Hold a token for an attempt whose outcome is not known yet (a password being checked).

        0: held. `HELD`: every token left is held by attempts still in flight, which may
        yet give theirs back. Otherwise whole seconds to wait, as `take`. A held token is
        not spent (`level` still counts it); `settle` spends it or lets it go.
        """
        now = self._clock()
        with self._lock:
            tokens = self._level(key, now)
            held = self._held.get(key, 0)
            self._store(key, tokens, now)
            if tokens - held >= 1:
                self._held[key] = held + 1
                return 0
            return HELD if held else self._wait(tokens)

    def settle(self, key: str, spent: bool) -> None:
        """The attempt a token was held for is over: a `spent` token is taken (a wrong password), else freed."""
        now = self._clock()
        with self._lock:
            held = self._held.pop(key, 0) - 1
            if held > 0:
                self._held[key] = held
            if spent:
                self._store(key, self._level(key, now) - 1, now)

    def held(self, key: str) -> int:
        """Tokens of `key` held by attempts in flight now; reads, holds nothing."""
        with self._lock:
            return self._held.get(key, 0)

    def would_wait(self, key: str) -> int:
        """What `take` would answer now, spending nothing and remembering no new key."""
        now = self._clock()
        with self._lock:
            tokens = self._level(key, now)
        return 0 if tokens >= 1 else self._wait(tokens)

    def refill_time(self, key: str, tokens: float = 1) -> float:
        """Seconds until `tokens` are free (neither spent nor held) by refilling alone; 0 when they are now."""
        now = self._clock()
        with self._lock:
            missing = tokens - (self._level(key, now) - self._held.get(key, 0))
        return max(0.0, missing / self._limit.per_second)

    def _wait(self, tokens: float) -> int:
        return max(1, math.ceil((1 - tokens) / self._limit.per_second))

    def level(self, key: str) -> float:
        """Tokens left for `key` now (a full burst for a key never seen); reads, spends nothing."""
        now = self._clock()
        with self._lock:
            return self._level(key, now)

    @property
    def limit(self) -> Limit:
        return self._limit

    def give_back(self, key: str) -> None:
        """Refund a token spent on an attempt that turned out to be honest."""
        now = self._clock()
        with self._lock:
            if key in self._buckets:
                self._store(key, min(self._limit.burst, self._level(key, now) + 1), now)

    def sweep(self) -> int:
        """Forget buckets that have refilled; returns how many were dropped."""
        now = self._clock()
        dropped = 0
        with self._lock:
            while self._buckets:
                key, (_, stamp) = next(iter(self._buckets.items()))
                if now - stamp < self._refill_time:
                    break
                del self._buckets[key]
                dropped += 1
        return dropped

    def __len__(self) -> int:
        return len(self._buckets)

    def _level(self, key: str, now: float) -> float:
        entry = self._buckets.get(key)
        if entry is None:
            return self._limit.burst
        tokens, stamp = entry
        return min(self._limit.burst, tokens + (now - stamp) * self._limit.per_second)

    def _store(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
