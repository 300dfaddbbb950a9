"""Medians over repetitions, ratios to the floor, the targets, and the Markdown table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import actions_report, admin_token, blind_report, files_report, scale_rooms_report, small_rooms_report
from .stats import median

KINDS = ("ephemeral", "floor", "node", "ceiling")
NONE = "-"


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def _fixed_steps(run: dict[str, Any]) -> dict[float, dict[str, Any]]:
    """Every fixed-load step of a run by offered load, in the order measured; the last try
    counts when a stalled step was repeated."""
    return {step["offered_per_s"]: step for step in run["steps"] if step.get("fixed")}


def _fixed_step(run: dict[str, Any]) -> dict[str, Any] | None:
    """The first fixed-load step (the profile's `fixed_loads[0]`), measured longer than the ladder's."""
    return next(iter(_fixed_steps(run).values()), None)


def _runs_x(ratios: list[float | None]) -> str:
    return ", ".join(_x(r) for r in ratios)


def _lat(steps: list[dict[str, Any] | None], key: str) -> float | None:
    return median(step["latency_ms"][key] for step in steps if step is not None)


def summarize_fanout(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, kind_runs in runs.items():
        fixed = [_fixed_step(run) for run in kind_runs]
        saturation_steps = [run["saturation_step"] for run in kind_runs if run["saturation_step"]]
        out[kind] = {
            "runs": len(kind_runs),
            "room_size": kind_runs[0]["room_size"],
            "senders": kind_runs[0]["senders"],
            "saturation_per_s": median(run["saturation_per_s"] for run in kind_runs),
            "saturation_runs": [run["saturation_per_s"] for run in kind_runs],
            "saturated": all(run["saturated"] for run in kind_runs),
            "loadgen_cpu_at_saturation": median(step["loadgen_cpu"] for step in saturation_steps),
            "server_cpu_at_saturation": median(step["server_cpu"] for step in saturation_steps),
            "other_cpu_at_saturation": median(step["other_cpu"] for step in saturation_steps),
            "retried_steps": sum(1 for run in kind_runs for step in run["steps"] if step["tries"] > 1),
            "noisy_steps": sum(1 for run in kind_runs for step in run["steps"] if step["other_cpu"] >= 0.3),
            "steps": sum(len(run["steps"]) for run in kind_runs),
            "refused_steps": _refused_steps(kind_runs),
            "server_cpu_us_per_delivery": median(step["server_cpu_us_per_delivery"] for step in saturation_steps),
            "fixed_load_per_s": median(step["offered_per_s"] for step in fixed if step is not None),
            "fixed_p50_ms": _lat(fixed, "p50"),
            "fixed_p95_ms": _lat(fixed, "p95"),
            "fixed_p99_ms": _lat(fixed, "p99"),
            "fixed_p99_runs": [step["latency_ms"]["p99"] if step else None for step in fixed],
            "fixed_loadgen_cpu": median(step["loadgen_cpu"] for step in fixed if step is not None),
        }
    eph, floor = out.get("ephemeral"), out.get("floor")
    if eph and floor:
        out["ratios"] = {
            "saturation": _ratio(eph["saturation_per_s"], floor["saturation_per_s"]),
            "fixed_p99": _ratio(eph["fixed_p99_ms"], floor["fixed_p99_ms"]),
            "cpu_per_delivery": _ratio(eph["server_cpu_us_per_delivery"], floor["server_cpu_us_per_delivery"]),
        }
    return out


def _refused_steps(runs: list[dict[str, Any]]) -> int:
    """Steps in which the server refused a message: senders are sized so that none should be."""
    return sum(1 for run in runs for step in run["steps"] if step.get("refused"))


def summarize_rooms(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, kind_runs in runs.items():
        out[kind] = {
            "runs": len(kind_runs),
            "p50_ms": median(r["latency_ms"]["p50"] for r in kind_runs),
            "p95_ms": median(r["latency_ms"]["p95"] for r in kind_runs),
            "p99_ms": median(r["latency_ms"]["p99"] for r in kind_runs),
            "lost": max(r["lost"] for r in kind_runs),
            "delivered_per_s": median(r["delivered_per_s"] for r in kind_runs),
            "server_cpu": median(r["server_cpu"] for r in kind_runs),
            "server_cpu_us_per_message": median(r["server_cpu_us_per_message"] for r in kind_runs),
            "loadgen_cpu": median(r["loadgen_cpu"] for r in kind_runs),
        }
    if "ephemeral" in out and "floor" in out:
        out["ratios"] = {"p99": _ratio(out["ephemeral"]["p99_ms"], out["floor"]["p99_ms"])}
    return out


def summarize_connections(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, kind_runs in runs.items():
        out[kind] = {
            "runs": len(kind_runs),
            "sockets_wanted": kind_runs[0]["sockets_wanted"],
            "sockets_min": min(r["sockets"] for r in kind_runs),
            "errors_max": max(r["errors"] for r in kind_runs),
            "connects_per_s": median(r["connects_per_s"] for r in kind_runs),
            "connect_p99_ms": median(r["connect_latency_ms"]["p99"] for r in kind_runs),
            "connect_loadgen_cpu": median(r["connect_loadgen_cpu"] for r in kind_runs),
            "connect_server_cpu": median(r["connect_server_cpu"] for r in kind_runs),
            "rss_per_socket_kb": median(r["rss_per_socket_kb"] for r in kind_runs),
            "rss_after_mb": median(r["rss_after_mb"] for r in kind_runs),
            "healthz_p99_ms": median(r["healthz_ms"]["p99"] for r in kind_runs),
            "healthz_max_ms": median(r["healthz_ms"]["max"] for r in kind_runs),
            "idle_server_cpu": median(r["idle_server_cpu"] for r in kind_runs),
            "idle_loadgen_cpu": median(r["idle_loadgen_cpu"] for r in kind_runs),
            "gc_longest_full_ms": median(r.get("gc", {}).get("longest_full_ms") for r in kind_runs),
            "gc_idle_longest_ms": median(r.get("gc_idle", {}).get("longest_ms") for r in kind_runs),
            "gc_full_collections": median(r.get("gc", {}).get("full_collections_over_10ms") for r in kind_runs),
        }
    if "ephemeral" in out and "floor" in out:
        out["ratios"] = {
            "rss_per_socket": _ratio(out["ephemeral"]["rss_per_socket_kb"], out["floor"]["rss_per_socket_kb"]),
            "connects_per_s": _ratio(out["ephemeral"]["connects_per_s"], out["floor"]["connects_per_s"]),
        }
    return out


STORM_LIMIT = 1.5  # the other room's p99 during a storm, against its own p99 without one


def summarize_storm(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per load of the other room (deliveries/s), in the order the profile lists them."""
    by_load: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        by_load.setdefault(f"{run['deliveries_per_s']:g}", []).append(run)
    return {"loads": {load: _summarize_storm_load(load_runs) for load, load_runs in by_load.items()}}


def _summarize_storm_load(runs: list[dict[str, Any]]) -> dict[str, Any]:
    statuses: dict[str, int] = {}
    for run in runs:
        for status, count in run["phases"]["storm"]["joins"]["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    calm = median(r["calm_p99_ms"] for r in runs)
    storm = median(r["storm_p99_ms"] for r in runs)
    # Each run compares one server with itself, calm and stormed: the figure is the
    # median of those paired ratios. The ratio of the medians mixes runs.
    paired = [_ratio(r["storm_p99_ms"], r["calm_p99_ms"]) for r in runs]
    return {
        "runs": len(runs),
        "deliveries_per_s": runs[0]["deliveries_per_s"],
        "room_size": runs[0]["receivers"] + runs[0]["senders"],
        "senders": runs[0]["senders"],
        "joins_per_s": runs[0]["joins_per_s"],
        "calm_p99_ms": calm,
        "storm_p99_ms": storm,
        "ratio": median(paired),
        "ratio_runs": paired,
        "ratio_of_medians": _ratio(storm, calm),
        "calm_p50_ms": median(r["phases"]["calm_before"]["latency_ms"]["p50"] for r in runs),
        "storm_p50_ms": median(r["phases"]["storm"]["latency_ms"]["p50"] for r in runs),
        "lost": max(sum(p["lost"] for k, p in r["phases"].items()) for r in runs),
        "join_statuses": statuses,
        "join_p50_ms": median(r["phases"]["storm"]["joins"]["latency_ms"]["p50"] for r in runs),
        "join_p99_ms": median(r["phases"]["storm"]["joins"]["latency_ms"]["p99"] for r in runs),
        "storm_server_cpu": median(r["phases"]["storm"]["server_cpu"] for r in runs),
        "calm_server_cpu": median(r["phases"]["calm_before"]["server_cpu"] for r in runs),
        "storm_loadgen_cpu": median(r["phases"]["storm"]["loadgen_cpu"] for r in runs),
        "calm_loadgen_cpu": median(r["phases"]["calm_before"]["loadgen_cpu"] for r in runs),
    }


def summarize_payloads(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, kind_runs in runs.items():
        bodies = kind_runs[0]["bodies"].keys()
        out[kind] = {
            body: {
                "server_cpu_us_per_message": median(r["bodies"][body]["server_cpu_us_per_message"] for r in kind_runs),
                "p99_ms": median(r["bodies"][body]["latency_ms"]["p99"] for r in kind_runs),
                "lost": max(r["bodies"][body]["lost"] for r in kind_runs),
                "loadgen_cpu": median(r["bodies"][body]["loadgen_cpu"] for r in kind_runs),
            }
            for body in bodies
        }
    return out


def summarize_scale(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Per layout (`memory-1`, `redis-1`, `redis-2`, ...): saturation, latency, and CPU per message.

    Latency is read at the lowest fixed load, CPU per message at the highest:
    one load for every layout, so the figures compare (at saturation a message
    costs less, as more of its frames share a write).
    """
    if "skipped" in runs:
        return runs
    out: dict[str, Any] = {"layouts": {}}
    for name, layout_runs in runs.items():
        fixed = [_fixed_steps(run) for run in layout_runs]
        low, high = min(fixed[0]), max(fixed[0])
        at_low = [steps.get(low) for steps in fixed]
        at_high = [steps[high] for steps in fixed if high in steps]
        saturation_steps = [run["saturation_step"] for run in layout_runs if run["saturation_step"]]
        on_redis = layout_runs[0]["store"] == "redis"
        server = median(step["server_cpu_us_per_message"] for step in at_high)
        store = median(step["store_cpu_us_per_message"] for step in at_high) if on_redis else None
        out["layouts"][name] = {
            "store": layout_runs[0]["store"],
            "processes": layout_runs[0]["processes"],
            "runs": len(layout_runs),
            "room_size": layout_runs[0]["room_size"],
            "saturation_per_s": median(run["saturation_per_s"] for run in layout_runs),
            "saturation_runs": [run["saturation_per_s"] for run in layout_runs],
            "saturated": all(run["saturated"] for run in layout_runs),
            "refused_steps": _refused_steps(layout_runs),
            "server_cpu_at_saturation": median(step["server_cpu"] for step in saturation_steps),
            "store_cpu_at_saturation": median(step["store_cpu"] for step in saturation_steps) if on_redis else None,
            "loadgen_cpu_at_saturation": median(step["loadgen_cpu"] for step in saturation_steps),
            "other_cpu_at_saturation": median(step["other_cpu"] for step in saturation_steps),
            "latency_load_per_s": low,
            "p50_ms": _lat(at_low, "p50"),
            "p99_ms": _lat(at_low, "p99"),
            "cpu_load_per_s": high,
            "p99_at_cpu_load_ms": _lat(list(at_high), "p99"),
            "server_cpu_us_per_message": server,
            "store_cpu_us_per_message": store,
            "total_cpu_us_per_message": None if server is None else round(server + (store or 0.0), 1),
        }
    layouts = out["layouts"]
    base = layouts.get("memory-1")
    if base:
        for block in layouts.values():
            block["saturation_vs_memory"] = _ratio(block["saturation_per_s"], base["saturation_per_s"])
            block["p99_vs_memory"] = _ratio(block["p99_ms"], base["p99_ms"])
        one = layouts.get("redis-1")
        if one and one["server_cpu_us_per_message"] is not None and base["server_cpu_us_per_message"] is not None:
            # What Redis adds to one process: its own CPU, and the process's extra (publish, receive, checks).
            out["redis_cost"] = {
                "store_us_per_message": one["store_cpu_us_per_message"],
                "process_us_per_message": round(
                    one["server_cpu_us_per_message"] - base["server_cpu_us_per_message"], 1
                ),
                "saturation_ratio": one["saturation_vs_memory"],
                "p99_ratio": one["p99_vs_memory"],
            }
    return out


def targets(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of the issue, with the measured value and whether it is met."""
    rows: list[dict[str, Any]] = []

    def add(name: str, goal: str, value: Any, met: bool | None, detail: str = "") -> None:
        rows.append({"target": name, "goal": goal, "measured": value, "met": met, "detail": detail})

    fan50 = summary.get("fanout", {}).get("50", {})
    ratios = fan50.get("ratios", {})
    sat = ratios.get("saturation")
    add(
        "fan-out saturation, N = 50",
        ">= 0.9x floor",
        sat,
        None if sat is None else sat >= 0.9,
        _pair(fan50, "saturation_per_s", "deliveries/s"),
    )
    p99 = ratios.get("fixed_p99")
    fixed_load = fan50.get("ephemeral", {}).get("fixed_load_per_s") or 1000
    add(
        f"p99 latency at {_fmt(fixed_load)} deliveries/s, N = 50",
        "<= 1.3x floor",
        p99,
        None if p99 is None else p99 <= 1.3,
        _pair(fan50, "fixed_p99_ms", "ms"),
    )
    for storm in summary.get("storm", {}).get("loads", {}).values():
        ratio = storm.get("ratio")
        add(
            f"other room's p99 during the wrong-password storm, {_fmt(storm['deliveries_per_s'])} deliveries/s",
            f"<= {STORM_LIMIT:g}x its p99 without the storm",
            ratio,
            None if ratio is None else ratio <= STORM_LIMIT,
            f"median of each run's ratio ({_runs_x(storm.get('ratio_runs', []))}); "
            f"median p99 {_fmt(storm.get('storm_p99_ms'))} ms vs {_fmt(storm.get('calm_p99_ms'))} ms",
        )
    conns = summary.get("connections", {})
    rss = conns.get("ratios", {}).get("rss_per_socket")
    add(
        "server RSS per idle socket",
        "<= 1.2x floor",
        rss,
        None if rss is None else rss <= 1.2,
        _pair(conns, "rss_per_socket_kb", "KiB"),
    )
    eph = conns.get("ephemeral")
    if eph:
        ok = eph["sockets_min"] == eph["sockets_wanted"] and eph["errors_max"] == 0 and eph["healthz_max_ms"] < 100
        add(
            f"{eph['sockets_wanted']:,} idle sockets on one process",
            "all connected, no errors, /healthz < 100 ms",
            f"{eph['sockets_min']:,} connected, {eph['errors_max']} errors, "
            f"/healthz max {_fmt(eph['healthz_max_ms'])} ms",
            ok,
        )
    san = summary.get("sanitizer", {}).get("hostile_4k")
    if san:
        add(
            "4,000-char hostile message, sanitize time",
            "< 2 ms",
            san["median_ms"],
            san["median_ms"] < 2,
            f"median of the worst of {len(summary['sanitizer']['hostile_variants'])} inputs ({san['input']}); "
            f"p99 {_fmt(san['p99_ms'])} ms",
        )
    sanitizer = summary.get("sanitizer", {})
    rendered = sanitizer.get("render_hostile_4k")
    if rendered:
        variants = len(sanitizer["hostile_variants"]) + len(sanitizer["hostile_markdown_variants"])
        add(
            "4,000-char hostile message, render time (Markdown + sanitize)",
            "< 7 ms (the 5 ms Markdown budget + sanitizing)",
            rendered["render_median_ms"],
            rendered["render_median_ms"] < 7,
            f"median of the worst of {variants} inputs ({rendered['input']}); p99 {_fmt(rendered['render_p99_ms'])} ms",
        )
    rows += small_rooms_report.target_rows(summary.get("small_rooms", {}))
    rows += blind_report.target_rows(summary.get("blind", {}))
    rows += actions_report.target_rows(summary.get("actions", {}))
    return rows


def _pair(block: dict[str, Any], key: str, unit: str) -> str:
    eph, floor = block.get("ephemeral", {}).get(key), block.get("floor", {}).get(key)
    return f"Ephemeral {_fmt(eph)} {unit}, floor {_fmt(floor)} {unit}"


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (isinstance(value, float) and abs(value) >= 1000):
        return f"{value:,.0f}"
    if isinstance(value, float):
        return f"{value:.{digits}f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def _pct(value: float | None) -> str:
    return NONE if value is None else f"{value * 100:.0f}%"


def _x(value: float | None) -> str:
    return NONE if value is None else f"{value:.2f}x"


METHOD = [
    "",
    "## How it is measured",
    "",
    "- Load generator: its own process (`python -m bench.loadgen`), asyncio with a hand-written WebSocket "
    "client speaking Engine.IO v4 / Socket.IO v5 frames (`bench/wire.py`). Rooms are created and joined over "
    "the JSON API, each request from its own 127.x.y.z source address.",
    "- Floor (`bench/floor_app.py`): bare Flask-SocketIO in the same async mode and served the same way "
    "(gevent WSGI server, simple-websocket, no access log, same Engine.IO settings); one `message` event, "
    "emitted to the sender's room, acked. Node peer (`bench/node_peer/relay.js`): the same relay on socket.io 4 "
    "(the engine darkwire runs), locked with npm. Ceiling (`bench/ceiling_relay.py`): a bare `websockets` relay.",
    "- Ephemeral runs as deployed (rate limits on) except `EPHEMERAL_BCRYPT_COST=4` for set-up joins "
    "(the storm uses 12), `EPHEMERAL_MAX_PARTICIPANTS=1000` for fan-out rooms above 50, and no bound on "
    "connections per address (`EPHEMERAL_MAX_CONNECTIONS_PER_ADDRESS`): every socket comes from 127.0.0.1.",
    "- Open loop: senders send on schedule whatever the server answers, each within Ephemeral's 5 "
    "messages/s. Latency: sender's write to each receiver's read (one clock). Loss: a message not acked "
    "ok, or not delivered to every socket of the room within the drain time.",
    "- Server CPU from `/proc/<pid>/task/*/schedstat` (every thread, in ns), RSS from `/proc/<pid>/status`.",
]


def _row(label: str, block: dict[str, Any], cell: Callable[[dict[str, Any]], str], ratio: str = "") -> str:
    """One table row: a cell per kind (Ephemeral, floor, node socket.io, ceiling), then the ratio column."""
    return f"| {label} | " + " | ".join(cell(block[k]) if k in block else NONE for k in KINDS) + f" | {ratio} |"


def _header(lines: list[str], title: str, *intro: str) -> None:
    lines += ["", title, "", *intro]
    if intro:
        lines.append("")
    lines += ["| | Ephemeral | floor | node socket.io | ceiling | Ephemeral / floor |", "|---|---|---|---|---|---|"]


def _targets_md(data: dict[str, Any]) -> list[str]:
    lines = ["## Targets", "", "| target | goal | measured | met |", "|---|---|---|---|"]
    for row in data["targets"]:
        value = row["measured"]
        shown = _x(value) if isinstance(value, float) and "x" in row["goal"] else _fmt(value)
        if "sanitize" in row["target"]:
            shown = f"{_fmt(value, 3)} ms"
        met = NONE if row["met"] is None else ("met" if row["met"] else "**not met**")
        detail = f" ({row['detail']})" if row["detail"] else ""
        lines.append(f"| {row['target']} | {row['goal']} | {shown}{detail} | {met} |")
    return lines


def _fanout_md(fanout: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for n, block in fanout.items():
        eph = block.get("ephemeral", {})
        ratios = block.get("ratios", {})
        _header(
            lines,
            f"## Fan-out: one room, {n} receivers + {eph.get('senders', '?')} senders",
            "Every socket in the room gets every message (senders too): deliveries = messages x room size. "
            "Saturation: the highest offered rate with no loss and p99 <= 100 ms, as delivered.",
        )
        lines.append(
            _row(
                "saturation, deliveries/s",
                block,
                lambda b: (
                    f"{_fmt(b['saturation_per_s'])}{'' if b['saturated'] else ' (not reached)'}"
                    f" · lg {_pct(b['loadgen_cpu_at_saturation'])}"
                ),
                _x(ratios.get("saturation")),
            )
        )
        lines.append(
            _row(
                f"p50 / p95 / p99 at {_fmt(eph.get('fixed_load_per_s'))} deliveries/s, ms",
                block,
                lambda b: (
                    f"{_fmt(b['fixed_p50_ms'])} / {_fmt(b['fixed_p95_ms'])} / {_fmt(b['fixed_p99_ms'])}"
                    f" · lg {_pct(b['fixed_loadgen_cpu'])}"
                ),
                "p99 " + _x(ratios.get("fixed_p99")),
            )
        )
        lines.append(
            _row(
                "steps measured while other processes used >= 0.3 core; steps with a message refused",
                block,
                lambda b: (
                    f"{b['noisy_steps']} of {b['steps']} (at saturation {_pct(b['other_cpu_at_saturation'])});"
                    f" {b.get('refused_steps', NONE)}"
                ),
            )
        )
        lines.append(
            _row(
                "server CPU per delivery at saturation, µs",
                block,
                lambda b: f"{_fmt(b['server_cpu_us_per_delivery'])} (server {_pct(b['server_cpu_at_saturation'])})",
                _x(ratios.get("cpu_per_delivery")),
            )
        )
    return lines


def _rooms_md(rooms: dict[str, Any], params: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    _header(
        lines,
        f"## Many rooms: {params['rooms']} rooms x {params['clients_per_room']} clients, "
        f"{params['per_client_per_s']:g} message/s each",
    )
    lines += [
        _row(
            "p50 / p95 / p99, ms",
            rooms,
            lambda b: f"{_fmt(b['p50_ms'])} / {_fmt(b['p95_ms'])} / {_fmt(b['p99_ms'])} · lg {_pct(b['loadgen_cpu'])}",
            "p99 " + _x(rooms.get("ratios", {}).get("p99")),
        ),
        _row("deliveries/s (lost)", rooms, lambda b: f"{_fmt(b['delivered_per_s'])} ({b['lost']})"),
        _row(
            "server CPU; per incoming message, µs",
            rooms,
            lambda b: f"{_pct(b['server_cpu'])}; {_fmt(b.get('server_cpu_us_per_message'))}",
        ),
    ]
    return lines


def _connections_md(conns: dict[str, Any]) -> list[str]:
    ratios = conns.get("ratios", {})
    lines: list[str] = []
    _header(lines, "## Idle connections")
    lines += [
        _row(
            "sockets connected (errors)",
            conns,
            lambda b: f"{b['sockets_min']:,} of {b['sockets_wanted']:,} ({b['errors_max']})",
        ),
        _row(
            "connect rate, sockets/s",
            conns,
            lambda b: f"{_fmt(b['connects_per_s'])} · lg {_pct(b['connect_loadgen_cpu'])}",
            _x(ratios.get("connects_per_s")),
        ),
        _row(
            "server RSS per socket, KiB",
            conns,
            lambda b: _fmt(b["rss_per_socket_kb"]),
            _x(ratios.get("rss_per_socket")),
        ),
        _row("server RSS with all connected, MiB", conns, lambda b: _fmt(b["rss_after_mb"])),
        _row(
            "/healthz while idle, p99 / max, ms",
            conns,
            lambda b: f"{_fmt(b['healthz_p99_ms'])} / {_fmt(b['healthz_max_ms'])}",
        ),
        _row(
            "longest full GC pause (whole run) / any GC pause while idle, ms",
            conns,
            lambda b: f"{_fmt(b['gc_longest_full_ms'])} / {_fmt(b['gc_idle_longest_ms'])}",
        ),
        _row(
            "server CPU while idle (pings)",
            conns,
            lambda b: f"{_pct(b['idle_server_cpu'])} · lg {_pct(b['idle_loadgen_cpu'])}",
        ),
    ]
    return lines


def _storm_md(storm: dict[str, Any], params: dict[str, Any]) -> list[str]:
    loads = list(storm["loads"].values())
    lines = [
        "",
        f"## Join storm: {loads[0]['joins_per_s']:g} wrong-password joins/s against one room, "
        f"bcrypt cost {params['bcrypt_cost']}",
        "",
        "Each join comes from its own address. The other room (Ephemeral only) runs at each load below. "
        "Without storm = mean of the calm phases before and after. The target's figure is the median of "
        f"each run's own storm / calm ratio, against {STORM_LIMIT:g}x; the table's ratio is of the medians.",
    ]
    for st in loads:
        statuses = ", ".join(f"{k}: {v}" for k, v in st["join_statuses"].items())
        lines += [
            "",
            f"### The other room: {st['room_size']} sockets ({st['senders']} sending) at "
            f"{st['deliveries_per_s']:,.0f} deliveries/s: {_x(st['ratio'])} ({_runs_x(st.get('ratio_runs', []))})",
            "",
            "| | without storm | during storm | ratio |",
            "|---|---|---|---|",
            f"| other room's p99 (median of runs), ms | {_fmt(st['calm_p99_ms'])} | {_fmt(st['storm_p99_ms'])} "
            f"| {_x(st.get('ratio_of_medians'))} |",
            f"| other room's p50, ms | {_fmt(st['calm_p50_ms'])} | {_fmt(st['storm_p50_ms'])} | |",
            f"| server CPU | {_pct(st.get('calm_server_cpu'))} | {_pct(st['storm_server_cpu'])} | |",
            f"| load generator CPU | {_pct(st['calm_loadgen_cpu'])} | {_pct(st['storm_loadgen_cpu'])} | |",
            "",
            f"Join answers (all runs): {statuses}; join latency p50 {_fmt(st['join_p50_ms'])} ms, "
            f"p99 {_fmt(st['join_p99_ms'])} ms; messages lost: {st['lost']}.",
        ]
    return lines


def _payloads_md(pay: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Server CPU per message by body (rooms of 2: one handler call + 2 deliveries)",
        "",
        "| body | Ephemeral µs/message | floor µs/message | node socket.io µs/message | Ephemeral - floor |",
        "|---|---|---|---|---|",
    ]
    for body, eph in pay.get("ephemeral", {}).items():
        e = eph["server_cpu_us_per_message"]
        f = pay.get("floor", {}).get(body, {}).get("server_cpu_us_per_message")
        n = pay.get("node", {}).get(body, {}).get("server_cpu_us_per_message")
        difference = None if e is None or f is None else e - f
        lines.append(f"| {body} | {_fmt(e)} | {_fmt(f)} | {_fmt(n)} | {_fmt(difference)} |")
    return lines


def _sanitizer_md(san: dict[str, Any]) -> list[str]:
    rows = {"100 B plain": san["plain_100"], "2 KB formatted (HTML)": san["formatted_2k"]}
    if "formatted_markdown_2k" in san:
        rows["2 KB formatted (Markdown)"] = san["formatted_markdown_2k"]
    rows.update({f"4,000-char hostile HTML: {name}": t for name, t in san["hostile_variants"].items()})
    rows.update(
        {f"4,000-char hostile Markdown: {name}": t for name, t in san.get("hostile_markdown_variants", {}).items()}
    )
    lines = [
        "",
        "## Sanitizer and render path (in process)",
        "",
        "Sanitizer: `clean_message` + emptiness check, what a message cost before Markdown, measured on the "
        "same input in the same run as the baseline. Render path: `render_message` (markdown-it-py, then "
        '`clean_message`) + emptiness check, what a message costs now. "Unbounded" columns: nh3 without '
        "`clean_message`'s bound on markup, markdown-it without the render budget.",
        "",
        "| input | sanitizer median, ms | sanitizer p99, ms | nh3 unbounded, median ms "
        "| render path median, ms | render path p99, ms | markdown-it unbounded, median ms |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {_fmt(t['median_ms'], 4)} | {_fmt(t['p99_ms'], 4)} | {_fmt(t['nh3_unbounded_median_ms'], 4)} "
        f"| {_fmt(t.get('render_median_ms'), 4)} | {_fmt(t.get('render_p99_ms'), 4)} "
        f"| {_fmt(t.get('markdown_unbounded_median_ms'), 4)} |"
        for name, t in rows.items()
    ]
    return lines


def _profile_md(prof: dict[str, Any]) -> list[str]:
    if "ephemeral" not in prof:
        return ["", f"Profile: {prof.get('skipped', 'not run')}."] if prof else []
    eph, floor = prof["ephemeral"], prof.get("floor", {})
    lines = [
        "",
        f"## Where server CPU goes (py-spy, fan-out {prof['receivers']} + {prof['senders']} "
        f"at {prof['deliveries_per_s']:,.0f} deliveries/s)",
        "",
        f"Server CPU per delivery: Ephemeral {_fmt(eph['server_cpu_us_per_delivery'])} µs, "
        f"floor {_fmt(floor.get('server_cpu_us_per_delivery'))} µs; per message: Ephemeral "
        f"{_fmt(eph['server_cpu_us_per_message'])} µs, floor {_fmt(floor.get('server_cpu_us_per_message'))} µs.",
        "",
        "| layer | Ephemeral µs/delivery | floor µs/delivery |",
        "|---|---|---|",
    ]
    floor_layers = floor.get("layers_us_per_delivery", {})
    for name in dict.fromkeys([*eph["layers_us_per_delivery"], *floor_layers]):
        lines.append(f"| {name} | {_fmt(eph['layers_us_per_delivery'].get(name))} | {_fmt(floor_layers.get(name))} |")
    lines += ["", "Ephemeral's hottest functions (self time, share of samples):", ""]
    lines += [f"- {share * 100:.1f}% `{name}`" for name, share in eph["top_self"]]
    return lines


def _scale_md(scale: dict[str, Any], cores: int | None) -> list[str]:
    if "skipped" in scale:
        return []
    layouts = scale["layouts"]
    first = next(iter(layouts.values()))
    counts = ", ".join(str(b["processes"]) for b in layouts.values() if b["store"] == "redis")
    lines = [
        "",
        f"## Several processes on one Redis: fan-out, one room of {first['room_size']}",
        "",
        f"The fan-out above against one process with rooms in memory, and against {counts} processes "
        "sharing a fresh `redis-server` (`EPHEMERAL_REDIS_URL`), sockets spread "
        "over the processes round-robin, so each message crosses Redis (Socket.IO's message queue) to reach "
        "every process. Server CPU is the sum over the processes; Redis's is its own column. "
        f"This machine has {cores} cores, shared by the load generator, every process and Redis: more "
        "processes here add context switches and Redis round trips, not CPU. The figures say what Redis costs "
        "per message and that several processes keep one conversation; they cannot show a speed-up that "
        "needs cores this machine does not have.",
        "",
        "| layout | saturation, deliveries/s | vs one process in memory | "
        f"p50 / p99 at {_fmt(first['latency_load_per_s'])} deliveries/s, ms | "
        f"CPU per message at {_fmt(first['cpu_load_per_s'])} deliveries/s: processes + Redis, µs | "
        "CPU at saturation: processes / Redis / load generator | steps with a message refused |",
        "|---|---|---|---|---|---|---|",
    ]
    for b in layouts.values():
        processes = f"{b['processes']} process{'es' if b['processes'] > 1 else ''}"
        label = f"{processes}, {'Redis' if b['store'] == 'redis' else 'memory'}"
        lines.append(
            f"| {label} | {_fmt(b['saturation_per_s'])}{'' if b['saturated'] else ' (not reached)'} | "
            f"{_x(b.get('saturation_vs_memory'))} | {_fmt(b['p50_ms'])} / {_fmt(b['p99_ms'])} | "
            f"{_fmt(b['server_cpu_us_per_message'])} + {_fmt(b['store_cpu_us_per_message'])} | "
            f"{_pct(b['server_cpu_at_saturation'])} / {_pct(b['store_cpu_at_saturation'])} / "
            f"{_pct(b['loadgen_cpu_at_saturation'])} | {b['refused_steps']} |"
        )
    cost = scale.get("redis_cost")
    if cost:
        lines += [
            "",
            f"What Redis costs one process (1 process on Redis against 1 in memory): the Redis server's own "
            f"{_fmt(cost['store_us_per_message'])} µs of CPU per message, the process's CPU per message changed "
            f"by {_fmt(cost['process_us_per_message'])} µs (one message is {first['room_size']} deliveries), "
            f"saturation {_x(cost['saturation_ratio'])}, p99 {_x(cost['p99_ratio'])}.",
        ]
    return lines


def markdown(data: dict[str, Any]) -> str:
    meta, summary, params = data["meta"], data["summary"], data["params"]
    machine = meta["machine"]
    lines = [
        f"# Ephemeral benchmark: {meta['profile']} run",
        "",
        f"- date: {meta['date']}",
        f"- machine: {machine['cores']} cores, {machine['memory_gb']} GB, Linux {machine['kernel']}; "
        f"load average at start {meta['load_start']}, at end {meta['load_end']}",
        f"- Python {meta['python']}; " + ", ".join(f"{k} {v}" for k, v in meta["packages"].items()),
        f"- async mode {meta['async_mode']}; each figure is the median of {meta['repetitions']} run(s), "
        "runs interleaved (Ephemeral, floor, node socket.io, ceiling, ...), a fresh server process per run",
        "- `lg` = the load generator's own CPU (share of one core) during that measurement",
        f"- wall time {meta['wall_s']:.0f} s",
        *(f"- `{name}`: from a run of it alone, {date}" for name, date in meta.get("merged", {}).items()),
        "",
        *_targets_md(data),
        *METHOD,
    ]
    if "fanout" in summary:
        lines += _fanout_md(summary["fanout"])
    if "rooms" in summary:
        lines += _rooms_md(summary["rooms"], params["rooms"])
    if "small_rooms" in summary:
        lines += small_rooms_report.markdown(summary["small_rooms"], params["small_rooms"])
    if "connections" in summary:
        lines += _connections_md(summary["connections"])
    if "storm" in summary:
        lines += _storm_md(summary["storm"], params["storm"])
    if "payloads" in summary:
        lines += _payloads_md(summary["payloads"])
    if "blind" in summary:
        lines += blind_report.markdown(summary["blind"])
    if "actions" in summary:
        lines += actions_report.markdown(summary["actions"])
    if "files" in summary:
        lines += files_report.markdown(summary["files"])
    if "scale" in summary:
        lines += _scale_md(summary["scale"], machine["cores"])
    if "scale_rooms" in summary:
        lines += scale_rooms_report.markdown(summary["scale_rooms"], params.get("scale_rooms"))
    if "sanitizer" in summary:
        lines += _sanitizer_md(summary["sanitizer"])
    if "admin_token" in summary:
        lines += admin_token.markdown(summary["admin_token"])
    lines += _profile_md(summary.get("profile", {}))
    return "\n".join(lines) + "\n"
