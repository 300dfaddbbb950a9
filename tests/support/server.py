"""Starts the real server process (`python app.py`) on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM, then SIGKILL if it lingers; returns the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        _wait_or_kill(process)
    return process.returncode


def _wait_or_kill(process: subprocess.Popen[bytes]) -> None:
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT)


@dataclass
class RunningServer:
    process: subprocess.Popen[bytes]
    port: int
    output_path: Path
    async_mode: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.output_path.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> int:
        return stop_process(self.process)


def _wait_healthy(server: RunningServer) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not server.alive():
            return False
        with contextlib.suppress(requests.RequestException):
            if requests.get(server.url + "/healthz", timeout=2).status_code == 200:
                return True
        time.sleep(0.05)  # polling for readiness, not synchronising a test
    return False


def start_server(
    output_dir: Path,
    async_mode: str = "gevent",
    env: Mapping[str, str] | None = None,
    wrapper: Sequence[str] = (),
) -> RunningServer:
    """Start `app.py` with test defaults, under `wrapper` if given (e.g. `unshare ...`).

    Retries with a new port if one was taken meanwhile.
    """
    for _attempt in range(3):
        port = free_port()
        output_path = output_dir / f"server-{async_mode}-{port}.log"
        full_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("EPHEMERAL_")},
            "EPHEMERAL_HOST": "127.0.0.1",
            "EPHEMERAL_PORT": str(port),
            "EPHEMERAL_ASYNC_MODE": async_mode,
            "EPHEMERAL_BCRYPT_COST": "4",
            # No proofs of work: many tests try wrong passwords on purpose, and a storm would change their
            # answers. The tests of storms (test_guessing_storm.py) turn them on.
            "EPHEMERAL_PROOF_DIFFICULTY": "0",
            "EPHEMERAL_PROOF_DIFFICULTY_PROCESS": "0",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        with output_path.open("wb") as sink:
            process = subprocess.Popen(
                [*wrapper, sys.executable, str(ROOT / "app.py")],
                cwd=ROOT,
                env=full_env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        server = RunningServer(process, port, output_path, async_mode)
        if _wait_healthy(server):
            return server
        server.stop()
    raise RuntimeError("the server did not start; see " + str(output_path))


@contextlib.contextmanager
def running_server(
    output_dir: Path,
    async_mode: str = "gevent",
    env: Mapping[str, str] | None = None,
    wrapper: Sequence[str] = (),
) -> Iterator[RunningServer]:
    server = start_server(output_dir, async_mode, env, wrapper)
    try:
        yield server
    finally:
        server.stop()


def start_all(output_dir: Path, servers: Sequence[tuple[str, Mapping[str, str]]]) -> list[RunningServer]:
    """Start a server per (async mode, environment), side by side: a start is mostly imports, on a core of its own.

    All of them or none: if one does not start, the others are stopped and its error raised.
    """
    with ThreadPoolExecutor(len(servers)) as pool:
        starting = [pool.submit(start_server, output_dir, mode, env) for mode, env in servers]
    started = [future.result() for future in starting if future.exception() is None]
    if len(started) < len(starting):
        stop_all(started)
        raise next(error for future in starting if (error := future.exception()) is not None)
    return started


def stop_all(servers: Sequence[RunningServer]) -> None:
    """SIGTERM every server, then wait for each: their pauses to flush the last notices overlap."""
    for server in servers:
        if server.alive():
            server.process.send_signal(signal.SIGTERM)
    for server in servers:
        _wait_or_kill(server.process)
