"""The files scenario's summary and table: throughput through one process, a chat's latency beside a transfer,
and a reader that stops."""

from __future__ import annotations

from typing import Any

from ephemeral.file_fields import CHUNK_FRAME_BYTES, chunk_count
from ephemeral.slow_readers import READER_BACKLOG

from .stats import latency_ms, median

MIB = 2**20
# What the server may queue for a reader before it drops it from a file: READER_BACKLOG pieces.
BACKLOG_MB = round(READER_BACKLOG * CHUNK_FRAME_BYTES / MIB, 2)


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def _throughput(transfers: list[dict[str, Any]], file_mib: float) -> dict[str, Any]:
    readers = transfers[0]["readers"]
    per_s = median(t["file_mib_per_s"] for t in transfers)
    cpu = median(t["server_cpu_ms_per_mib"] for t in transfers)
    return {
        "readers": readers,
        "transfers": len(transfers),
        "whole": all(t["whole"] for t in transfers),
        "waited_s": round(sum(t["waited_s"] for t in transfers), 3),
        "seconds_per_file": median(t["seconds"] for t in transfers),
        "file_mib_per_s": per_s,
        "delivered_mib_per_s": None if per_s is None else round(per_s * readers, 2),
        "file_mib_per_s_runs": [t["file_mib_per_s"] for t in transfers],
        "server_cpu_ms_per_mib": cpu,
        "server_cpu_ms_per_delivered_mib": None if cpu is None else round(cpu / readers, 1),
        "server_cpu": median(t["server_cpu"] for t in transfers),
        "loadgen_cpu": median(t["loadgen_cpu"] for t in transfers),
        "other_cpu": median(t["other_cpu"] for t in transfers),
        "file_mib": file_mib,
    }


def _chat(runs: list[dict[str, Any]], file_mib: float) -> dict[str, Any]:
    steps = [step for run in runs for step in run["chat"]["steps"]]
    out: dict[str, Any] = {
        "rooms": runs[0]["chat"]["rooms"],
        "messages_per_s": runs[0]["chat"]["messages_per_s"],
        "refused": sum(run["chat"]["refused"] for run in runs),
        "file_mib": file_mib,
    }
    for kind in ("baseline", "transfer"):
        mine = [step for step in steps if step["kind"] == kind]
        out[kind] = {
            **latency_ms(ms / 1000 for step in mine for ms in step["latencies_ms"]),
            "steps": len(mine),
            "seconds": round(sum(step["wall_s"] for step in mine), 2),
            "files": sum(step["files"] for step in mine),
            "server_cpu": median(step["server_cpu"] for step in mine),
            "loadgen_cpu": median(step["loadgen_cpu"] for step in mine),
            "other_cpu": median(step["other_cpu"] for step in mine),
        }
    moved = out["transfer"]
    moved["file_mib_per_s"] = round(moved["files"] * file_mib / moved["seconds"], 2) if moved["seconds"] else None
    out["ratio"] = _ratio(moved["p99"], out["baseline"]["p99"])
    # Each step without a transfer and the one with that follows it.
    pairs = [(steps[i], steps[i + 1]) for i in range(0, len(steps) - 1, 2)]
    out["ratios"] = [_ratio(_p99(with_files), _p99(without)) for without, with_files in pairs]
    return out


def _p99(step: dict[str, Any]) -> float | None:
    return latency_ms(ms / 1000 for ms in step["latencies_ms"])["p99"]


