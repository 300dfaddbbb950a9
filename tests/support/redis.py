"""A real `redis-server` on a free loopback port, without persistence, for the shared backend."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.support.server import free_port, stop_process

START_TIMEOUT = 20.0
# What the deployment guide tells operators to run Redis with.
NO_PERSISTENCE = ("--save", "", "--appendonly", "no")
# Every process of a deployment must sign cookies with one key.
SHARED_SECRET = "shared-secret-for-the-test-deployment"


@dataclass
class RedisServer:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True)

    def env(self) -> dict[str, str]:
        """What an Ephemeral process needs to use this Redis."""
        return {"EPHEMERAL_REDIS_URL": self.url, "EPHEMERAL_SECRET_KEY": SHARED_SECRET}

    def flush(self) -> None:
        with self.client() as client:
            client.flushdb()


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing; .ci/run installs it")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    return found


@contextlib.contextmanager
def running_redis(workdir: Path, *extra: str, port: int | None = None) -> Iterator[RedisServer]:
    """`--save "" --appendonly no` unless `extra` says otherwise; stopped by PID at exit."""
    port = port or free_port()
    args = [redis_server_binary(), "--bind", "127.0.0.1", "--port", str(port), "--dir", str(workdir)]
    args += [*NO_PERSISTENCE, "--protected-mode", "yes", *extra]
    log = workdir / f"redis-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(args, stdout=sink, stderr=subprocess.STDOUT)
    server = RedisServer(process, port)
    try:
        _wait_ready(server)
        yield server
    finally:
        stop_process(process)


def _wait_ready(server: RedisServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError("redis-server exited at start")
        with contextlib.suppress(redis.ConnectionError), server.client() as client:
            if client.ping():
                return
        time.sleep(0.05)  # polling for readiness, not synchronising a test
    raise RuntimeError("redis-server did not start")
