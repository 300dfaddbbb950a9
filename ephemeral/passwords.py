"""Password hashing: HMAC pre-hash, then bcrypt, run off the event loop and gated."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import bcrypt

from .errors import RateLimited

T = TypeVar("T")
Offload = Callable[..., Any]

# bcrypt at cost 12 costs ~0.3 CPU-seconds. One hash at a time keeps a core free
# for the event loop on a small machine; a short queue absorbs a burst of honest
# joins, and anything beyond it is answered 429 at once instead of piling up.
HASH_CONCURRENCY = 1
HASH_QUEUE = 16


def run_inline(fn: Callable[..., T], *args: Any) -> T:
    return fn(*args)


def make_offload(async_mode: str) -> Offload:
    """Return a function that runs blocking work in a real OS thread for this mode."""
    if async_mode == "gevent":
        import gevent

        def gevent_offload(fn: Callable[..., T], *args: Any) -> T:
            result: T = gevent.get_hub().threadpool.apply(fn, args)
            return result

        return gevent_offload
    if async_mode == "eventlet":
        from eventlet import tpool

        def eventlet_offload(fn: Callable[..., T], *args: Any) -> T:
            result: T = tpool.execute(fn, *args)
            return result

        return eventlet_offload
    return run_inline


class HashGate:
    """Lets `running` hashes run at once and `waiting` more queue; refuses the rest."""

    def __init__(self, running: int = HASH_CONCURRENCY, waiting: int = HASH_QUEUE) -> None:
        self._slots = threading.BoundedSemaphore(running)
        self._admitted = 0
        self._limit = running + waiting
        self._count_lock = threading.Lock()

    def __enter__(self) -> None:
        with self._count_lock:
            if self._admitted >= self._limit:
                raise RateLimited("The server is busy checking passwords. Try again in a moment.", retry_after=1)
            self._admitted += 1
        self._slots.acquire()

    def __exit__(self, *exc: object) -> None:
        self._slots.release()
        with self._count_lock:
            self._admitted -= 1


class PasswordHasher:
    """Hashes and checks room passwords; every byte of a 1024-character password counts."""

    def __init__(self, key: bytes, cost: int, offload: Offload = run_inline, gate: HashGate | None = None) -> None:
        self._key = hmac.new(key, b"ephemeral password pre-hash", hashlib.sha256).digest()
        self._cost = cost
        self._offload = offload
        self._gate = gate or HashGate()
        self.hashes_run = 0  # counted so tests can prove limits act before bcrypt

    def _prehash(self, password: str) -> bytes:
        # bcrypt reads at most 72 bytes (bcrypt 5 raises beyond). A keyed SHA-256,
        # base64-encoded to 44 bytes, makes every byte of the password count.
        digest = hmac.new(self._key, password.encode("utf-8"), hashlib.sha256).digest()
        return base64.b64encode(digest)

    def hash(self, password: str) -> bytes:
        """Blocks this green thread only; the work runs in a worker thread."""
        secret = self._prehash(password)
        with self._gate:
            self.hashes_run += 1
            hashed: bytes = self._offload(lambda: bcrypt.hashpw(secret, bcrypt.gensalt(self._cost)))
        return hashed

    def verify(self, password: str, hashed: bytes) -> bool:
        secret = self._prehash(password)
        with self._gate:
            self.hashes_run += 1
            ok: bool = self._offload(bcrypt.checkpw, secret, hashed)
        return ok
