"""Server CPU per message action against a plain message: a reply, a reaction, an edit.

Rooms of two clients, every client sending at a fixed rate, as the payloads
scenario does. In set-up each client sends one message and keeps its id from
the ack: the first client's is the room's first message, the one every reply
answers and every reaction lands on. After a short plain warm-up step, each
action is measured right after a `plain` step of its own, `rounds` times:

- `plain`: a 100-byte message, the baseline, in the same rooms of the same process;
- `reply`: the same message with `reply_to` the room's first message;
- `react`: 👍 toggled on that message, so each client alternates one add and one remove;
- `edit`: the sender's own set-up message given the same 100 bytes again.

Each step reads server CPU (from /proc) over the step and its drain and divides
it by the events acknowledged. A pair shares the machine's moment, which on a
shared machine drifts more than the difference being measured. Every event
reaches both sockets of its room (`message`, `reactions` or `edited`), so a
step's fan-out is two deliveries per event.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import corpus, population
from .driver import Driver, Tally
from .stats import CpuMeter, latency_ms

PER_ROOM = 2
THUMBS_UP = "\N{THUMBS UP SIGN}"
BASELINE = "plain"
# Step: the event a client sends, and the one the room gets back.
STEPS = {
    BASELINE: ("message", "message"),
    "reply": ("message", "message"),
    "react": ("react", "reactions"),
    "edit": ("edit", "edited"),
}
WARM_UP_SECONDS = 0.5


@dataclass(slots=True)
class Member:
    """One connected client, the id of its own set-up message, and that of its room's first."""

    client: population.Client
    own_id: str = ""
    first_id: str = ""

    def emit(self, event: str, payload: dict[str, Any]) -> asyncio.Future[str]:
        assert self.client.sio is not None
        return self.client.sio.emit_with_ack(event, json.dumps(payload, separators=(",", ":")))


def payload(step: str, member: Member) -> dict[str, Any]:
    """What `member` sends in `step`: the text is the payloads scenario's 100-byte plain body."""
    if step == "reply":
        return {"text": corpus.PLAIN, "reply_to": member.first_id}
    if step == "react":
        return {"id": member.first_id, "emoji": THUMBS_UP}
    if step == "edit":
        return {"id": member.own_id, "text": corpus.PLAIN}
    return {"text": corpus.PLAIN}


def _answer(future: asyncio.Future[str]) -> dict[str, Any]:
    if not future.done() or future.cancelled() or future.exception() is not None:
        return {}
    answer = json.loads(future.result())
    return answer[0] if answer and isinstance(answer[0], dict) else {}


class Deliveries:
    """Frames of each event the room got back, over every socket: `message` counted here, the rest by the client."""

    def __init__(self) -> None:
        self.messages = 0
        self.members: list[Member] = []

    def on_message(self, _frame: str) -> None:
        self.messages += 1

    def count(self, event: str) -> int:
        if event == "message":
            return self.messages
        return sum(m.client.sio.events.get(event, 0) for m in self.members if m.client.sio is not None)


async def _set_up(members: list[list[Member]]) -> None:
    """Each client's first message, room by room the first client's before the second's; ids from the acks."""
    for seat in range(PER_ROOM):
        sent = [room[seat].emit("message", payload("plain", room[seat])) for room in members]
        await asyncio.wait(sent, timeout=30)
        answers = [_answer(future) for future in sent]
        for room, answer in zip(members, answers, strict=True):
            if answer.get("ok") is not True:
                raise RuntimeError(f"set-up message answered {answer.get('error', 'nothing')}")
            room[seat].own_id = str(answer["id"])
    for room in members:
        for member in room:
            member.first_id = room[0].own_id


