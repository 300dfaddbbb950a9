"""Password hashing: HMAC pre-hash, then bcrypt, run off the event loop at low priority and gated."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

import bcrypt

from .hash_gate import HashGate

T = TypeVar("T")
Offload = Callable[..., Any]

# A hashing thread runs this much nicer than the process (on Linux, where the nice
# value is per thread): whenever the event loop, a reverse proxy or Redis wants the
# CPU, they get it before bcrypt. On a host with a core to spare, bcrypt still runs
# at full speed; docs/decisions.md has the measurements.
HASH_THREAD_NICENESS = 10
_PROCESS_NICENESS = os.getpriority(os.PRIO_PROCESS, 0) if hasattr(os, "getpriority") else 0


def run_inline(fn: Callable[..., T], *args: Any) -> T:
    return fn(*args)


def _lower_priority() -> None:
    """Lower the calling worker thread only; at most once, since a thread cannot raise its priority again."""
    try:
        wanted = min(19, _PROCESS_NICENESS + HASH_THREAD_NICENESS)
        if os.getpriority(os.PRIO_PROCESS, 0) < wanted:
            os.setpriority(os.PRIO_PROCESS, 0, wanted)
    except (AttributeError, OSError):  # not Linux, or not allowed: the hash runs at normal priority
        pass


def _at_low_priority(fn: Callable[..., T], *args: Any) -> T:
    _lower_priority()
    result: T = fn(*args)
    return result


def make_offload(async_mode: str, threads: int = 1) -> Offload:
    """Return a function that runs blocking work in a real OS thread for this mode, at low priority."""
    if async_mode == "gevent":
        from gevent.threadpool import ThreadPool

        # Its own threads, so the hub's pool (DNS lookups) keeps its priority.
        pool = ThreadPool(threads)

        def gevent_offload(fn: Callable[..., T], *args: Any) -> T:
            result: T = pool.apply(_at_low_priority, (fn, *args))
            return result

        return gevent_offload
    if async_mode == "eventlet":
        from eventlet import tpool

        # Only bcrypt uses eventlet's thread pool in this service.
        def eventlet_offload(fn: Callable[..., T], *args: Any) -> T:
            result: T = tpool.execute(_at_low_priority, fn, *args)
            return result

        return eventlet_offload
    return run_inline


def _timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Runs in the worker thread, whose CPU clock counts this hash alone."""
    began = time.thread_time()
    result = fn()
    return result, time.thread_time() - began


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

    @property
    def gate(self) -> HashGate:
        return self._gate

    def _run(self, work: Callable[[], T]) -> T:
        """Blocks this green thread only: waits for a turn at the gate, then hashes in a worker thread."""
        with self._gate:
            self.hashes_run += 1
            timed: tuple[T, float] = self._offload(_timed, work)
            self._gate.charge(timed[1])
        return timed[0]

    def hash(self, password: str) -> bytes:
        secret = self._prehash(password)
        return self._run(lambda: bcrypt.hashpw(secret, bcrypt.gensalt(self._cost)))

    def verify(self, password: str, hashed: bytes) -> bool:
        secret = self._prehash(password)
        return self._run(lambda: bcrypt.checkpw(secret, hashed))