def _slow(steps: list[dict[str, Any]], file_bytes: int) -> dict[str, Any]:
    out: dict[str, Any] = {"file_mib": round(file_bytes / MIB, 3), "chunks": chunk_count(file_bytes)}
    out.update(backlog_pieces=READER_BACKLOG, backlog_mb=BACKLOG_MB)
    for kind in ("reading", "stopped"):
        mine = [step for step in steps if step["kind"] == kind]
        late = [step["late_reader"] for step in mine]
        out[kind] = {
            "steps": len(mine),
            "readers_whole": all(step["whole"] for step in mine),
            "file_mib_per_s": median(step["file_mib_per_s"] for step in mine),
            "rss_peak_growth_mb": max(step["rss_peak_growth_mb"] for step in mine),
            "rss_peak_growth_mb_runs": [step["rss_peak_growth_mb"] for step in mine],
            "late_cancelled": [got["cancelled"] for got in late],
            "late_pieces": [got["pieces"] for got in late],
            "late_intact": all(got["intact"] for got in late),
        }
    return out


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Throughput medians per number of readers; the chat's latencies pooled by kind of step over every run, and
    each pair's ratio; the slow reader's steps by kind."""
    if not runs:
        return {"skipped": "not in this profile"}
    file_mib = round(runs[0]["file_bytes"] / MIB, 3)
    transfers = [t for run in runs for t in run["throughput"]]
    by_readers = {
        n: [t for t in transfers if t["readers"] == n] for n in dict.fromkeys(t["readers"] for t in transfers)
    }
    return {
        "runs": len(runs),
        "throughput": {str(n): _throughput(ts, file_mib) for n, ts in by_readers.items()},
        "chat": _chat(runs, file_mib),
        "slow": _slow([step for run in runs for step in run["slow"]], runs[0]["slow_file_bytes"]),
    }


def _f(value: Any) -> str:
    return "-" if value is None else f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"


def _late(block: dict[str, Any], chunks: int) -> str:
    said = [
        f"{pieces} of {chunks} pieces, then `file_cancel` {reason}" if reason else f"{pieces} of {chunks} pieces"
        for pieces, reason in zip(block["late_pieces"], block["late_cancelled"], strict=True)
    ]
    return "; ".join(said) + ("" if block["late_intact"] else " (a piece was wrong or out of order)")


def figures(files: dict[str, Any]) -> list[str]:
    """A few lines for the console."""
    if "chat" not in files:
        return []
    chat, slow = files["chat"], files["slow"]
    lines = [
        f"  files: {n} reader(s) {_f(b['delivered_mib_per_s'])} MiB/s delivered, {_f(b['seconds_per_file'])} s per "
        f"{_f(b['file_mib'])} MiB file, server {_f(b['server_cpu_ms_per_mib'])} ms CPU per MiB"
        for n, b in files["throughput"].items()
    ]
    lines.append(
        f"  files: chat p99 {_f(chat['baseline']['p99'])} ms without a transfer, {_f(chat['transfer']['p99'])} ms "
        f"with ({_f(chat['ratio'])}x)"
    )
    stopped, reading = slow["stopped"], slow["reading"]
    lines.append(
        f"  files: a reader that stops: RSS peak +{_f(stopped['rss_peak_growth_mb'])} MB "
        f"(+{_f(reading['rss_peak_growth_mb'])} MB with every reader reading); it got {stopped['late_pieces']} "
        f"pieces, cancelled {stopped['late_cancelled']}"
    )
    return lines


def markdown(files: dict[str, Any]) -> list[str]:
    if "chat" not in files:
        return []
    chat, slow = files["chat"], files["slow"]
    lines = [
        "",
        "## Files through one process (gevent, rooms in memory)",
        "",
        "A sender sends random bytes in 32 KiB pieces (base64url text in JSON) as a page does: each piece acked "
        "before the next, at most 16 pieces ahead of its slowest reader; readers say how far they are every 8 "
        "pieces and at the last, and check every piece. Seconds per file: from the offer to the last piece read "
        "by every reader. Server CPU from /proc over the same span, per MiB of the file. Medians of "
        f"{files['throughput'][next(iter(files['throughput']))]['transfers']} file(s) per row.",
        "",
        "| readers | file | s per file | MiB/s delivered (file MiB/s) | server CPU per MiB, ms (per MiB "
        "delivered) | server / lg / others' CPU | every piece arrived |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, b in files["throughput"].items():
        runs = ", ".join(_f(x) for x in b["file_mib_per_s_runs"])
        lines.append(
            f"| {n} | {_f(b['file_mib'])} MiB | {_f(b['seconds_per_file'])} | {_f(b['delivered_mib_per_s'])} "
            f"({_f(b['file_mib_per_s'])}: {runs}) | {_f(b['server_cpu_ms_per_mib'])} "
            f"({_f(b['server_cpu_ms_per_delivered_mib'])}) | {_f(b['server_cpu'])} / {_f(b['loadgen_cpu'])} / "
            f"{_f(b['other_cpu'])} | {'yes' if b['whole'] else '**no**'} |"
        )
    base, moved = chat["baseline"], chat["transfer"]
    pairs = ", ".join("-" if r is None else f"{r:.2f}" for r in chat["ratios"])
    lines += [
        "",
        f"A chat beside a transfer: {chat['rooms']} room(s) of 2 at {chat['messages_per_s']:g} messages/s in all "
        "(each client within the message limit), 100-byte messages, timed from the send to the other member's "
        f"read. Steps without a transfer alternate with steps while {_f(chat['file_mib'])} MiB files go, one at a "
        f"time, to 3 readers in another room ({moved['files']} files at {_f(moved['file_mib_per_s'])} MiB/s); "
        f"latencies pooled by kind of step. p99 with / without: {_f(chat['ratio'])}x (each pair: {pairs}); "
        f"messages refused: {chat['refused']}.",
        "",
        "| chat | messages | p50, ms | p95, ms | p99, ms | max, ms | server / lg / others' CPU |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, b in (("without a transfer", base), ("while files go", moved)):
        lines.append(
            f"| {label} | {b['samples']} | {_f(b['p50'])} | {_f(b['p95'])} | {_f(b['p99'])} | {_f(b['max'])} | "
            f"{_f(b['server_cpu'])} / {_f(b['loadgen_cpu'])} / {_f(b['other_cpu'])} |"
        )
    lines += [
        "",
        f"A reader that stops: {_f(slow['file_mib'])} MiB files to a room whose last reader is opened afresh for "
        "each step, with a 64 KiB receive buffer, and either reads or stops reading once connected. The sender "
        "then paces on the others at once (a page waits 15 s for a reader it has not heard from). RSS peak "
        "growth: the server's RSS over the step above its RSS before, the largest of the steps (each step's in "
        "brackets); freed memory stays with the process, so a later step may reuse what an earlier one grew. "
        f"The server drops a reader with {slow['backlog_pieces']} pieces queued for it "
        f"({_f(slow['backlog_mb'])} MB); the kernel's socket buffers hold more before that.",
        "",
        "| last reader | steps | the others got every piece | file MiB/s | server RSS peak growth, MB | "
        "what the last reader got, reading once the file had gone by |",
        "|---|---|---|---|---|---|",
    ]
    for kind, b in (("reads", slow["reading"]), ("stops reading", slow["stopped"])):
        each = ", ".join(_f(x) for x in b["rss_peak_growth_mb_runs"])
        lines.append(
            f"| {kind} | {b['steps']} | {'yes' if b['readers_whole'] else '**no**'} | {_f(b['file_mib_per_s'])} | "
            f"{_f(b['rss_peak_growth_mb'])} ({each}) | {_late(b, slow['chunks'])} |"
        )
    return lines
