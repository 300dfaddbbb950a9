"""The server-blind scenario's summary, target and table: server CPU per message, server-blind against standard."""

from __future__ import annotations

from typing import Any

from .stats import median

KINDS = ("standard", "e2e")
# A server-blind room's message must cost the server no more than a standard room's (issue 16).
LIMIT = 1.0


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per body and kind, medians over every step of every run; the ratio is the median of each server-blind
    step's CPU per message over the standard step just before it (a pair shares the machine's moment)."""
    if not runs:
        return {"skipped": "not in this profile"}
    bodies: dict[str, Any] = {}
    for body in runs[0]["bodies"]:
        steps = {kind: [step for run in runs for step in run["bodies"][body][kind]] for kind in KINDS}
        block: dict[str, Any] = {
            kind: {
                "server_cpu_us_per_message": median(s["server_cpu_us_per_message"] for s in kind_steps),
                "p99_ms": median(s["latency_ms"]["p99"] for s in kind_steps),
                "lost": sum(s["lost"] for s in kind_steps),
                "refused": sum(s["refused"] for s in kind_steps),
                "loadgen_cpu": median(s["loadgen_cpu"] for s in kind_steps),
            }
            for kind, kind_steps in steps.items()
        }
        pairs = [
            _ratio(blind["server_cpu_us_per_message"], plain["server_cpu_us_per_message"])
            for plain, blind in zip(steps["standard"], steps["e2e"], strict=True)
        ]
        middle = median(pairs)
        block["ratio"] = None if middle is None else round(middle, 3)
        block["ratios"] = pairs
        bodies[body] = block
    return {"messages_per_s": runs[0]["messages_per_s"], "rooms_per_kind": runs[0]["rooms_per_kind"], "bodies": bodies}


def target_rows(blind: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for body, block in blind.get("bodies", {}).items():
        ratio = block["ratio"]
        sealed, plain = block["e2e"], block["standard"]
        rows.append(
            {
                "target": f"server CPU per message, server-blind room against standard, {body}",
                "goal": f"<= {LIMIT:.1f}x standard",
                "measured": ratio,
                # A server-blind message lost or refused would make its CPU look cheaper than it is.
                "met": None if ratio is None else ratio <= LIMIT and sealed["lost"] == sealed["refused"] == 0,
                "detail": f"{sealed['server_cpu_us_per_message']} µs vs {plain['server_cpu_us_per_message']} µs; "
                f"lost {sealed['lost']} server-blind, {plain['lost']} standard",
            }
        )
    return rows


def markdown(blind: dict[str, Any]) -> list[str]:
    if "bodies" not in blind:
        return []
    lines = [
        "",
        "## Server-blind rooms: server CPU per message (rooms of 2, same load, same process, steps alternating)",
        "",
        f"{blind['rooms_per_kind']} rooms of each kind, {blind['messages_per_s']:g} messages/s in each step. "
        "A standard room's message is rendered and sanitized by the server; a server-blind room's is an "
        "envelope whose shape the server checks before relaying it untouched.",
        "",
        "| body | standard µs/message | server-blind µs/message | server-blind / standard (each pair) "
        "| p99 ms (standard, blind) | lost |",
        "|---|---|---|---|---|---|",
    ]
    for body, block in blind["bodies"].items():
        plain, sealed = block["standard"], block["e2e"]
        pairs = ", ".join("-" if r is None else f"{r:.2f}" for r in block["ratios"])
        lines.append(
            f"| {body} | {plain['server_cpu_us_per_message']} | {sealed['server_cpu_us_per_message']} | "
            f"{block['ratio']} ({pairs}) | {plain['p99_ms']}, {sealed['p99_ms']} | {plain['lost'] + sealed['lost']} |"
        )
    return lines
