"""Serve app.py with a memory probe: `python bench/memory_probe.py` (with app.py's EPHEMERAL_* environment).

On SIGUSR2 the server, from a green thread of its own, collects garbage and
writes into BENCH_MEMORY_DIR a new `probe-<n>.json`. With BENCH_TRACE_FRAMES
set, the first probe starts tracemalloc (that many frames per allocation) and
each later one also writes `probe-<n>.tracemalloc`, a snapshot of what was
allocated since the first and is still held (tracing from start-up instead,
as PYTHONTRACEMALLOC would, makes start-up minutes long). Each probe reports:

- RSS and anonymous RSS, glibc's malloc totals (mallinfo2) and pymalloc's arenas,
- tracemalloc's traced and own memory,
- every live greenlet, described by what it runs and where it waits.

Nothing here reads a request, a room or a message: only sizes, counts, and
the code locations green threads wait in. bench/socket_memory.py drives it.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import re
import signal
import sys
import tempfile
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Frames shown per greenlet, from where it waits outwards.
STACK_FRAMES = 6


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks")
    ] + [("keepcost", ctypes.c_size_t)]


def _malloc_totals() -> dict[str, int]:
    """glibc's view: bytes obtained by brk/mmap for malloc, and bytes handed out."""
    try:
        libc = ctypes.CDLL(None)
        mallinfo2 = libc.mallinfo2
    except (OSError, AttributeError):
        return {}
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    return {
        "malloc_arena": info.arena,  # main arena obtained with brk
        "malloc_mmapped": info.hblkhd,  # large blocks, each its own mmap
        "malloc_in_use": info.uordblks + info.hblkhd,
        "malloc_free": info.fordblks,
    }


def _pymalloc_totals() -> dict[str, int]:
    """pymalloc's arenas (mmap'd, invisible to malloc) from sys._debugmallocstats, which writes to fd 2."""
    with tempfile.TemporaryFile() as sink:
        saved = os.dup(2)
        try:
            sys.stderr.flush()
            os.dup2(sink.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        sink.seek(0)
        text = sink.read().decode("ascii", "replace")
    found: dict[str, int] = {}
    for key, pattern in (
        ("pymalloc_arenas", r"# arenas allocated current\s*=\s*([\d,]+)"),
        ("pymalloc_arena_bytes", r"(\d[\d,]*) arenas \* \d+ bytes/arena\s*=\s*([\d,]+)"),
        ("pymalloc_in_blocks", r"# bytes in allocated blocks\s*=\s*([\d,]+)"),
    ):
        match = re.search(pattern, text)
        if match:
            found[key] = int(match.groups()[-1].replace(",", ""))
    return found


def _status() -> dict[str, int]:
    wanted = {"VmRSS": "rss", "RssAnon": "rss_anon", "RssFile": "rss_file", "VmPTE": "page_tables"}
    found = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in wanted:
                found[wanted[name]] = int(rest.split()[0]) * 1024
    return found


def _where(code: Any) -> str:
    filename = code.co_filename
    for marker in ("site-packages/", "/lib/python3."):
        at = filename.rfind(marker)
        if at >= 0:
            filename = filename[at + len(marker) :]
            break
    else:
        if filename.startswith(str(ROOT)):
            filename = filename[len(str(ROOT)) + 1 :]
    return f"{filename}:{code.co_name}"


def _runs(glet: Any) -> str:
    """What a greenlet was started with: gevent's Greenlet keeps it as `_run`, threads as their target."""
    run = getattr(glet, "_run", None) or getattr(glet, "run", None)
    owner = getattr(run, "__self__", None)
    target = getattr(owner, "_target", None)  # a monkey-patched threading.Thread's bootstrap
    if target is not None:
        run = target
    func = getattr(run, "__func__", run)
    name = getattr(func, "__qualname__", None) or type(func).__qualname__
    module = getattr(func, "__module__", None) or ""
    return f"{module}.{name}" if module else name


def _waits_in(glet: Any) -> str:
    """The innermost frames of a suspended greenlet, innermost first."""
    frame = getattr(glet, "gr_frame", None)
    names: list[str] = []
    while frame is not None and len(names) < STACK_FRAMES:
        names.append(_where(frame.f_code))
        frame = frame.f_back
    return " < ".join(names) if names else "(not started or running)"


def _greenlets() -> list[dict[str, Any]]:
    import greenlet

    kinds: Counter[tuple[str, str, str]] = Counter()
    for obj in gc.get_objects():
        if isinstance(obj, greenlet.greenlet) and not obj.dead:
            kinds[(type(obj).__qualname__, _runs(obj), _waits_in(obj))] += 1
    return [
        {"type": kind, "runs": runs, "waits_in": waits, "count": count}
        for (kind, runs, waits), count in kinds.most_common()
    ]


def probe(out_dir: Path, frames: int = 0) -> None:
    """Collect, then write this process's memory figures to `out_dir`; with `frames`, trace allocations from now on."""
    # ephemeral/collector.py freezes survivors, which gc.get_objects() does not list:
    # unfrozen for the census, frozen again after (its callback freezes at each full collection).
    gc.unfreeze()
    gc.collect()
    gc.unfreeze()
    number = len(list(out_dir.glob("probe-*.json")))
    stem = out_dir / f"probe-{number}"
    figures: dict[str, Any] = {"gc_objects": len(gc.get_objects())}
    if tracemalloc.is_tracing():
        figures["traced"], figures["traced_peak"] = tracemalloc.get_traced_memory()
        figures["tracemalloc_own"] = tracemalloc.get_tracemalloc_memory()
        tracemalloc.take_snapshot().dump(str(stem) + ".tracemalloc")
        gc.collect()
    figures.update(_status())
    figures.update(_malloc_totals())
    figures.update(_pymalloc_totals())
    # Last: reading a suspended greenlet's frames makes frame objects (about 2 KiB per
    # socket) that stay as long as those frames do, so the figures above come first.
    figures["greenlets"] = _greenlets()
    gc.freeze()
    if frames and not tracemalloc.is_tracing():
        # From the first probe on: what is traced is what was allocated since, and is still held.
        tracemalloc.start(frames)
        figures["traced"] = figures["tracemalloc_own"] = 0
    partial = stem.with_suffix(".part")
    partial.write_text(json.dumps(figures))
    partial.rename(stem.with_suffix(".json"))


def main() -> None:
    out_dir = Path(os.environ["BENCH_MEMORY_DIR"])
    frames = int(os.environ.get("BENCH_TRACE_FRAMES", "0"))
    sys.path.insert(0, str(ROOT))
    sys.argv = [str(ROOT / "app.py")]
    import app  # patches the standard library for the async mode first
    from ephemeral import socketio

    def on_signal(*_args: object) -> None:
        # Outside the signal handler, as app.py's shutdown runs.
        socketio.start_background_task(probe, out_dir, frames)

    signal.signal(signal.SIGUSR2, on_signal)
    app.main()


if __name__ == "__main__":
    main()
