"""Where Ephemeral's CPU goes per incoming message, component by component (py-spy).

`python -m bench.message_profile [--seconds S] [--rate-hz HZ] [--out DIR]`

Two loads of plain ~100-byte messages, each on a fresh server: rooms of two
(the shape of the payloads scenario's plain_100, at 400 messages/s so that the
profile has samples) and small rooms (the small-rooms scenario's 100 x 5, at 1
message/s each). Each sample is charged to the innermost frame that matches a
component below; the component's share of the samples times the server CPU per
acked message (from /proc, over the same step) gives µs per incoming message.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from . import cpu_profile, procs
from .stats import CpuMeter
from .suite import Suite

# Loads one process carries without a backlog on a shared two-core machine: the small-rooms scenario's
# 4 messages/s each is past what Ephemeral sustains, and a backlog changes what a message costs.
LOADS = {
    "rooms_of_two": {"rooms": 100, "clients_per_room": 2, "per_client_per_s": 2.0},
    "small_rooms": {"rooms": 100, "clients_per_room": 5, "per_client_per_s": 1.0},
}
# (component, path prefixes, function names or None for any): the innermost frame that matches one
# names the component, except for the refinements in `component` (JSON by its caller, Socket.IO
# packets by direction, WebSocket and socket I/O by direction).
COMPONENTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...] | None], ...] = (
    (
        "Markdown and sanitizing (markdown-it, nh3)",
        ("ephemeral/sanitize.py", "ephemeral/markdown.py", "nh3/", "markdown_it/", "linkify_it/", "mdurl/"),
        None,
    ),
    ("rate limit", ("ephemeral/ratelimit.py",), None),
    (
        "binding lookup (speaker, room, message record)",
        ("ephemeral/bindings.py", "ephemeral/events/seated.py", "ephemeral/rooms/"),
        None,
    ),
    ("JSON", ("json/",), None),
    (
        "Flask request context and session per event",
        ("flask/", "werkzeug/", "itsdangerous/", "ephemeral/session_cookie.py"),
        None,
    ),
    ("WebSocket", ("ephemeral/gevent_websocket.py", "ephemeral/frames.py", "ephemeral/websockets.py"), None),
    ("socket I/O", ("ephemeral/turns.py",), None),
    ("Ephemeral handler (body, ack, emit call, turns)", ("ephemeral/",), None),
    ("Flask-SocketIO dispatch", ("flask_socketio/",), None),
    ("Socket.IO packet", ("socketio/packet.py",), None),
    ("Socket.IO server: events, rooms, emit", ("socketio/",), None),
    ("Engine.IO framing and queues", ("engineio/",), None),
    ("WebSocket", ("simple_websocket/", "wsproto/", "h11/"), None),
    ("socket I/O", ("gevent/_socketcommon.py", "gevent/_socket3.py", "socket.py"), None),
    ("gevent hub, greenlet switches, timeouts", ("gevent/", "greenlet/"), None),
)
# Frames that put a sample on the write side of a socket: the writer's frame out, the system call.
WRITE_FRAMES = (
    "Base.send",
    "YieldingServer.send",
    "server_frame",
    "TurnTakingSocket.send",
    "TurnTakingSocket._push",
    "SocketMixin.send",
    "SocketMixin.sendall",
)
OTHER = "other (stdlib, interpreter)"


def _where(frame: str) -> tuple[str, str]:
    """(path relative to sys.path, function) of a py-spy frame "function (path:line)"."""
    start = frame.rfind(" (")
    if start < 0:
        return frame, ""
    return frame[start + 2 : -1].rsplit(":", 1)[0], frame[:start]


def _match(frame: str) -> str | None:
    path, function = _where(frame)
    for name, prefixes, functions in COMPONENTS:
        if path.startswith(prefixes) and (functions is None or function in functions):
            return name
    return None


def component(stack: list[str]) -> str:
    """The component a sample (outermost frame first) is charged to."""
    functions = [_where(frame)[1] for frame in stack]
    for depth in range(len(stack) - 1, -1, -1):
        name = _match(stack[depth])
        if name is None:
            continue
        if name == "JSON":  # a session cookie's JSON is the session's
            outer = next((n for f in reversed(stack[:depth]) if (n := _match(f)) not in (None, "JSON")), None)
            decoding = any(f.endswith(("loads", "decode", "raw_decode")) for f in functions[depth:])
            if outer == "Flask request context and session per event":
                return outer
            return "JSON decoding" if decoding else "JSON encoding"
        if name == "Socket.IO packet":
            return "Socket.IO packet decode" if "Packet.decode" in functions else "Socket.IO packet encode"
        if name in ("WebSocket", "socket I/O"):
            writing = any(f in WRITE_FRAMES for f in functions)
            if name == "WebSocket":
                return "WebSocket write (framing)" if writing else "WebSocket read (frame parsing)"
            return "socket write (send system call)" if writing else "socket read (recv system call)"
        return name
    return OTHER


def summarize(raw: Path) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack_text, _, count_text = line.rpartition(" ")
        if not stack_text or not count_text.isdigit():
            continue
        stack = [frame for frame in stack_text.split(";") if " (" in frame]
        if not stack or _where(stack[-1])[0].startswith(cpu_profile.IDLE_LEAVES):
            continue
        counts[component(stack)] += int(count_text)
        total += int(count_text)
    return {"samples": total, "shares": {name: round(n / total, 4) for name, n in counts.most_common()}}


def _wait_for_load(pid: int, worker: threading.Thread, limit: float = 60.0) -> None:
    """Until the server works (the step began, after the load generator's wait for a quiet machine)."""
    deadline = time.monotonic() + limit
    while worker.is_alive() and time.monotonic() < deadline:
        meter = CpuMeter((pid,))
        time.sleep(0.3)
        if meter.read()["server_cpu"] >= 0.1:
            return


def profile_load(suite: Suite, name: str, seconds: float, rate_hz: int) -> dict[str, Any]:
    ready, raw = suite.work / f"message-profile-{name}.ready", suite.work / f"message-profile-{name}.txt"
    ready.unlink(missing_ok=True)
    params = {**LOADS[name], "seconds": seconds + 3.0, "drain_seconds": 2.0, "settle_seconds": 1.0}
    params["ready_file"] = str(ready)
    with procs.running("ephemeral", suite.work / "servers") as server:
        holder: dict[str, Any] = {}
        worker = threading.Thread(target=lambda: holder.update(suite._loadgen(server, "small_rooms", params)))
        worker.start()
        deadline = time.monotonic() + 300
        while not ready.exists() and worker.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        _wait_for_load(server.pid, worker)
        spy = cpu_profile.record(server.pid, seconds, rate_hz, raw)
        if spy is not None:
            spy.wait(seconds + 30)
        worker.join(600)
    per_message = holder["server_cpu_us_per_message"]
    found = summarize(raw) if raw.exists() else {"samples": 0, "shares": {}}
    return {
        "load": LOADS[name],
        "server_cpu_us_per_message": per_message,
        "lost": holder["lost"],
        "refused": holder["refused"],
        "p99_ms": holder["latency_ms"]["p99"],
        "other_cpu": holder["other_cpu"],
        **found,
        "us_per_message": {k: round(v * per_message, 1) for k, v in found["shares"].items()} if per_message else {},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.message_profile", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate-hz", type=int, default=250)
    parser.add_argument("--out", type=Path, default=procs.BENCH / "results")
    args = parser.parse_args(argv)
    if cpu_profile.py_spy() is None:
        parser.error("py-spy is not installed (bench/requirements.txt)")
    from .profiles import FULL

    work = args.out / "work"
    work.mkdir(parents=True, exist_ok=True)
    suite = Suite(FULL, work, log=lambda line: print(line, flush=True))
    results = {name: profile_load(suite, name, args.seconds, args.rate_hz) for name in LOADS}
    (args.out / "message-profile.json").write_text(json.dumps(results, indent=1))
    for name, result in results.items():
        print(
            f"\n{name}: {result['server_cpu_us_per_message']} µs per message, {result['samples']} samples, "
            f"lost {result['lost']}, refused {result['refused']}, p99 {result['p99_ms']} ms"
        )
        for part, us in result["us_per_message"].items():
            print(f"  {us:8.1f} µs  {part}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
