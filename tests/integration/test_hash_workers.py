"""bcrypt runs in a worker process of the real server, in both async modes, and ends with it."""

from __future__ import annotations

import os
import signal

import pytest

from ephemeral.hashing import HASH_NICENESS
from tests.support.people import Person
from tests.support.process import children_of, cpu_seconds, gone, wait_until
from tests.support.server import running_server

# Cost 12 (the default): about a quarter of a CPU-second a hash, far above what a join costs otherwise.
COST_12 = {"EPHEMERAL_BCRYPT_COST": "12"}
JOINS = 3
EXIT_TIMEOUT = 30.0


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_the_server_hashes_in_a_worker_process_at_low_priority(tmp_path, async_mode):
    with running_server(tmp_path, async_mode, COST_12) as srv:
        room_id = Person(srv.url).create().json()["room_id"]  # the first hash starts the worker
        [worker] = children_of(srv.process.pid)
        server_before, worker_before = cpu_seconds(srv.process.pid), cpu_seconds(worker)
        for n in range(JOINS):
            assert Person(srv.url).join(room_id, alias=f"guest {n}").status_code == 200
        server_spent = cpu_seconds(srv.process.pid) - server_before
        worker_spent = cpu_seconds(worker) - worker_before

        assert children_of(srv.process.pid) == {worker}  # one worker served every join
        assert worker_spent >= 0.1 * JOINS  # the hashes ran there...
        assert server_spent < worker_spent / 3  # ...and not in the server, which only answered
        server_priority = os.getpriority(os.PRIO_PROCESS, srv.process.pid)
        assert os.getpriority(os.PRIO_PROCESS, worker) == min(19, server_priority + HASH_NICENESS)
        assert srv.stop() == 0
    wait_until(lambda: gone(worker), EXIT_TIMEOUT, "the worker ends with the server")


def test_a_killed_server_leaves_no_worker_behind(tmp_path):
    with running_server(tmp_path, "gevent") as srv:
        Person(srv.url).create()
        [worker] = children_of(srv.process.pid)
        srv.process.send_signal(signal.SIGKILL)
        srv.process.wait(EXIT_TIMEOUT)
    wait_until(lambda: gone(worker), EXIT_TIMEOUT, "the worker ends when its pipe closes")
