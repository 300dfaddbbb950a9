"""The message actions scenario's summary, targets and table: server CPU per reply, reaction and edit against a
plain message."""

from __future__ import annotations

from typing import Any

from .stats import median

BASELINE = "plain"
# A reply or a reaction must cost the server no more than a plain message; an edit is shown, not held to it.
# Paired steps of the same kind differ by up to about 10% on a quiet machine: the bound allows that much noise.
HELD = ("reply", "react")
LIMIT = 1.10


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


Pair = tuple[dict[str, Any], dict[str, Any]]


def _by_step(runs: list[dict[str, Any]]) -> dict[str, list[Pair]]:
    """Every measured step by name, each with the `plain` step measured just before it (itself, for `plain`)."""
    found: dict[str, list[Pair]] = {name: [] for name in runs[0]["steps"]}
    for run in runs:
        for measured in run["rounds"]:
            baseline = measured[0]
            for step in measured:
                if step["step"] == BASELINE:
                    baseline = step
                found[step["step"]].append((step, baseline))
    return found


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per step, sums and medians over every round of every run; the ratio is the median of each step's CPU per
    event over the `plain` step just before it (a pair shares the machine's moment)."""
    if not runs:
        return {"skipped": "not in this profile"}
    steps: dict[str, Any] = {}
    for name, pairs in _by_step(runs).items():
        measured = [step for step, _baseline in pairs]
        ratios = [_ratio(step["server_cpu_us_per_event"], base["server_cpu_us_per_event"]) for step, base in pairs]
        middle = median(ratios)
        steps[name] = {
            "event": measured[0]["event"],
            "acked": sum(s["acked"] for s in measured),
            "refused": sum(s["refused"] for s in measured),
            "unanswered": sum(s["unanswered"] for s in measured),
            "delivered": sum(s["delivered"] for s in measured),
            "expected": sum(s["expected"] for s in measured),
            "server_cpu_us_per_event": median(s["server_cpu_us_per_event"] for s in measured),
            "server_cpu_us_per_delivery": median(s["server_cpu_us_per_delivery"] for s in measured),
            "ack_p99_ms": median(s["ack_latency_ms"]["p99"] for s in measured),
            "other_cpu": median(s["other_cpu"] for s in measured),
            "ratio": None if middle is None else round(middle, 3),
            "ratios": ratios,
        }
    return {
        "rooms": runs[0]["rooms"],
        "clients_per_room": runs[0]["clients_per_room"],
        "events_per_s": runs[0]["events_per_s"],
        "rounds": sum(len(run["rounds"]) for run in runs),
        "steps": steps,
    }


def target_rows(actions: dict[str, Any]) -> list[dict[str, Any]]:
    steps = actions.get("steps", {})
    plain = steps.get(BASELINE)
    rows = []
    for name in HELD:
        block = steps.get(name)
        if block is None or plain is None:
            continue
        ratio = block["ratio"]
        rows.append(
            {
                "target": f"server CPU per event, {name} against a plain message",
                "goal": f"<= {LIMIT:.2f}x plain",
                "measured": ratio,
                # An event refused or left undelivered would make the step look cheaper than it is.
                "met": None if ratio is None else ratio <= LIMIT and _whole(block),
                "detail": f"{block['server_cpu_us_per_event']} µs vs {plain['server_cpu_us_per_event']} µs; "
                f"{block['refused']} refused, {block['delivered']} of {block['expected']} delivered",
            }
        )
    return rows


def _whole(block: dict[str, Any]) -> bool:
    return bool(block["refused"] == block["unanswered"] == 0 and block["delivered"] == block["expected"])


def _pairs(ratios: list[float | None]) -> str:
    return ", ".join("-" if r is None else f"{r:.2f}" for r in ratios)


def markdown(actions: dict[str, Any]) -> list[str]:
    if "steps" not in actions:
        return []
    lines = [
        "",
        "## Message actions: server CPU per event (rooms of 2, same rooms, same process, steps in turn)",
        "",
        f"{actions['rooms']} rooms of {actions['clients_per_room']}, {actions['events_per_s']:g} events/s in each "
        f"step, {actions['rounds']} round(s); in a round each action right after a `plain` step of its own. "
        "`plain` is a 100-byte message; `reply` the same with `reply_to` the room's first message; `react` "
        "toggles 👍 on that message (one add or one remove each); `edit` gives the sender's own message the same "
        "100 bytes. Server CPU over the step and its drain, divided by the events acknowledged; each event "
        "reaches both sockets of its room. The ratio is the median of each step's over the `plain` step just "
        "before it. Others' CPU: what other processes used meanwhile (cores, median of the steps); a server "
        "short of CPU answers late and packs more frames per write, so its CPU per event reads low.",
        "",
        "| step | event | acked | refused | server µs/event | deliveries (expected) | server µs/delivery "
        "| ack p99, ms | others' CPU | / plain (each pair) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, block in actions["steps"].items():
        ratio = "baseline" if name == BASELINE else f"{block['ratio']} ({_pairs(block['ratios'])})"
        lines.append(
            f"| {name} | `{block['event']}` | {block['acked']} | {block['refused']} | "
            f"{block['server_cpu_us_per_event']} | {block['delivered']} ({block['expected']}) | "
            f"{block['server_cpu_us_per_delivery']} | {block['ack_p99_ms']} | {block['other_cpu']} | "
            f"{ratio} |"
        )
    return lines
