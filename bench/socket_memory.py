"""What an idle socket costs the server, and who holds it.

`python -m bench.socket_memory [--sockets N] [--async-mode gevent|eventlet] [--runs plain,traced]`

Starts app.py under bench/memory_probe.py, seats N participants over the JSON
API and probes the server (after a full collection); connects one socket per
seat with the load generator's client, lets them sit idle, and probes again.
Per socket, it prints:

- RSS, and how it splits between glibc malloc, pymalloc's arenas and the rest
  (mmap'd outside both: CPython 3.11 gives each green thread that ran Python
  code its own frame stack, 16 KiB from mmap; kernel socket buffers are not RSS),
- tracemalloc's growth, by allocation site (file:line), by package (of the
  innermost frame, and of the nearest frame outside the standard library) and
  by the innermost Ephemeral line on the stack,
- the green threads, each by what it runs and where it waits.

The "plain" run has no tracemalloc, so its RSS is the server's as deployed;
the "traced" run starts tracemalloc at the first probe and attributes what
the sockets allocated after it; its RSS includes tracemalloc's own bookkeeping.
(A block allocated before and grown by realloc after counts in full.) greenlet copies a suspended green
thread's slice of the C stack to the heap with PyMem_Realloc: tracemalloc sees
those copies, charged to the line where the thread switched out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import population, procs

PROBE = procs.BENCH / "memory_probe.py"
PROBE_TIMEOUT = 120.0
SETTLE_SECONDS = 2.0
KIB = 1024
# Packages counted together in the per-package table.
FAMILIES = {
    "gevent": "gevent/greenlet",
    "greenlet": "gevent/greenlet",
    "eventlet": "eventlet/greenlet",
    "flask": "flask/werkzeug",
    "werkzeug": "flask/werkzeug",
    "flask_socketio": "socketio",
    "socketio": "socketio",
    "engineio": "engineio",
    "simple_websocket": "simple_websocket",
    "wsproto": "wsproto",
    "h11": "wsproto",
}
SITE = "site-packages/"
STDLIB = f"/lib/python{sys.version_info.major}.{sys.version_info.minor}/"


def package_of(filename: str) -> str:
    """The package a source file belongs to, as the tables group them."""
    at = filename.find(SITE)
    if at >= 0:
        top = filename[at + len(SITE) :].split("/", 1)[0].removesuffix(".py")
        return FAMILIES.get(top, top)
    root = str(procs.ROOT) + "/"
    if filename.startswith(root):
        return filename[len(root) :].split("/", 1)[0].removesuffix(".py")
    at = filename.find(STDLIB)
    if at >= 0:
        return "stdlib:" + filename[at + len(STDLIB) :].split("/", 1)[0].removesuffix(".py")
    if filename.startswith("<frozen"):
        return "stdlib:" + filename.strip("<>").split()[-1]
    return filename


def short(filename: str) -> str:
    for marker in (SITE, STDLIB, str(procs.ROOT) + "/"):
        at = filename.find(marker)
        if at >= 0:
            return filename[at + len(marker) :]
    return filename


def _stdlib(package: str) -> bool:
    return package.startswith("stdlib:")


def attribute(stats: Iterable[tracemalloc.Statistic | tracemalloc.StatisticDiff]) -> dict[str, Counter[str]]:
    """Bytes by site, by package (innermost, and nearest outside the standard library) and by Ephemeral line."""
    tables: dict[str, Counter[str]] = {
        "site": Counter(),
        "package": Counter(),
        "caller_package": Counter(),
        "ephemeral_line": Counter(),
    }
    for stat in stats:
        size = stat.size_diff if isinstance(stat, tracemalloc.StatisticDiff) else stat.size
        frames = list(reversed(stat.traceback))  # innermost first
        if not frames:
            continue
        inner = frames[0]
        tables["site"][f"{short(inner.filename)}:{inner.lineno}"] += size
        tables["package"][package_of(inner.filename)] += size
        caller = next((package_of(f.filename) for f in frames if not _stdlib(package_of(f.filename))), "stdlib only")
        tables["caller_package"][caller] += size
        ours = next((f for f in frames if package_of(f.filename) == "ephemeral"), None)
        key = f"{short(ours.filename)}:{ours.lineno}" if ours else "(no Ephemeral frame)"
        tables["ephemeral_line"][key] += size
    return tables


def _start(out_dir: Path, async_mode: str, trace_frames: int) -> procs.Server:
    """app.py under the probe, as procs.start runs it, with tracemalloc when `trace_frames`."""
    port = procs.free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("EPHEMERAL_") and k != "PYTHONTRACEMALLOC"},
        **procs.EPHEMERAL_ENV,
        "EPHEMERAL_HOST": "127.0.0.1",
        "EPHEMERAL_PORT": str(port),
        "EPHEMERAL_ASYNC_MODE": async_mode,
        "PYTHONUNBUFFERED": "1",
        "BENCH_MEMORY_DIR": str(out_dir),
    }
    if trace_frames:
        env["BENCH_TRACE_FRAMES"] = str(trace_frames)
    log_path = out_dir / "server.log"
    with log_path.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, str(PROBE)],
            cwd=procs.ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            preexec_fn=procs.raise_fd_limit,
        )
    server = procs.Server("ephemeral", process, port, log_path)
    deadline = time.monotonic() + procs.START_TIMEOUT
    while time.monotonic() < deadline and server.alive():
        if procs._healthy(port):
            return server
        time.sleep(0.05)  # polling for readiness
    server.stop()
    raise RuntimeError(f"the server did not start; see {log_path}")


async def _probe(server: procs.Server, out_dir: Path, number: int) -> dict[str, Any]:
    os.kill(server.pid, signal.SIGUSR2)
    done = out_dir / f"probe-{number}.json"
    deadline = time.monotonic() + PROBE_TIMEOUT
    while not done.exists():
        if time.monotonic() > deadline or not server.alive():
            raise RuntimeError(f"no probe {number}; see {server.log_path}")
        await asyncio.sleep(0.1)
    figures: dict[str, Any] = json.loads(done.read_text())
    return figures


async def _measure(server: procs.Server, out_dir: Path, sockets: int, per_room: int, idle: float) -> dict[str, Any]:
    target = population.Target("ephemeral", server.port, server.pid)
    rooms = await population.make_rooms(target, math.ceil(sockets / per_room), per_room, tag="mem")
    seats = [seat for room in rooms for seat in room][:sockets]
    await asyncio.sleep(SETTLE_SECONDS)
    before = await _probe(server, out_dir, 0)
    connected = await population.connect_all(target, seats, lambda _text: None)
    await asyncio.sleep(idle)
    after = await _probe(server, out_dir, 1)
    dropped = sum(client.disconnected for client in connected.clients)
    for client in connected.clients:
        client.close()
    return {
        "before": before,
        "after": after,
        "sockets": len(connected.clients) - dropped,
        "failed": connected.failures,
        "dropped": dropped,
    }


def run(kind: str, sockets: int, per_room: int, async_mode: str, idle: float, frames: int) -> dict[str, Any]:
    """One server: `kind` "plain" (no tracemalloc) or "traced"."""
    out_dir = Path(tempfile.mkdtemp(prefix=f"socket-memory-{kind}-"))
    server = _start(out_dir, async_mode, frames if kind == "traced" else 0)
    try:
        result = asyncio.run(_measure(server, out_dir, sockets, per_room, idle))
    finally:
        server.stop()
    result["dir"] = out_dir
    return result


def _per(value: float, sockets: int) -> str:
    return f"{value / sockets / KIB:8.2f}"


def print_totals(kind: str, result: dict[str, Any]) -> None:
    before, after, n = result["before"], result["after"], result["sockets"]
    print(f"\n== {kind}: {n} idle sockets ({result['failed']} failed, {result['dropped']} dropped); KiB per socket ==")
    if not n:
        return
    rows = [
        ("RSS", "rss"),
        ("  anonymous RSS", "rss_anon"),
        ("glibc malloc: main arena (brk)", "malloc_arena"),
        ("glibc malloc: mmap'd blocks", "malloc_mmapped"),
        ("glibc malloc: in use", "malloc_in_use"),
        ("pymalloc arenas (mmap'd)", "pymalloc_arena_bytes"),
        ("pymalloc: in allocated blocks", "pymalloc_in_blocks"),
        ("tracemalloc: traced", "traced"),
        ("tracemalloc: its own bookkeeping", "tracemalloc_own"),
        ("page tables (not RSS)", "page_tables"),
    ]
    for label, key in rows:
        if key in before and key in after:
            print(f"  {label:<36} {_per(after[key] - before[key], n)}")
    outside = ("rss_anon", "malloc_arena", "malloc_mmapped", "pymalloc_arena_bytes")
    if all(key in before and key in after for key in outside):
        grown = {key: after[key] - before[key] for key in outside}
        rest = grown["rss_anon"] - grown["malloc_arena"] - grown["malloc_mmapped"] - grown["pymalloc_arena_bytes"]
        print(f"  {'anonymous RSS outside both':<36} {_per(rest, n)}   (frame stacks of green threads, mmap'd)")
    print(f"  {'gc-tracked objects':<36} {(after['gc_objects'] - before['gc_objects']) / n:8.1f} per socket")


def print_greenlets(result: dict[str, Any]) -> None:
    n = result["sockets"]

    def counts(figures: dict[str, Any]) -> Counter[tuple[str, str, str]]:
        return Counter({(g["type"], g["runs"], g["waits_in"]): g["count"] for g in figures["greenlets"]})

    before, after = counts(result["before"]), counts(result["after"])
    was, now = sum(before.values()), sum(after.values())
    print(f"\n== green threads: {was} before, {now} after, {(now - was) / n:.2f} per socket ==")
    grown = Counter({key: after[key] - before.get(key, 0) for key in after})
    for (kind, runs, waits), count in grown.most_common():
        if count <= 0:
            continue
        print(f"  {count / n:5.2f}/socket  {count:6d}  {kind} running {runs}\n{'':22}waits in {waits}")


def print_traced(result: dict[str, Any], top: int) -> None:
    n, out_dir = result["sockets"], result["dir"]
    # Tracing began at the first probe: the second's snapshot is the growth.
    after = tracemalloc.Snapshot.load(str(out_dir / "probe-1.tracemalloc"))
    diff = after.compare_to(tracemalloc.Snapshot([], after.traceback_limit), "traceback")
    grown = sum(stat.size_diff for stat in diff)
    count = sum(stat.count_diff for stat in diff)
    print(f"\n== tracemalloc growth: {grown / n / KIB:.2f} KiB and {count / n:.1f} blocks per socket ==")
    tables = attribute(diff)
    titles = {
        "package": "by package of the allocating frame",
        "caller_package": "by package of the nearest frame outside the standard library",
        "ephemeral_line": "by the innermost Ephemeral line on the stack",
        "site": "by allocation site (innermost file:line)",
    }
    for name, title in titles.items():
        print(f"\n-- {title}, KiB per socket --")
        shown = tables[name].most_common(top if name == "site" else 15)
        for key, size in shown:
            if abs(size) / n >= 16:
                print(f"  {_per(size, n)}  {key}")
    print(f"\n-- largest tracebacks, KiB per socket (innermost {6} frames) --")
    for stat in sorted(diff, key=lambda s: s.size_diff, reverse=True)[:12]:
        frames = list(reversed(stat.traceback))[:6]
        where = " < ".join(f"{short(f.filename)}:{f.lineno}" for f in frames)
        print(f"  {_per(stat.size_diff, n)}  {stat.count_diff / n:5.1f} blocks  {where}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.socket_memory", description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", type=int, default=500)
    parser.add_argument("--per-room", type=int, default=50)
    parser.add_argument("--async-mode", choices=("gevent", "eventlet"), default="gevent")
    parser.add_argument("--runs", default="plain,traced", help="plain (RSS as deployed), traced (tracemalloc), or both")
    parser.add_argument("--idle", type=float, default=3.0, help="seconds the sockets sit idle before the probe")
    parser.add_argument("--frames", type=int, default=25, help="tracemalloc frames per allocation")
    parser.add_argument("--top", type=int, default=30, help="allocation sites shown")
    args = parser.parse_args(argv)
    procs.raise_fd_limit()
    print(f"{args.sockets} sockets, {args.async_mode}, Python {sys.version.split()[0]}")
    for kind in args.runs.split(","):
        result = run(kind, args.sockets, args.per_room, args.async_mode, args.idle, args.frames)
        print_totals(kind, result)
        if not result["sockets"]:
            continue
        if kind == "plain":
            print_greenlets(result)
        else:
            print_traced(result, args.top)
        print(f"\n(probes in {result['dir']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
