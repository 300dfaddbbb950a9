"""The process itself: configuration errors at start, and a clean stop."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests

from tests.support.payloads import notice
from tests.support.people import Person
from tests.support.process import HOOKS, stats
from tests.support.server import ROOT, running_server


# Every bad value of every setting is refused by name in tests/unit/test_config.py; here the process turns
# that refusal into one line and exit code 2: in green threads (gevent patched first), without them (an async
# mode it does not know, so nothing patched), and for a secret, which the line must not echo.
@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("EPHEMERAL_PORT", "eighty"),
        ("EPHEMERAL_SECRET_KEY", "too-short-secret"),
        ("EPHEMERAL_ASYNC_MODE", "threads"),
    ],
)
def test_bad_setting_stops_start_with_one_clear_line(variable, value):
    env = {k: v for k, v in os.environ.items() if not k.startswith("EPHEMERAL_")}
    env[variable] = value
    result = subprocess.run(
        [sys.executable, str(ROOT / "app.py")], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert variable in lines[0]
    if variable == "EPHEMERAL_SECRET_KEY":
        assert value not in lines[0]


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_sigterm_tells_clients_and_exits(tmp_path, async_mode):
    with running_server(tmp_path, async_mode) as srv:
        ann = Person(srv.url)
        room_id = ann.create().json()["room_id"]
        sock = ann.connect(room_id)
        sock.wait("welcome")
        assert srv.stop() == 0
        assert notice(sock.wait("purged")) == {"reason": "shutdown", "by": None}


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_the_server_freezes_what_survives_a_full_collection(tmp_path, async_mode):
    """The collector schedule is installed at start (ephemeral/collector.py), in either mode."""
    with running_server(tmp_path, async_mode, env=HOOKS) as srv:
        assert requests.post(srv.url + "/_test/collect", timeout=30).json() == {"ok": True}
        assert stats(srv)["frozen_objects"] > 0
