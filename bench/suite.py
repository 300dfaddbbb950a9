"""The orchestrator: start each server, run each scenario's load generator against it, collect.

Runs are interleaved (Ephemeral, floor, ceiling, Ephemeral, floor, ...) and each
gets a fresh server process, so no run inherits another's memory, rate-limit
buckets or warm caches, and slow drifts of a shared machine hit every kind alike.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import cpu_profile, files_report, gc_probe, procs, sanitizer
from .fanout import senders_needed
from .profiles import PER_SENDER, Profile

LOADGEN_TIMEOUT = 900.0
# The load generator's module by scenario: `bench.loadgen`, or a scenario's own that registers itself with it.
LOADGEN_MODULES = {"files": "bench.files"}
Log = Callable[[str], None]


def _senders(receivers: int, fanout: dict[str, Any]) -> int:
    """Enough senders that none exceeds Ephemeral's message limit at the top of the ladder."""
    return senders_needed(receivers, max(fanout["ladder"]), PER_SENDER)


@dataclass
class Suite:
    profile: Profile
    work: Path  # logs, jobs, raw profiles
    async_mode: str = "gevent"
    log: Log = print

    def _loadgen(
        self, target: procs.Server | procs.Deployment, scenario: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        """Run one load generator process against a server or a deployment; returns its result."""
        spec = target.spec()
        stem = f"{scenario}-{spec['kind']}-{spec['port']}"
        job_path, result_path = self.work / f"{stem}.job.json", self.work / f"{stem}.result.json"
        job = {"scenario": scenario, "target": spec}
        job_path.write_text(json.dumps({**job, "params": params}))
        result_path.unlink(missing_ok=True)
        with (self.work / f"{stem}.loadgen.log").open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", LOADGEN_MODULES.get(scenario, "bench.loadgen"), str(job_path), str(result_path)],
                cwd=procs.ROOT,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
            try:
                code = process.wait(LOADGEN_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise RuntimeError(f"load generator for {stem} timed out") from None
        if code != 0 or not result_path.exists():
            tail = (self.work / f"{stem}.loadgen.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"load generator for {stem} failed ({code}):\n{tail}")
        result: dict[str, Any] = json.loads(result_path.read_text())
        return result

    def _run(self, kind: str, scenario: str, params: dict[str, Any], env: dict[str, str] | None = None) -> Any:
        # Collector pauses matter where heaps are large: thousands of sockets.
        probe = scenario == "connections"
        with procs.running(kind, self.work / "servers", self.async_mode, env, gc_probe=probe) as server:
            began = time.perf_counter()
            result = self._loadgen(server, scenario, params)
            result["server_rss_end_mb"] = round(procs.rss_bytes(server.pid) / 2**20, 2)
            if not server.alive():
                raise RuntimeError(f"{kind} died during {scenario}")
        if probe:
            log = server.log_path.read_text(errors="replace")
            result["gc"] = gc_probe.parse(log)
            result["gc_idle"] = gc_probe.parse(log, tuple(result["idle_window"]))
        self.log(f"  {scenario:<11} {kind:<9} {time.perf_counter() - began:6.1f} s")
        return result

    def _kinds(self, scenario: str) -> tuple[str, ...]:
        """The profile's kinds for `scenario`, less the Node peer where it is optional and not installed."""
        kinds = self.profile.kinds[scenario]
        missing = procs.node_peer_missing() if "node" in kinds else None
        if missing is None:
            return kinds
        if self.profile.node_required:
            raise RuntimeError(f"the Node peer cannot run: {missing}")
        self.log(f"  {scenario:<11} node      left out: {missing}")
        return tuple(kind for kind in kinds if kind != "node")

    def _interleaved(self, scenario: str, params: dict[str, Any], kinds: tuple[str, ...]) -> dict[str, list[Any]]:
        runs: dict[str, list[Any]] = {kind: [] for kind in kinds}
        for _rep in range(self.profile.repetitions):
            for kind in kinds:
                runs[kind].append(self._run(kind, scenario, params))
        return runs

    def fanout(self) -> dict[str, Any]:
        """Per N: interleaved runs; after a kind's first run, its ladder starts at half its saturation."""
        out: dict[str, Any] = {}
        for receivers in self.profile.receivers:
            only = self.profile.ceiling_receivers
            kinds = tuple(k for k in self._kinds("fanout") if k != "ceiling" or not only or receivers in only)
            params = {
                **self.profile.fanout,
                "receivers": receivers,
                "senders": _senders(receivers, self.profile.fanout),
            }
            if receivers != self.profile.fanout.get("target_receivers", receivers):
                params["fixed_seconds"] = self.profile.fanout["fixed_seconds_other"]
                params["refine"] = self.profile.fanout.get("refine_other", params["refine"])
            runs: dict[str, list[Any]] = {kind: [] for kind in kinds}
            for _rep in range(self.profile.repetitions):
                for kind in kinds:
                    earlier = [run["saturation_per_s"] for run in runs[kind] if run["saturation_per_s"]]
                    start_at = 0.5 * min(earlier) if earlier else 0.0
                    runs[kind].append(self._run(kind, "fanout", {**params, "start_at": start_at}))
            out[str(receivers)] = runs
        return out

    def rooms(self) -> dict[str, Any]:
        return self._interleaved("rooms", self.profile.rooms, self._kinds("rooms"))

    def connections(self) -> dict[str, Any]:
        return self._interleaved("connections", self.profile.connections, self._kinds("connections"))

    def payloads(self) -> dict[str, Any]:
        return self._interleaved("payloads", self.profile.payloads, self._kinds("payloads"))

    def small_rooms(self) -> dict[str, Any]:
        """Many rooms of five at 4 messages/s each: server CPU per incoming message, p99, loss, every kind."""
        if self.profile.small_rooms is None:
            return {}
        return self._interleaved("small_rooms", self.profile.small_rooms, self._kinds("small_rooms"))

    def storm(self) -> list[Any]:
        """Each repetition runs every load of the other room once, interleaved."""
        params = self.profile.storm
        env = {"EPHEMERAL_BCRYPT_COST": str(params["bcrypt_cost"])}
        loads = params.get("loads") or [params]
        common = {key: value for key, value in params.items() if key != "loads"}
        return [
            self._run("ephemeral", "storm", {**common, **load}, env)
            for _ in range(self.profile.repetitions)
            for load in loads
        ]

    def scale(self) -> dict[str, Any]:
        """The fan-out ladder against one process in memory, then 1, 2, 3... processes on one Redis.

        Interleaved like the rest; clients are spread over the processes round-robin,
        so a message's deliveries cross Redis to reach most of the room.
        """
        spec = self.profile.scale
        if spec is None:
            return {"skipped": "not in this profile"}
        receivers = int(spec["receivers"])
        params = {**self.profile.fanout, **spec["fanout"], "receivers": receivers}
        params["senders"] = _senders(receivers, params)
        layouts = [("memory", 1)] + [("redis", n) for n in spec["processes"]]
        runs: dict[str, list[Any]] = {f"{store}-{n}": [] for store, n in layouts}
        for _rep in range(self.profile.repetitions):
            for store, processes in layouts:
                name = f"{store}-{processes}"
                earlier = [run["saturation_per_s"] for run in runs[name] if run["saturation_per_s"]]
                start_at = 0.5 * min(earlier) if earlier else 0.0
                runs[name].append(self._on_deployment("fanout", store, processes, {**params, "start_at": start_at}))
        return runs

    def _on_deployment(
        self, scenario: str, store: str, processes: int, params: dict[str, Any], idle: int = 0
    ) -> dict[str, Any]:
        """One load generator run against `processes` fresh processes (on Redis, with `idle` more holding no socket)."""
        name, began = f"{store}-{processes}", time.perf_counter()
        with procs.running_deployment(processes, store, self.work / "servers", self.async_mode, idle) as deployment:
            result = self._loadgen(deployment, scenario, params)
            if not deployment.alive():
                raise RuntimeError(f"a process of {name} died during the {scenario} run on it")
        result.update(store=store, processes=processes)
        self.log(f"  {scenario:<11} {name:<9} {time.perf_counter() - began:6.1f} s")
        return result

    def scale_rooms(self) -> dict[str, Any]:
        """Small rooms on one process in memory, then on several sharing a Redis, each room's sockets on one of them,
        with one more process that holds none: its CPU is what the other processes' rooms cost it."""
        spec = self.profile.scale_rooms
        if spec is None:
            return {"skipped": "not in this profile"}
        processes = int(spec["processes"])
        params = {key: value for key, value in spec.items() if key != "processes"}
        if int(params["rooms"]) % processes:
            raise ValueError("scale_rooms: rooms must be a multiple of processes, for each room to sit on one")
        layouts = [("memory", 1, 0), ("redis", processes, 1)]
        runs: dict[str, list[Any]] = {f"{store}-{n}": [] for store, n, _idle in layouts}
        for _rep in range(self.profile.repetitions):
            for store, count, idle in layouts:
                runs[f"{store}-{count}"].append(self._on_deployment("small_rooms", store, count, params, idle))
        return runs

    def blind(self) -> list[Any]:
        """Server-blind rooms against standard ones on one Ephemeral process per repetition (bench/blind.py)."""
        if self.profile.blind is None:
            return []
        return [self._run("ephemeral", "blind", self.profile.blind) for _ in range(self.profile.repetitions)]

    def actions(self) -> list[Any]:
        """Replies, reactions and edits against plain messages on one Ephemeral process per repetition."""
        if self.profile.actions is None:
            return []
        return [self._run("ephemeral", "actions", self.profile.actions) for _ in range(self.profile.repetitions)]

    def files(self) -> list[Any]:
        """File throughput, a chat beside a transfer and a reader that stops, on one Ephemeral process per
        repetition (bench/files.py); prints the figures."""
        if self.profile.files is None:
            return []
        runs = [self._run("ephemeral", "files", self.profile.files) for _ in range(self.profile.repetitions)]
        for line in files_report.figures(files_report.summarize(runs)):
            self.log(line)
        return runs

    def sanitizer(self) -> dict[str, Any]:
        began = time.perf_counter()
        result = sanitizer.run(self.profile.sanitizer_repeat)
        self.log(f"  sanitizer             {time.perf_counter() - began:6.1f} s")
        return result

    def cpu_profile(self) -> dict[str, Any]:
        """A fixed fan-out load on Ephemeral and on the floor, each sampled by py-spy."""
        spec = self.profile.profile
        if spec is None:
            return {"skipped": "not in this profile"}
        if cpu_profile.py_spy() is None:
            return {"skipped": "py-spy is not installed (bench/requirements.txt)"}
        receivers = int(spec["receivers"])
        senders = _senders(receivers, self.profile.fanout)  # the fan-out scenario's room
        load = float(spec["deliveries_per_s"])
        out: dict[str, Any] = {"receivers": receivers, "senders": senders, "deliveries_per_s": load}
        for kind in ("ephemeral", "floor"):
            ready = self.work / f"profile-{kind}.ready"
            ready.unlink(missing_ok=True)
            raw = self.work / f"profile-{kind}.txt"
            params = {
                **self.profile.fanout,
                "receivers": receivers,
                "senders": senders,
                "ladder": [load],
                "fixed_loads": [load],
                "fixed_seconds": float(spec["seconds"]) + 2.0,
                "settle_seconds": 1.0,
                "refine": 0,
                "ready_file": str(ready),
            }
            out[kind] = self._profiled(kind, params, ready, raw, spec)
        return out

    def _profiled(
        self, kind: str, params: dict[str, Any], ready: Path, raw: Path, spec: dict[str, Any]
    ) -> dict[str, Any]:
        with procs.running(kind, self.work / "servers", self.async_mode) as server:
            holder: dict[str, Any] = {}
            worker = threading.Thread(target=lambda: holder.update(self._loadgen(server, "fanout", params)))
            worker.start()
            deadline = time.monotonic() + 120
            while not ready.exists() and worker.is_alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1.0)  # the load has started
            spy = cpu_profile.record(server.pid, float(spec["seconds"]), int(spec["rate_hz"]), raw)
            if spy is not None:
                spy.wait(float(spec["seconds"]) + 30)
            worker.join(LOADGEN_TIMEOUT)
        step = holder["steps"][0]
        summary = cpu_profile.summarize(raw) if raw.exists() else {"samples": 0, "layers": {}, "top_self": []}
        per_delivery = step["server_cpu_us_per_delivery"]
        self.log(f"  profile     {kind:<9} {summary['samples']} samples")
        return {
            **summary,
            "server_cpu_us_per_delivery": per_delivery,
            "server_cpu_us_per_message": step["server_cpu_us_per_message"],
            "layers_us_per_delivery": {
                name: round(share * per_delivery, 2) for name, share in summary["layers"].items()
            }
            if per_delivery
            else {},
            "step": step,
        }
