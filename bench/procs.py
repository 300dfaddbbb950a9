"""The processes under test: start Ephemeral, the floor, the Node peer or the
ceiling on a free loopback port, read their CPU time and RSS from /proc, stop
them by PID."""

from __future__ import annotations

import contextlib
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
FD_LIMIT = 65536
KINDS = ("ephemeral", "floor", "node", "ceiling")
NODE_PEER = BENCH / "node_peer"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")  # /proc/stat counts in these

# Ephemeral as deployed, except what set-up needs: cheap bcrypt for joins that are
# not measured, rooms large enough for the fan-out scenarios, and room for every
# socket from one address (the load generator's sockets all come from 127.0.0.1).
EPHEMERAL_ENV = {
    "EPHEMERAL_BCRYPT_COST": "4",
    "EPHEMERAL_MAX_PARTICIPANTS": "1000",
    "EPHEMERAL_MAX_ROOMS": "10000",
    "EPHEMERAL_MAX_CONNECTIONS_PER_ADDRESS": "1000000",
    "EPHEMERAL_MAX_SOCKETS_PER_ADDRESS": "1000000",
}


def raise_fd_limit(wanted: int = FD_LIMIT) -> int:
    """Lift the soft open-file limit towards `wanted` (never past the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def thread_cpu_ns(pid: int) -> dict[str, int]:
    """CPU time so far of each live thread of `pid`, in nanoseconds (/proc/<pid>/task/*/schedstat).

    /proc/<pid>/stat counts 10 ms ticks, too coarse for a Redis server that
    spends a few ms in a measurement; schedstat counts nanoseconds, per thread.
    """
    times = {}
    for task in os.listdir(f"/proc/{pid}/task"):
        schedstat = Path(f"/proc/{pid}/task/{task}/schedstat")
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):  # the thread just exited
            times[task] = int(schedstat.read_text(encoding="ascii").split()[0])
    return times


def open_sockets(pid: int) -> int:
    """How many sockets `pid` holds open (its listener, clients, Redis connections)."""
    fds = Path(f"/proc/{pid}/fd")
    count = 0
    for fd in fds.iterdir():
        with contextlib.suppress(FileNotFoundError):  # closed meanwhile
            count += os.readlink(fd).startswith("socket:")
    return count


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass
class Server:
    kind: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def spec(self) -> dict[str, object]:
        """The load generator's view of this server."""
        return {"kind": self.kind, "port": self.port, "pid": self.pid}

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers; only ever this one PID."""
        _stop(self.process)


def _command(kind: str, port: int, async_mode: str, gc_probe: bool) -> list[str]:
    wrap = [str(BENCH / "gc_probe.py")] if gc_probe else []
    if kind == "ephemeral":
        return [sys.executable, *wrap, str(ROOT / "app.py")]
    if kind == "floor":
        return [sys.executable, *wrap, str(BENCH / "floor_app.py"), str(port), async_mode]
    if kind == "ceiling":
        return [sys.executable, *wrap, str(BENCH / "ceiling_relay.py"), str(port)]
    if kind == "node":  # no collector probe: Node's pauses are not Python's
        return [node_binary() or "node", str(NODE_PEER / "relay.js"), str(port)]
    raise ValueError(kind)


def node_binary() -> str | None:
    return shutil.which("node")


def node_peer_missing() -> str | None:
    """Why the Node peer cannot run here (None when it can): `make bench` installs it with npm ci."""
    if node_binary() is None:
        return "node is not installed"
    if not (NODE_PEER / "node_modules" / "socket.io").is_dir():
        return "bench/node_peer/node_modules is missing (make bench runs npm ci there)"
    return None


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def start(
    kind: str,
    log_dir: Path,
    async_mode: str = "gevent",
    env: Mapping[str, str] | None = None,
    gc_probe: bool = False,
) -> Server:
    """Start one server and wait for /healthz; retries on another port if one was taken.

    With `gc_probe` the server runs under bench/gc_probe.py, which logs its collector's pauses.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    for _attempt in range(3):
        port = free_port()
        log_path = log_dir / f"{kind}-{port}.log"
        full_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("EPHEMERAL_")},
            **EPHEMERAL_ENV,
            "EPHEMERAL_HOST": "127.0.0.1",
            "EPHEMERAL_PORT": str(port),
            "EPHEMERAL_ASYNC_MODE": async_mode,
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        with log_path.open("wb") as sink:
            process = subprocess.Popen(
                _command(kind, port, async_mode, gc_probe),
                cwd=ROOT,
                env=full_env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                preexec_fn=raise_fd_limit,
            )
        server = Server(kind, process, port, log_path)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and server.alive():
            if _healthy(port):
                return server
            time.sleep(0.05)  # polling for readiness
        server.stop()
    raise RuntimeError(f"{kind} did not start; see {log_path}")


@contextlib.contextmanager
def running(
    kind: str,
    log_dir: Path,
    async_mode: str = "gevent",
    env: Mapping[str, str] | None = None,
    gc_probe: bool = False,
) -> Iterator[Server]:
    server = start(kind, log_dir, async_mode, env, gc_probe)
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Deployment:
    """One or several Ephemeral processes, sharing a Redis server when there is one."""

    servers: list[Server]
    store: subprocess.Popen[bytes] | None = None
    # Processes on the same Redis that no client is sent to (`idle_pids` in the load generator's view).
    idle: list[Server] = field(default_factory=list)
    store_port: int | None = None
    env: dict[str, str] = field(default_factory=dict)

    def spec(self) -> dict[str, object]:
        """The load generator's view: where to connect, and whose CPU to count."""
        first = self.servers[0]
        return {
            "kind": first.kind,
            "port": first.port,
            "pid": first.pid,
            "ports": [server.port for server in self.servers],
            "pids": [server.pid for server in self.servers],
            "store_pids": [self.store.pid] if self.store else [],
            "idle_pids": [server.pid for server in self.idle],
        }

    def alive(self) -> bool:
        running = all(server.alive() for server in self.servers + self.idle)
        return running and (self.store is None or self.store.poll() is None)


NO_PERSISTENCE = ("--save", "", "--appendonly", "no")


def redis_server() -> str:
    found = shutil.which("redis-server")
    if found is None:
        raise RuntimeError("redis-server is missing: make bench installs it (apt-get install redis-server)")
    return found


def _start_redis(log_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    """A fresh redis-server without persistence on a free port; waits until it answers PING."""
    port = free_port()
    with (log_dir / f"redis-{port}.log").open("wb") as sink:
        process = subprocess.Popen(
            [redis_server(), "--bind", "127.0.0.1", "--port", str(port), "--dir", str(log_dir), *NO_PERSISTENCE],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
            probe.sendall(b"PING\r\n")
            if probe.recv(16).startswith(b"+PONG"):
                return process, port
        time.sleep(0.05)  # polling for readiness
    _stop(process)
    raise RuntimeError(f"redis-server did not start; see {log_dir}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)


@contextlib.contextmanager
def running_deployment(
    processes: int, store: str, log_dir: Path, async_mode: str = "gevent", idle: int = 0
) -> Iterator[Deployment]:
    """`processes` Ephemeral processes; with `store` "redis", all on one fresh redis-server, with `idle` more that
    no client is sent to."""
    log_dir.mkdir(parents=True, exist_ok=True)
    deployment = Deployment([])
    try:
        if store == "redis":
            deployment.store, deployment.store_port = _start_redis(log_dir)
            deployment.env = {
                "EPHEMERAL_REDIS_URL": f"redis://127.0.0.1:{deployment.store_port}/0",
                # Every process must sign cookies with the same key.
                "EPHEMERAL_SECRET_KEY": secrets.token_urlsafe(32),
            }
        elif processes != 1 or idle:
            raise ValueError("several processes need the Redis store")
        for _ in range(processes):
            deployment.servers.append(start("ephemeral", log_dir, async_mode, deployment.env))
        for _ in range(idle):
            deployment.idle.append(start("ephemeral", log_dir, async_mode, deployment.env))
        yield deployment
    finally:
        for server in deployment.servers + deployment.idle:
            server.stop()
        if deployment.store is not None:
            _stop(deployment.store)
