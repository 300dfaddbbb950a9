"""The small rooms spread over several processes on one Redis: what a message costs the processes and Redis, and
what it costs a process that holds none of the room's sockets (none, with each process hearing only its rooms)."""

from __future__ import annotations

from typing import Any

from .stats import median

NONE = "-"


def _value(number: float | None, unit: str = "") -> str:
    return NONE if number is None else f"{number:,.1f}{unit}"


def _saturation(block: dict[str, Any]) -> str:
    value = block.get("saturation_messages_per_s")
    if value is None:
        return NONE
    return (">= " if block.get("ladder_topped") else "") + f"{value:,.0f}"


def summarize(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Per layout (`memory-1`, `redis-N`): medians over runs; CPU per message summed over the processes that hold
    sockets, Redis's, and the idle process's."""
    if "skipped" in runs:
        return runs
    out: dict[str, Any] = {"layouts": {}}
    for name, layout_runs in runs.items():
        out["layouts"][name] = {
            "store": layout_runs[0]["store"],
            "processes": layout_runs[0]["processes"],
            "runs": len(layout_runs),
            "messages_per_s": median(run["messages_per_s"] for run in layout_runs),
            "server_cpu_us_per_message": median(run["server_cpu_us_per_message"] for run in layout_runs),
            "store_cpu_us_per_message": (
                median(run["store_cpu_us_per_message"] for run in layout_runs) if name.startswith("redis") else None
            ),
            "idle_process_cpu_us_per_message": median(
                run.get("idle_process_cpu_us_per_message") for run in layout_runs
            ),
            "p50_ms": median(run["latency_ms"]["p50"] for run in layout_runs),
            "p99_ms": median(run["latency_ms"]["p99"] for run in layout_runs),
            "delivered": sum(run["delivered"] for run in layout_runs),
            "expected": sum(run["expected"] for run in layout_runs),
            "lost": sum(run["lost"] for run in layout_runs),
            "refused": sum(run["refused"] for run in layout_runs),
            "saturation_messages_per_s": median(run.get("saturation_messages_per_s") for run in layout_runs),
            "saturation_runs": [run.get("saturation_messages_per_s") for run in layout_runs],
            # The ladder's top passed in most runs, so in the median one: the layout's saturation is above it.
            "ladder_topped": 2 * sum(not run.get("saturated", True) for run in layout_runs) > len(layout_runs),
        }
    return out


def markdown(summary: dict[str, Any], params: dict[str, Any] | None) -> list[str]:
    if "skipped" in summary or not params:
        return []
    rooms, size, rate = params["rooms"], params["clients_per_room"], params["per_client_per_s"]
    lines = [
        f"## Several processes on one Redis: {rooms} rooms x {size}, each room on one process",
        "",
        f"Every client sends {rate:g} message(s)/s. On Redis, each room's sockets all connect to one of the processes "
        "(rooms spread evenly), and one more process holds no socket at all: its CPU over the messages is what a "
        "process spends on rooms it holds no socket in. CPU per incoming message is summed over the processes "
        "that hold sockets; Redis's is its own column. The costs are read at that fixed load, one process carries "
        "it; then every client's rate climbs a ladder to the first step that loses a message or whose p99 passes "
        f"{params.get('p99_limit_ms', 0):g} ms: the highest that passed is the layout's saturation, the load "
        "generator on the same two cores.",
        "",
        "| layout | processes' CPU per message, µs | Redis CPU per message, µs | "
        "a process with no socket: CPU per message, µs | p50 / p99, ms | delivered of expected (lost, refused) "
        "| saturation, messages/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, block in summary["layouts"].items():
        lines.append(
            f"| {name} | {_value(block['server_cpu_us_per_message'])} | {_value(block['store_cpu_us_per_message'])} "
            f"| {_value(block['idle_process_cpu_us_per_message'])} "
            f"| {_value(block['p50_ms'])} / {_value(block['p99_ms'])} "
            f"| {block['delivered']:,} of {block['expected']:,} ({block['lost']}, {block['refused']}) "
            f"| {_saturation(block)} |"
        )
    return [*lines, "", *_against_memory(summary["layouts"])]


def _against_memory(layouts: dict[str, Any]) -> list[str]:
    """Each Redis layout's saturation as a multiple of one process in memory, when both were measured."""
    memory = (layouts.get("memory-1") or {}).get("saturation_messages_per_s")
    if not memory:
        return []
    return [
        f"Saturation of {name} against one process in memory: {block['saturation_messages_per_s'] / memory:.2f}x."
        for name, block in layouts.items()
        if name.startswith("redis") and block.get("saturation_messages_per_s")
    ]
