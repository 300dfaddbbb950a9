"""Open-loop offered load over connected clients, and the tally of what arrived.

A message's text starts with its send time and step, `~<perf_counter>~<step>~`,
which neither Markdown (single tildes are not strikethrough) nor the sanitizer
changes, so each receiver times its delivery with two
`find` calls on the raw frame. Senders are used round-robin at a fixed rate,
whatever the server answers (open loop), so a slow server shows up as latency
and loss instead of a politely slower client.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import population
from .stats import CpuMeter, latency_ms

QUIET_SECONDS = 0.3  # no delivery for this long: the server has drained
# The machine is shared: before each step, wait (bounded) for other processes to
# use less than this many cores, so that a step measures the server, not a neighbour.
MACHINE_BUSY_LIMIT = 0.5
MACHINE_PROBE_SECONDS = 0.5
MACHINE_WAIT_LIMIT = 15.0
PLAIN_PAD = "x" * 60  # with the marker, about 100 bytes of plain text


def plain_text(stamp: str) -> str:
    return f"{stamp} {PLAIN_PAD}"


@dataclass
class Tally:
    deliveries: list[int] = field(default_factory=list)
    latencies: list[list[float]] = field(default_factory=list)
    acked: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    last_delivery: float = 0.0

    def new_step(self) -> int:
        self.deliveries.append(0)
        self.latencies.append([])
        self.acked.append(0)
        self.refused.append(0)
        return len(self.deliveries) - 1

    def on_message(self, text: str) -> None:
        now = time.perf_counter()
        i = text.find("~")
        j = text.find("~", i + 1)
        k = text.find("~", j + 1)
        step = int(text[j + 1 : k])
        self.deliveries[step] += 1
        self.latencies[step].append(now - float(text[i + 1 : j]))
        self.last_delivery = now

    def acker(self, step: int) -> Callable[[bool], None]:
        def on_ack(ok: bool) -> None:
            if ok:
                self.acked[step] += 1
            else:
                self.refused[step] += 1

        return on_ack


class Driver:
    """Sends from `senders` round-robin; each message reaches `fan` sockets."""

    def __init__(self, target: population.Target, tally: Tally, senders: list[population.Client], fan: int) -> None:
        self.target = target
        self.tally = tally
        self.senders = senders
        self.fan = fan

    async def quiet(self, limit: float = 10.0) -> None:
        """Wait until deliveries stop arriving (a failed step may leave a backlog)."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            if time.perf_counter() - self.tally.last_delivery >= QUIET_SECONDS:
                return
            await asyncio.sleep(0.05)

    async def quiet_machine(self) -> float:
        """Wait until other processes leave the cores mostly free (or the limit passes); returns seconds waited."""
        began = time.perf_counter()
        while time.perf_counter() - began < MACHINE_WAIT_LIMIT:
            meter = CpuMeter(self.target.pids, self.target.store_pids)
            await asyncio.sleep(MACHINE_PROBE_SECONDS)
            if meter.read()["other_cpu"] < MACHINE_BUSY_LIMIT:
                break
        return time.perf_counter() - began

    async def step(
        self,
        messages_per_s: float,
        seconds: float,
        drain: float,
        p99_limit_ms: float,
        text: Callable[[str], str] = plain_text,
    ) -> dict[str, Any]:
        """Offer `messages_per_s` for `seconds`, then wait up to `drain` for the rest to arrive."""
        waited = await self.quiet_machine()
        tally = self.tally
        step = tally.new_step()
        on_ack = tally.acker(step)
        rate = messages_per_s
        total = max(1, round(rate * seconds))
        senders = self.senders
        meter = CpuMeter(self.target.pids, self.target.store_pids)
        idle_meter = CpuMeter(self.target.idle_pids) if self.target.idle_pids else None
        began = time.perf_counter()
        sent = 0
        max_lag = 0.0
        while sent < total:
            now = time.perf_counter()
            due = min(total, int((now - began) * rate) + 1)
            max_lag = max(max_lag, now - (began + sent / rate))
            while sent < due:
                senders[sent % len(senders)].send(text(f"~{time.perf_counter():.6f}~{step}~"), on_ack)
                sent += 1
            await asyncio.sleep(max(began + sent / rate - time.perf_counter(), 0))
        offered_s = max(time.perf_counter() - began, total / rate)
        expected = sent * self.fan
        acks_expected = 0 if self.target.kind == "ceiling" else sent
        deadline = time.perf_counter() + drain
        while time.perf_counter() < deadline:
            if tally.acked[step] + tally.refused[step] >= acks_expected and tally.deliveries[step] >= expected:
                break
            await asyncio.sleep(0.01)
        cpu = meter.read()
        idle_cpu_s = idle_meter.read()["server_cpu_s"] if idle_meter else None
        delivered = tally.deliveries[step]
        ok_messages = sent if self.target.kind == "ceiling" else tally.acked[step]
        lost = (sent - ok_messages) * self.fan + max(0, ok_messages * self.fan - delivered)
        latency = latency_ms(tally.latencies[step])
        tally.latencies[step] = []
        return {
            "offered_per_s": round(rate * self.fan, 1),
            "messages_per_s": round(rate, 2),
            "per_sender_per_s": round(rate / len(senders), 3),
            "seconds": round(offered_s, 3),
            "sent": sent,
            "refused": tally.refused[step],
            "delivered": delivered,
            "expected": expected,
            "lost": lost,
            "delivered_per_s": round(delivered / offered_s, 1),
            "latency_ms": latency,
            "sender_lag_ms": round(max_lag * 1000, 2),
            "waited_for_quiet_s": round(waited, 2),
            "server_cpu_us_per_delivery": round(cpu["server_cpu_s"] / delivered * 1e6, 2) if delivered else None,
            "server_cpu_us_per_message": round(cpu["server_cpu_s"] / ok_messages * 1e6, 1) if ok_messages else None,
            "store_cpu_us_per_message": round(cpu["store_cpu_s"] / ok_messages * 1e6, 1) if ok_messages else None,
            "idle_process_cpu_us_per_message": (
                round(idle_cpu_s / len(self.target.idle_pids) / ok_messages * 1e6, 1)
                if idle_cpu_s is not None and ok_messages
                else None
            ),
            **cpu,
            "passed": lost == 0 and latency["p99"] is not None and latency["p99"] <= p99_limit_ms,
        }
