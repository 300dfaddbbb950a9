"""As PID 1 (as in a container without an init), SIGTERM still purges every room and ends the process quickly.

The kernel gives PID 1 no default signal actions: a signal it has no handler
for is ignored. The server must rely on its own handlers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.nginx import require
from tests.support.payloads import notice
from tests.support.people import Person
from tests.support.server import running_server

EXIT_WITHIN = 2.0


def pid_namespace_wrapper() -> list[str]:
    """`unshare` making the server PID 1 of a new PID namespace; skips (fails under CI) where that is not allowed."""
    unshare = require("util-linux's unshare", shutil.which("unshare"))
    # Without root, a user namespace grants the right to make a PID namespace.
    wrapper = [unshare, "--pid", "--fork", "--kill-child"]
    if os.geteuid() != 0:
        wrapper[1:1] = ["--user", "--map-root-user"]
    probe = subprocess.run([*wrapper, "true"], capture_output=True, text=True, timeout=30, check=False)
    if probe.returncode != 0:
        reason = f"cannot make a PID namespace here: {probe.stderr.strip()}"
        if "CI" in os.environ:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return wrapper


def only_child(pid: int) -> int:
    """The one process whose parent is `pid`."""
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            if int(fields["PPid"]) == pid:
                children.append(int(status.parent.name))
    assert len(children) == 1, children
    return children[0]


def pid_in_its_namespace(pid: int) -> int:
    """The innermost entry of NSpid: the process's own idea of its PID."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("NSpid:"):
            return int(line.split()[-1])
    raise AssertionError("no NSpid line")


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_as_pid_1_sigterm_purges_every_room_and_exits_within_two_seconds(tmp_path, async_mode):
    wrapper = pid_namespace_wrapper()
    with running_server(tmp_path, async_mode, wrapper=wrapper) as srv:
        server_pid = only_child(srv.process.pid)
        try:
            assert "app.py" in Path(f"/proc/{server_pid}/cmdline").read_text()
            assert pid_in_its_namespace(server_pid) == 1
            ann = Person(srv.url)
            room_id = ann.create().json()["room_id"]
            sock = ann.connect(room_id)
            sock.wait("welcome")

            signalled = time.monotonic()
            os.kill(server_pid, signal.SIGTERM)
            # unshare exits as soon as its only child, the server, has.
            try:
                code = srv.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pytest.fail("still running 10 s after SIGTERM")
            took = time.monotonic() - signalled
            assert code == 0
            assert took < EXIT_WITHIN, f"exited {took:.2f} s after SIGTERM"
            assert notice(sock.wait("purged")) == {"reason": "shutdown", "by": None}
        finally:
            # unshare holds SIGTERM back while its child runs, so stop the server itself. While
            # unshare lives, the server's PID is the server's (alive, or a zombie unshare has not reaped).
            if srv.process.poll() is None:
                os.kill(server_pid, signal.SIGKILL)
