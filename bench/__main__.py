"""`python -m bench [--profile full|quick|tiny] [--out DIR] [--async-mode gevent|eventlet] [--only NAMES]`.

Runs the scenarios against Ephemeral and its baselines and writes
`<out>/latest.md` and `<out>/latest.json`; a full run also refreshes
`bench/RESULTS.md`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from . import actions_report, admin_token, blind_report, files_report, report, scale_rooms_report, small_rooms_report
from .procs import BENCH, raise_fd_limit
from .profiles import PROFILES
from .suite import Suite

SCENARIOS = (
    "fanout",
    "rooms",
    "small_rooms",
    "connections",
    "storm",
    "payloads",
    "blind",
    "actions",
    "files",
    "scale",
    "scale_rooms",
    "sanitizer",
    "profile",
)
# Run only when `--only` names them: no target rests on them.
ON_REQUEST = ("admin_token",)
PACKAGES = (
    "Flask",
    "Flask-SocketIO",
    "python-socketio",
    "python-engineio",
    "simple-websocket",
    "gevent",
    "nh3",
    "markdown-it-py",
    "linkify-it-py",
    "redis",
)
PACKAGES_EXTRA = ("eventlet", "websockets", "py-spy")


def _versions(names: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _machine() -> dict[str, Any]:
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    return {"cores": os.cpu_count(), "memory_gb": round(total_kb / 2**20, 1), "kernel": platform.release()}


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(profile_name: str, out: Path, async_mode: str, only: tuple[str, ...]) -> dict[str, Any]:
    profile = PROFILES[profile_name]
    raise_fd_limit()
    out.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    meta: dict[str, Any] = {
        "profile": profile.name,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": _machine(),
        "load_start": _load(),
        "python": platform.python_version(),
        "packages": _versions(PACKAGES + PACKAGES_EXTRA),
        "async_mode": async_mode,
        "repetitions": profile.repetitions,
    }
    raw: dict[str, Any] = {}
    summary: dict[str, Any] = {}
    # Jobs, load generator and server logs, raw profiles: kept for a look after the run.
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    suite = Suite(profile, work, async_mode, log=lambda line: print(line, flush=True))
    # Scenarios with repeated runs (a Suite method of the same name) keep them raw, then
    # summarize; the sanitizer and the profile summarize themselves.
    direct = {
        "sanitizer": suite.sanitizer,
        "profile": suite.cpu_profile,
        "admin_token": lambda: admin_token.run(profile.name, work, async_mode, suite.log),
    }
    for name in SCENARIOS + ON_REQUEST:
        if name in only:
            print(f"{name}:", flush=True)
            if name in SUMMARIZE:
                raw[name] = getattr(suite, name)()
                summary[name] = SUMMARIZE[name](raw[name])
            else:
                summary[name] = direct[name]()
    meta["load_end"] = _load()
    meta["wall_s"] = round(time.perf_counter() - began, 1)
    params = {
        "fanout": profile.fanout,
        "receivers": profile.receivers,
        "rooms": profile.rooms,
        "small_rooms": profile.small_rooms,
        "connections": profile.connections,
        "storm": profile.storm,
        "payloads": profile.payloads,
        "profile": profile.profile,
        "scale": profile.scale,
        "scale_rooms": profile.scale_rooms,
        "blind": profile.blind,
        "actions": profile.actions,
        "files": profile.files,
    }
    data = {"meta": meta, "params": params, "summary": summary, "raw": raw}
    _write(data, out, complete=set(only) == set(SCENARIOS))
    return data


SUMMARIZE = {
    "fanout": lambda runs: {n: report.summarize_fanout(by_kind) for n, by_kind in runs.items()},
    "rooms": report.summarize_rooms,
    "small_rooms": small_rooms_report.summarize,
    "connections": report.summarize_connections,
    "storm": report.summarize_storm,
    "payloads": report.summarize_payloads,
    "scale": report.summarize_scale,
    "scale_rooms": scale_rooms_report.summarize,
    "blind": blind_report.summarize,
    "actions": actions_report.summarize,
    "files": files_report.summarize,
}


def render(results: Path, out: Path) -> dict[str, Any]:
    """Summaries, targets and tables again from a run's raw figures (after a change to the report or NOTES.md)."""
    data: dict[str, Any] = json.loads(results.read_text())
    for name, runs in data["raw"].items():
        data["summary"][name] = SUMMARIZE[name](runs)
    _write(data, out, complete=set(data["summary"]) == set(SCENARIOS))
    return data


def merge(results: Path, later: Path) -> None:
    """Put the scenarios of `later` (a run of some scenarios alone, same profile) in place of theirs in `results`;
    the tables name each merged scenario's own date."""
    data: dict[str, Any] = json.loads(results.read_text())
    alone: dict[str, Any] = json.loads(later.read_text())
    if alone["meta"]["profile"] != data["meta"]["profile"]:
        raise SystemExit(f"cannot merge a {alone['meta']['profile']} run into a {data['meta']['profile']} run")
    for name, runs in alone["raw"].items():
        data["raw"][name] = runs
        data["params"][name] = alone["params"][name]
        data["meta"].setdefault("merged", {})[name] = alone["meta"]["date"]
    results.write_text(json.dumps(data, indent=1))


def _write(data: dict[str, Any], out: Path, complete: bool) -> None:
    data["targets"] = report.targets(data["summary"])
    (out / "latest.json").write_text(json.dumps(data, indent=1))
    text = report.markdown(data)
    (out / "latest.md").write_text(text)
    if data["meta"]["profile"] == "full" and complete:
        notes = BENCH / "NOTES.md"  # the hand-written analysis of the targets, kept across runs
        (BENCH / "RESULTS.md").write_text(text + ("\n" + notes.read_text() if notes.exists() else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument("--async-mode", choices=("gevent", "eventlet"), default="gevent")
    parser.add_argument(
        "--only", default=",".join(SCENARIOS), help="comma-separated: " + ", ".join(SCENARIOS + ON_REQUEST)
    )
    parser.add_argument("--render", action="store_true", help="no run: tables again from <out>/latest.json")
    parser.add_argument(
        "--merge", type=Path, metavar="DIR", help="with --render: first take DIR/latest.json's scenarios in"
    )
    args = parser.parse_args(argv)
    if args.merge and not args.render:
        parser.error("--merge goes with --render")
    if args.render:
        if args.merge:
            merge(args.out / "latest.json", args.merge / "latest.json")
        render(args.out / "latest.json", args.out)
        print(f"rewrote {args.out / 'latest.md'}")
        return 0
    only = tuple(name.strip() for name in args.only.split(",") if name.strip())
    unknown = set(only) - set(SCENARIOS + ON_REQUEST)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    data = run(args.profile, args.out, args.async_mode, only)
    print(f"\nwrote {args.out / 'latest.md'} and latest.json in {data['meta']['wall_s']:.0f} s")
    for row in data["targets"]:
        state = "-" if row["met"] is None else ("met" if row["met"] else "NOT MET")
        print(f"  {state:<8} {row['target']}: {row['measured']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
