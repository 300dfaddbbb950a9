"""Password hashing: HMAC pre-hash, then bcrypt, run off the event loop and gated."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any, TypeVar

from .hash_gate import HashGate
from .hashing import Bcrypt, BcryptInThread, BcryptWorkers

T = TypeVar("T")
Offload = Callable[..., Any]


def run_inline(fn: Callable[..., T], *args: Any) -> T:
    return fn(*args)


def make_offload(async_mode: str, threads: int = 1) -> Offload:
    """Return a function that runs blocking work in a real OS thread for this mode."""
    if async_mode == "gevent":
        from gevent.threadpool import ThreadPool

        # Its own threads, so the hub's pool (DNS lookups) never waits behind bcrypt.
        pool = ThreadPool(threads)

        def gevent_offload(fn: Callable[..., T], *args: Any) -> T:
            result: T = pool.apply(fn, args)
            return result

        return gevent_offload
    if async_mode == "eventlet":
        from eventlet import tpool

        # Only bcrypt uses eventlet's thread pool in this service.
        def eventlet_offload(fn: Callable[..., T], *args: Any) -> T:
            result: T = tpool.execute(fn, *args)
            return result

        return eventlet_offload
    return run_inline


def bcrypt_for(async_mode: str) -> Bcrypt:
    """Worker processes under an event loop (a hash in a thread would stall it); the calling thread otherwise."""
    return BcryptWorkers() if async_mode in ("gevent", "eventlet") else BcryptInThread()


class PasswordHasher:
    """Hashes and checks room passwords; every byte of a 1024-character password counts."""

    def __init__(
        self,
        key: bytes,
        cost: int,
        offload: Offload = run_inline,
        gate: HashGate | None = None,
        runner: Bcrypt | None = None,
    ) -> None:
        self._key = hmac.new(key, b"ephemeral password pre-hash", hashlib.sha256).digest()
        self._cost = cost
        self._offload = offload
        self._gate = gate or HashGate()
        self._bcrypt = runner or BcryptInThread()
        self.hashes_run = 0  # counted so tests can prove limits act before bcrypt

    def _prehash(self, password: str) -> bytes:
        # bcrypt reads at most 72 bytes (bcrypt 5 raises beyond). A keyed SHA-256,
        # base64-encoded to 44 bytes, makes every byte of the password count.
        digest = hmac.new(self._key, password.encode("utf-8"), hashlib.sha256).digest()
        return base64.b64encode(digest)

    @property
    def gate(self) -> HashGate:
        return self._gate

    def _run(self, operation: Callable[..., tuple[T, float]], *args: Any) -> T:
        """Blocks this green thread only: waits for a turn at the gate, then hashes through the offload."""
        with self._gate:
            self.hashes_run += 1
            answer: tuple[T, float] = self._offload(operation, *args)
            self._gate.charge(answer[1])
        return answer[0]

    def hash(self, password: str) -> bytes:
        return self._run(self._bcrypt.hash, self._prehash(password), self._cost)

    def verify(self, password: str, hashed: bytes) -> bool:
        return self._run(self._bcrypt.check, self._prehash(password), hashed)
