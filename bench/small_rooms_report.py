"""The small-rooms scenario's summary, target and table: server CPU per incoming message, p99 and loss,
Ephemeral against the floor, the Node peer (socket.io 4) and the ceiling."""

from __future__ import annotations

from typing import Any

from .stats import median

KINDS = ("ephemeral", "floor", "node", "ceiling")
NONE = "-"
# A small-room message must cost Ephemeral no more server CPU than the Node peer spends on it.
LIMIT = 1.0


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def summarize(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Per kind, medians over runs; ratios of Ephemeral's medians to each other kind's."""
    if not runs:
        return {"skipped": "not in this profile"}
    out: dict[str, Any] = {}
    for kind, kind_runs in runs.items():
        out[kind] = {
            "runs": len(kind_runs),
            "messages_per_s": median(r["messages_per_s"] for r in kind_runs),
            "server_cpu_us_per_message": median(r["server_cpu_us_per_message"] for r in kind_runs),
            "server_cpu_us_per_message_runs": [r["server_cpu_us_per_message"] for r in kind_runs],
            "server_cpu_us_per_delivery": median(r["server_cpu_us_per_delivery"] for r in kind_runs),
            "server_cpu": median(r["server_cpu"] for r in kind_runs),
            "p50_ms": median(r["latency_ms"]["p50"] for r in kind_runs),
            "p99_ms": median(r["latency_ms"]["p99"] for r in kind_runs),
            "sent": sum(r["sent"] for r in kind_runs),
            "delivered": sum(r["delivered"] for r in kind_runs),
            "expected": sum(r["expected"] for r in kind_runs),
            "lost": sum(r["lost"] for r in kind_runs),
            "refused": sum(r["refused"] for r in kind_runs),
            "loadgen_cpu": median(r["loadgen_cpu"] for r in kind_runs),
            "other_cpu": median(r["other_cpu"] for r in kind_runs),
        }
    eph = out.get("ephemeral")
    if eph:
        out["ratios"] = {
            other: {
                "cpu_per_message": _ratio(eph["server_cpu_us_per_message"], out[other]["server_cpu_us_per_message"]),
                "p99": _ratio(eph["p99_ms"], out[other]["p99_ms"]),
            }
            for other in KINDS[1:]
            if other in out
        }
    first = next(iter(runs.values()))[0]
    out["rooms"], out["clients_per_room"] = first["rooms"], first["clients_per_room"]
    return out


def target_rows(small: dict[str, Any]) -> list[dict[str, Any]]:
    eph, node = small.get("ephemeral"), small.get("node")
    if not eph:
        return []
    ratio = small["ratios"].get("node", {}).get("cpu_per_message")
    # A message lost or refused would make its CPU look cheaper than it is.
    whole = eph["lost"] == eph["refused"] == 0 and (node is None or node["lost"] == 0)
    detail = (
        f"Ephemeral {_fmt(eph['server_cpu_us_per_message'])} µs, node socket.io "
        f"{_fmt(node['server_cpu_us_per_message'])} µs; p99 {_fmt(eph['p99_ms'])} vs {_fmt(node['p99_ms'])} ms; "
        f"lost {eph['lost']} / {node['lost']}"
        if node
        else "the Node peer was not run"
    )
    return [
        {
            "target": f"server CPU per incoming message, small rooms ({small['rooms']} x {small['clients_per_room']})",
            "goal": f"<= {LIMIT:.1f}x node socket.io",
            "measured": ratio,
            "met": None if ratio is None else ratio <= LIMIT and whole,
            "detail": detail,
        }
    ]


def _fmt(value: Any) -> str:
    if value is None:
        return NONE
    if isinstance(value, int) or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"


def _x(value: float | None) -> str:
    return NONE if value is None else f"{value:.2f}x"


def markdown(small: dict[str, Any], params: dict[str, Any]) -> list[str]:
    if "ephemeral" not in small:
        return []
    ratios = small.get("ratios", {})

    def row(label: str, cell: Any, key: str | None = None) -> str:
        cells = " | ".join(cell(small[k]) if k in small else NONE for k in KINDS)
        against = " / ".join(_x(ratios.get(k, {}).get(key)) for k in ("floor", "node")) if key else ""
        return f"| {label} | {cells} | {against} |"

    return [
        "",
        f"## Small rooms: {params['rooms']} rooms x {params['clients_per_room']} clients, "
        f"{params['per_client_per_s']:g} messages/s each",
        "",
        "Every message goes to every socket of its room, the sender's included. CPU per incoming message: "
        "the server's CPU over the run divided by the messages acked (the ceiling acks none: by messages sent).",
        "",
        "| | Ephemeral | floor | node socket.io | ceiling | Ephemeral / floor, / node |",
        "|---|---|---|---|---|---|",
        row("server CPU per incoming message, µs", lambda b: _fmt(b["server_cpu_us_per_message"]), "cpu_per_message"),
        row(
            "p50 / p99, ms",
            lambda b: f"{_fmt(b['p50_ms'])} / {_fmt(b['p99_ms'])} · lg {b['loadgen_cpu'] * 100:.0f}%",
            "p99",
        ),
        row(
            "delivered of expected (lost, refused)",
            lambda b: f"{b['delivered']:,} of {b['expected']:,} ({b['lost']}, {b['refused']})",
        ),
        row("server CPU; other processes", lambda b: f"{b['server_cpu'] * 100:.0f}%; {b['other_cpu'] * 100:.0f}%"),
    ]