async def _step(
    target: population.Target,
    members: list[Member],
    deliveries: Deliveries,
    step: str,
    params: dict[str, Any],
    quiet: Callable[[], Any],
) -> dict[str, Any]:
    """Offer `step`'s event from every client round-robin at the fixed rate, then wait (up to the drain) for
    every ack and every delivery; server CPU over the whole of it, per event acknowledged."""
    sends, receives = STEPS[step]
    waited = await quiet()
    rate = len(members) * float(params["per_client_per_s"])
    total = max(1, round(rate * float(params.get("step_seconds", params["seconds"]))))
    acked, refused, ack_times = 0, 0, []
    before = deliveries.count(receives)

    def on_ack(sent_at: float) -> Callable[[asyncio.Future[str]], None]:
        def done(future: asyncio.Future[str]) -> None:
            nonlocal acked, refused
            if _answer(future).get("ok") is True:
                acked += 1
                ack_times.append(time.perf_counter() - sent_at)
            else:
                refused += 1

        return done

    meter = CpuMeter(target.pids, target.store_pids)
    began = time.perf_counter()
    for sent in range(total):
        await asyncio.sleep(max(began + sent / rate - time.perf_counter(), 0))
        member = members[sent % len(members)]
        member.emit(sends, payload(step, member)).add_done_callback(on_ack(time.perf_counter()))
    offered_s = time.perf_counter() - began
    deadline = time.perf_counter() + float(params["drain_seconds"])
    while time.perf_counter() < deadline:
        if acked + refused >= total and deliveries.count(receives) - before >= acked * PER_ROOM:
            break
        await asyncio.sleep(0.01)
    cpu = meter.read()
    delivered = deliveries.count(receives) - before
    return {
        "step": step,
        "event": sends,
        "sent": total,
        "acked": acked,
        "refused": refused,
        "unanswered": total - acked - refused,
        "delivered": delivered,
        "expected": acked * PER_ROOM,
        "events_per_s": round(rate, 2),
        "seconds": round(offered_s, 3),
        "ack_latency_ms": latency_ms(ack_times),
        "waited_for_quiet_s": round(waited, 2),
        "server_cpu_us_per_event": round(cpu["server_cpu_s"] / acked * 1e6, 1) if acked else None,
        "server_cpu_us_per_delivery": round(cpu["server_cpu_s"] / delivered * 1e6, 1) if delivered else None,
        **cpu,
    }


async def run(target: population.Target, params: dict[str, Any]) -> dict[str, Any]:
    rooms = int(params["rooms"])
    actions = [name for name in params.get("steps", STEPS) if name != BASELINE]
    deliveries = Deliveries()
    seats = await population.make_rooms(target, rooms, PER_ROOM, tag="action")
    connected = await population.connect_all(target, [s for room in seats for s in room], deliveries.on_message)
    if connected.failures:
        raise RuntimeError(f"{connected.failures} sockets failed to connect")
    by_room = [[Member(c) for c in connected.clients[r * PER_ROOM : (r + 1) * PER_ROOM]] for r in range(rooms)]
    deliveries.members = [member for room in by_room for member in room]
    await _set_up(by_room)
    # Senders in turn across rooms, first clients then second ones, as the payloads scenario orders them.
    ordered = [room[seat] for seat in range(PER_ROOM) for room in by_room]
    driver = Driver(target, Tally(), [], PER_ROOM)

    async def quiet() -> float:
        return await driver.quiet_machine() if params.get("wait_for_quiet", True) else 0.0

    pause = float(params.get("pause_seconds", 0.5))
    await asyncio.sleep(pause)
    # The first events a process handles pay for what it loads and caches once: not part of any pair.
    warm_up = await _step(target, ordered, deliveries, BASELINE, {**params, "step_seconds": WARM_UP_SECONDS}, quiet)
    rounds: list[list[dict[str, Any]]] = []
    for _round in range(int(params["rounds"])):
        measured: list[dict[str, Any]] = []
        for action in actions:
            for step in (BASELINE, action):
                measured.append(await _step(target, ordered, deliveries, step, params, quiet))
                # Let the budget refill and the last frames arrive before the next step.
                await asyncio.sleep(pause)
        rounds.append(measured)
    for member in ordered:
        member.client.close()
    return {
        "rooms": rooms,
        "clients_per_room": PER_ROOM,
        "events_per_s": len(ordered) * float(params["per_client_per_s"]),
        "steps": [BASELINE, *actions],
        "warm_up": warm_up,
        "rounds": rounds,
    }
