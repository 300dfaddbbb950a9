"""bcrypt in worker processes: real `hash_worker.py` children over real pipes, at cost 4.

What the workers promise: the same answers as bcrypt in a thread, the CPU time
each hash took, a worker that ends is replaced, a server that cannot start one
still hashes, and a worker sees nothing of the server (descriptors, environment).
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from ephemeral import hashing
from ephemeral.hashing import HASH_NICENESS, BcryptInThread, BcryptWorkers
from tests.support.process import children_of

SECRET = b"a pre-hashed secret"
COST = 4


@pytest.fixture
def workers() -> Iterator[BcryptWorkers]:
    runner = BcryptWorkers()
    yield runner
    runner.close()


def only_worker(runner: BcryptWorkers) -> int:
    [worker] = runner._idle
    return worker.pid


def children() -> set[int]:
    return children_of(os.getpid())


def test_a_worker_hashes_and_checks_like_bcrypt_in_a_thread(workers: BcryptWorkers) -> None:
    hashed, cpu_seconds = workers.hash(SECRET, COST)
    assert hashed.startswith(b"$2b$04$")
    assert cpu_seconds > 0
    assert workers.check(SECRET, hashed)[0] is True
    assert workers.check(b"another secret", hashed)[0] is False
    # Interchangeable with the thread: each checks what the other hashed.
    assert BcryptInThread().check(SECRET, hashed)[0] is True
    assert workers.check(SECRET, BcryptInThread().hash(SECRET, COST)[0])[0] is True


def test_the_worker_is_a_lower_priority_child_that_sees_nothing_of_the_server(
    workers: BcryptWorkers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EPHEMERAL_SECRET_KEY", "the server's secret")
    kept_open = os.open(os.devnull, os.O_RDONLY)
    os.set_inheritable(kept_open, True)  # a descriptor a careless spawn would hand down
    try:
        workers.hash(SECRET, COST)
    finally:
        os.close(kept_open)
    pid = only_worker(workers)
    assert pid in children()
    assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + HASH_NICENESS)
    assert sorted(int(fd) for fd in os.listdir(f"/proc/{pid}/fd")) == [0, 1, 2]
    assert os.readlink(f"/proc/{pid}/fd/2") == os.devnull  # a fault in the worker reaches no log
    assert b"EPHEMERAL" not in Path(f"/proc/{pid}/environ").read_bytes()


def test_one_worker_serves_hash_after_hash(workers: BcryptWorkers) -> None:
    hashed, _ = workers.hash(SECRET, COST)
    first = only_worker(workers)
    workers.check(SECRET, hashed)
    workers.hash(SECRET, COST)
    assert only_worker(workers) == first


def test_a_worker_that_ended_is_replaced_and_the_hash_still_answers(workers: BcryptWorkers) -> None:
    hashed, _ = workers.hash(SECRET, COST)
    gone = only_worker(workers)
    os.kill(gone, signal.SIGKILL)
    assert workers.check(SECRET, hashed)[0] is True
    assert only_worker(workers) != gone
    assert gone not in children()  # reaped, not left a zombie


def test_a_malformed_hash_raises_and_the_worker_lives_on(workers: BcryptWorkers) -> None:
    workers.hash(SECRET, COST)
    before = only_worker(workers)
    with pytest.raises(ValueError):
        workers.check(SECRET, b"not a bcrypt hash")
    assert only_worker(workers) == before
    assert workers.hash(SECRET, COST)[0].startswith(b"$2b$")


@pytest.mark.parametrize(
    "breakage",
    [
        pytest.param(("executable", "/nonexistent/python"), id="the interpreter cannot be started"),
        pytest.param(("WORKER", "/nonexistent/hash_worker.py"), id="the worker ends at once"),
    ],
)
def test_without_workers_the_hash_runs_in_the_thread_and_says_so_once(
    breakage: tuple[str, str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    name, value = breakage
    monkeypatch.setattr(hashing.sys if name == "executable" else hashing, name, value)
    runner = BcryptWorkers()
    others = children()  # the session's own servers, if any
    with caplog.at_level(logging.WARNING, logger="ephemeral"):
        hashed, cpu_seconds = runner.hash(SECRET, COST)
        assert runner.check(SECRET, hashed) == (True, pytest.approx(cpu_seconds, abs=1))
    assert not runner._idle
    assert [record.getMessage() for record in caplog.records] == [
        "bcrypt worker processes are unavailable; hashing in a thread of the server"
    ]
    assert children() == others  # nothing started, or nothing left


def test_close_ends_and_reaps_the_workers(workers: BcryptWorkers) -> None:
    workers.hash(SECRET, COST)
    pid = only_worker(workers)
    workers.close()
    assert pid not in children()
    assert not workers._idle
