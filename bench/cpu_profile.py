"""Where server CPU goes per delivered message: py-spy samples, grouped by layer.

py-spy attaches to the running server by PID and writes collapsed stacks. It
pauses the server for each sample: `--nonblocking` reads stacks half-switched
by greenlets and charged 10% of the time to a `JSONEncoder.__init__` that costs
nothing. Idle samples (the event loop in epoll, pool threads waiting for work)
are left out, so the samples are CPU time. Each
sample is charged to the innermost frame that belongs to a known layer, so a
`json.dumps` called by python-socketio counts as Socket.IO encoding.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

# (layer, path prefixes as py-spy prints them, relative to sys.path); innermost match wins.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sanitizer (nh3)", ("ephemeral/sanitize.py", "nh3/")),
    ("Markdown (markdown-it-py)", ("ephemeral/markdown.py", "markdown_it/", "linkify_it/", "mdurl/")),
    ("Ephemeral handlers, registry, limits", ("ephemeral/", "app.py")),
    ("Flask app/request context, session cookie", ("flask/", "werkzeug/", "flask_socketio/", "itsdangerous/")),
    ("Socket.IO events, rooms, packet encoding", ("socketio/",)),
    ("Engine.IO sockets, queues, writer loop", ("engineio/",)),
    ("WebSocket framing (simple-websocket, wsproto)", ("simple_websocket/", "wsproto/", "h11/")),
    ("gevent hub, greenlets, socket I/O", ("gevent/", "greenlet/", "eventlet/")),
)
# Worker threads waiting for work: idle, though py-spy cannot always tell.
IDLE_LEAVES = ("gevent/_threading.py", "threading.py", "eventlet/tpool.py")
OTHER = "other (stdlib, interpreter)"


def py_spy() -> str | None:
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def record(pid: int, seconds: float, rate_hz: int, output: Path) -> subprocess.Popen[bytes] | None:
    """Start py-spy on `pid` for `seconds`; None when py-spy is not installed."""
    binary = py_spy()
    if binary is None:
        return None
    return subprocess.Popen(
        [
            binary,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(max(1, round(seconds))),
            "--rate",
            str(rate_hz),
            "--format",
            "raw",
            "--output",
            str(output),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _frame_file(frame: str) -> str:
    # py-spy raw frames look like "function (path/to/file.py:123)".
    start = frame.rfind(" (")
    return frame[start + 2 : -1] if start >= 0 else frame


def _frame_function(frame: str) -> str:
    start = frame.rfind(" (")
    if start < 0:
        return frame
    path = frame[start + 2 : -1].rsplit(":", 1)[0]
    short = "/".join(path.split("/")[-2:])
    return f"{frame[:start]} ({short})"


def _layer(stack: list[str]) -> str:
    for frame in reversed(stack):
        where = _frame_file(frame)
        for layer, prefixes in LAYERS:
            if where.startswith(prefixes):
                return layer
    return OTHER


def summarize(collapsed: Path, top: int = 12) -> dict[str, Any]:
    layers: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text(encoding="utf-8", errors="replace").splitlines():
        stack_text, _, count_text = line.rpartition(" ")
        if not stack_text or not count_text.isdigit():
            continue
        count = int(count_text)
        stack = stack_text.split(";")
        # Drop the thread/process header frames py-spy may add.
        stack = [frame for frame in stack if " (" in frame]
        if not stack or _frame_file(stack[-1]).startswith(IDLE_LEAVES):
            continue
        total += count
        layers[_layer(stack)] += count
        leaves[_frame_function(stack[-1])] += count
    share = {name: round(count / total, 4) for name, count in layers.most_common()} if total else {}
    return {
        "samples": total,
        "layers": share,
        "top_self": [[name, round(count / total, 4)] for name, count in leaves.most_common(top)] if total else [],
    }
