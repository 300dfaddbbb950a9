"""Where bcrypt runs: in the calling thread, or in worker processes (`hash_worker.py`) over pipes.

Measured on two cores: bcrypt in a thread of the server, even at low priority,
stalls the event loop 2-6 ms whenever a hash ends and asks for the GIL back; in a
process of its own it does not (bench/NOTES.md). Both runners block the calling
thread, so they are called through the offload thread, never on the event loop.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os

# The unpatched calls: this runs in a worker thread, where gevent's os.posix_spawn (a child
# watcher) and os.close (deferred to the loop) and eventlet's os.read (waits on the hub) fail.
import posix
import sys
import time
from collections.abc import Callable
from typing import Final, Protocol, TypeVar

import bcrypt

T = TypeVar("T")
log = logging.getLogger("ephemeral")

# A hashing thread or worker runs this much nicer than the server: whenever the event
# loop, a reverse proxy or Redis wants the CPU, they get it before bcrypt. On a host
# with a core to spare, bcrypt still runs at full speed; docs/decisions.md has the figures.
HASH_NICENESS: Final = 10
_PROCESS_NICENESS = os.getpriority(os.PRIO_PROCESS, 0)

WORKER: Final = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hash_worker.py")
# What the worker needs of the environment to start Python; not the app's settings or secrets.
_KEPT_ENVIRONMENT = ("PATH", "LD_LIBRARY_PATH")


class Bcrypt(Protocol):
    """Runs one bcrypt operation; each answer comes with the CPU-seconds it took."""

    def hash(self, secret: bytes, cost: int) -> tuple[bytes, float]: ...

    def check(self, secret: bytes, hashed: bytes) -> tuple[bool, float]: ...


class BcryptInThread:
    """bcrypt in the calling thread, which it lowers to `HASH_NICENESS` (on Linux the nice value is per thread)."""

    def hash(self, secret: bytes, cost: int) -> tuple[bytes, float]:
        return _timed(lambda: bcrypt.hashpw(secret, bcrypt.gensalt(cost)))

    def check(self, secret: bytes, hashed: bytes) -> tuple[bool, float]:
        return _timed(lambda: bcrypt.checkpw(secret, hashed))


def _timed(work: Callable[[], T]) -> tuple[T, float]:
    _lower_this_thread()
    began = time.thread_time()  # this thread's CPU clock counts this hash alone
    result = work()
    return result, time.thread_time() - began


def _lower_this_thread() -> None:
    """At most once per thread, since a thread cannot raise its priority again."""
    try:
        wanted = min(19, _PROCESS_NICENESS + HASH_NICENESS)
        if os.getpriority(os.PRIO_PROCESS, 0) < wanted:
            os.setpriority(os.PRIO_PROCESS, 0, wanted)
    except OSError:  # not allowed: the hash runs at normal priority
        pass


class WorkerGone(OSError):
    """A worker process ended, or could not be started."""


class HashProcess:
    """One worker process and the two pipes to it; one request at a time."""

    def __init__(self) -> None:
        child_in, self._requests = os.pipe()
        self._answers, child_out = os.pipe()
        environment = {name: os.environ[name] for name in _KEPT_ENVIRONMENT if name in os.environ}
        try:
            # -I: no PYTHON* variables, no user site, not the package's directory on sys.path.
            self.pid = posix.posix_spawn(
                sys.executable,
                [sys.executable, "-I", WORKER],
                environment,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, child_in, 0),
                    (os.POSIX_SPAWN_DUP2, child_out, 1),
                    (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
                ],
            )
        except OSError as error:
            _close(self._requests, self._answers)
            raise WorkerGone("the bcrypt worker could not start") from error
        finally:
            _close(child_in, child_out)
        self._unread = b""

    def ask(self, request: bytes) -> bytes:
        """Send one request line and wait for its answer line (without the newline)."""
        try:
            view = memoryview(request)
            while view:
                view = view[posix.write(self._requests, view) :]
            while b"\n" not in self._unread:
                chunk = posix.read(self._answers, 4096)
                if not chunk:
                    raise WorkerGone("the bcrypt worker ended")
                self._unread += chunk
        except BrokenPipeError as error:
            raise WorkerGone("the bcrypt worker ended") from error
        line, _, self._unread = self._unread.partition(b"\n")
        return line

    def close(self) -> None:
        """End the worker (its input closes) and reap it."""
        _close(self._requests, self._answers)
        with contextlib.suppress(ChildProcessError):  # already reaped by the async library's child watcher
            posix.waitpid(self.pid, 0)


class BcryptWorkers:
    """bcrypt in worker processes, started when first needed, one per hash in flight (the gate bounds them).

    A worker that ended is replaced once per request; if none can be started, the hash
    runs in the calling thread instead, so a join never fails for want of a worker.
    """

    def __init__(self) -> None:
        self._idle: list[HashProcess] = []  # pop and append are atomic in a thread or a green thread
        self._in_thread = BcryptInThread()
        self._fell_back = False

    def hash(self, secret: bytes, cost: int) -> tuple[bytes, float]:
        answer = self._ask(b"hash %d %s\n" % (cost, base64.b64encode(secret)))
        if answer is None:
            return self._in_thread.hash(secret, cost)
        return base64.b64decode(answer[0]), answer[1]

    def check(self, secret: bytes, hashed: bytes) -> tuple[bool, float]:
        answer = self._ask(b"check %s %s\n" % (base64.b64encode(secret), base64.b64encode(hashed)))
        if answer is None:
            return self._in_thread.check(secret, hashed)
        return base64.b64decode(answer[0]) == b"1", answer[1]

    def close(self) -> None:
        """End the idle workers (at shutdown; a server that exits ends them anyway)."""
        while self._idle:
            self._idle.pop().close()

    def _ask(self, request: bytes) -> tuple[bytes, float] | None:
        """The worker's result and CPU time; None when no worker could answer."""
        for _attempt in range(2):
            try:
                worker = self._idle.pop() if self._idle else HashProcess()
            except WorkerGone:
                break
            try:
                line = worker.ask(request)
            except WorkerGone:
                worker.close()
                continue
            self._idle.append(worker)
            fields = line.split()
            if fields[:1] != [b"ok"] or len(fields) != 3:
                raise ValueError("bcrypt refused the request")  # as bcrypt itself raises on a malformed hash
            return fields[1], float(fields[2])
        if not self._fell_back:
            self._fell_back = True
            log.warning("bcrypt worker processes are unavailable; hashing in a thread of the server")
        return None


def _close(*fds: int) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            posix.close(fd)
