"""Files through one process: how fast one goes, what it does to a chat beside it, and a reader that stops.

A sender sends random bytes in 32 KiB pieces as a page does, each acked before the next and at most `WINDOW` ahead
of the slowest reader; readers say how far they are (`file_progress`) every `PROGRESS_EVERY` pieces and at the
last, and check each piece. `throughput`: one file to 1 reader, then to 3, `rounds` times. `chat`: rooms of 2 at a
fixed rate, timed from the send to the other member's read, in steps without a transfer and steps while files go,
one at a time, to 3 readers in another room, in turn. `slow`: a sender, readers, and one more opened afresh for
each step that reads, or stops reading once connected (a small receive buffer, as a far phone's); the server's
RSS peak over the step, then what was left for the one that stopped: the rest of the file, or `file_cancel`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import secrets
import socket
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from ephemeral.file_fields import CHUNK_BYTES, chunk_count
from ephemeral.ratelimit import FILE_PROGRESS_PER_PARTICIPANT as PROGRESS_BUDGET

from . import corpus, loadgen, population, procs, wire
from .driver import Driver, Tally
from .stats import CpuMeter

PROGRESS_EVERY = 8  # as the page
WINDOW = 16
STALL_SECONDS = 15.0  # nothing heard for this long: the run fails (a page would stop waiting for that reader)
SMALL_BUFFER = 64 * 1024
MIB = 2**20


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(slots=True)
class Incoming:
    """A file as one reader gets it."""

    chunks: int
    sender: str = ""
    got: int = 0
    intact: bool = True
    cancelled: str = ""
    done: asyncio.Event = field(default_factory=asyncio.Event)


class FileSocket(wire.SocketIOClient):
    """A socket that sends and reads files as a page does; `sent` holds every file's pieces, shared by all."""

    def __init__(self, sent: dict[str, list[str]]) -> None:
        super().__init__(lambda _frame: None)
        self.sent = sent
        self.files: dict[str, Incoming] = {}
        self.progress: dict[str, dict[str, int]] = {}  # as a sender: file id -> reader -> last piece read
        self.heard = asyncio.Event()

    def _on_text(self, text: str) -> None:
        if not text.startswith('42["file'):
            super()._on_text(text)
            return
        name, body = json.loads(text[2:])
        incoming = self.files.get(body["id"])
        if name == "file_progress":
            read = self.progress.setdefault(body["id"], {})
            read[body["by"]] = max(read.get(body["by"], -1), body["index"])
            self.heard.set()
        elif incoming is not None and name == "file":
            incoming.sender = body["from"]
        elif incoming is not None and name == "file_chunk":
            index = body["index"]
            incoming.intact &= index == incoming.got and body["data"] == self.sent[body["id"]][index]
            incoming.got += 1
            if (index + 1) % PROGRESS_EVERY == 0 or index + 1 == incoming.chunks:
                said = {"from": incoming.sender, "id": body["id"], "index": index}
                assert self.ws is not None
                self.ws.send_text(f'42["file_progress",{json.dumps(said, separators=(",", ":"))}]')
            if incoming.got == incoming.chunks:
                incoming.done.set()
        elif incoming is not None and name == "file_cancel":
            incoming.cancelled = body["reason"]
            incoming.done.set()

    async def call(self, event: str, payload: dict[str, Any]) -> float:
        """Send until acked ok, waiting out `rate_limited` as a page does; the seconds it waited."""
        waited = 0.0
        for _attempt in range(100):
            answer = json.loads(await self.emit_with_ack(event, json.dumps(payload, separators=(",", ":"))))[0]
            if answer.get("error") != "rate_limited":
                break
            waited += float(answer["retry_after"])
            await asyncio.sleep(float(answer["retry_after"]))
        if answer.get("ok") is not True:
            raise RuntimeError(f"{event} answered {answer.get('error')}")
        return waited


@dataclass
class Room:
    """A sender and its readers, the first `paced_on` of which say how far they are (0: all). `tokens` mirror their
    `file_progress` budget: a file waits until none of its notes would be dropped (a page would stall 15 s)."""

    seats: list[population.Seat]
    sender: FileSocket
    readers: list[FileSocket]
    paced_on: int = 0
    tokens: float = PROGRESS_BUDGET.burst
    at: float = field(default_factory=time.monotonic)

    async def send(self, pieces: list[str], size: int) -> tuple[str, float]:
        """Offer a file and send its pieces; its id, and the seconds spent waiting for a budget."""
        now, notes = time.monotonic(), -(-len(pieces) // PROGRESS_EVERY)
        self.tokens = min(PROGRESS_BUDGET.burst, self.tokens + (now - self.at) * PROGRESS_BUDGET.per_second)
        waited = max(notes - self.tokens, 0) / PROGRESS_BUDGET.per_second
        self.tokens, self.at = self.tokens + waited * PROGRESS_BUDGET.per_second - notes, now + waited
        await asyncio.sleep(waited)
        file_id = b64(secrets.token_bytes(16))
        self.sender.sent[file_id] = pieces
        for reader in self.readers:
            reader.files[file_id] = Incoming(len(pieces))
        offer = {"id": file_id, "size": size, "name": "bench.bin", "type": "application/octet-stream"}
        waited += await self.sender.call("file_offer", offer)
        read, paced_on = self.sender.progress.setdefault(file_id, {}), self.paced_on or len(self.readers)
        for index, text in enumerate(pieces):
            while index - (min(read.values()) if len(read) >= paced_on else -1) > WINDOW:
                self.sender.heard.clear()
                await asyncio.wait_for(self.sender.heard.wait(), STALL_SECONDS)  # TimeoutError: no reader said
            waited += await self.sender.call("file_chunk", {"id": file_id, "index": index, "data": text})
        return file_id, waited


class Files:
    def __init__(self, target: population.Target, params: dict[str, Any]) -> None:
        self.target, self.params, self.driver = target, params, Driver(target, Tally(), [], 1)
        self.sent: dict[str, list[str]] = {}
        self.pieces: dict[int, list[str]] = {}  # by the file's size: random bytes, made once

    def file(self, size: int) -> list[str]:
        if size not in self.pieces:
            data = os.urandom(size)
            self.pieces[size] = [b64(data[i * CHUNK_BYTES : (i + 1) * CHUNK_BYTES]) for i in range(chunk_count(size))]
        return self.pieces[size]

    async def quiet(self) -> float:
        return round(await self.driver.quiet_machine(), 2) if self.params.get("wait_for_quiet", True) else 0.0

    async def connect(self, seat: population.Seat, stopped: bool = False) -> FileSocket:
        """A socket for `seat`; `stopped`: one that reads nothing once connected, the kernel holding little."""
        sock = FileSocket(self.sent)
        await sock.connect(population.HOST, self.target.port, {"room": seat.room}, seat.cookie)
        if stopped and sock.ws is not None and sock.ws.transport is not None:
            sock.ws.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_BUFFER)
            sock.ws.transport.pause_reading()
        return sock

    async def room(self, readers: int, tag: str) -> Room:
        [seats] = await population.make_rooms(self.target, 1, 1 + readers, tag=tag)
        made = [await self.connect(seat) for seat in seats]
        return Room(seats, made[0], made[1:])

    async def transfer(self, room: Room, size: int, rss: bool = False) -> dict[str, Any]:
        """One file through `room`, from the offer to the last piece read by every reader that reads."""
        peak, before = [0], procs.rss_bytes(self.target.pid)
        sampler = asyncio.create_task(_sample_rss(self.target.pid, peak)) if rss else None
        meter, began = CpuMeter(self.target.pids), time.perf_counter()
        file_id, waited = await room.send(self.file(size), size)
        reading = [reader.files[file_id] for reader in room.readers[: room.paced_on or len(room.readers)]]
        await asyncio.wait_for(asyncio.gather(*(incoming.done.wait() for incoming in reading)), STALL_SECONDS)
        seconds, cpu = time.perf_counter() - began, meter.read()
        if sampler is not None:
            sampler.cancel()
        mib = size / MIB
        return {
            "file_id": file_id,
            "readers": len(reading),
            "seconds": round(seconds, 4),
            "file_mib_per_s": round(mib / seconds, 2),
            "server_cpu_ms_per_mib": round(cpu["server_cpu_s"] * 1000 / mib, 1),
            "whole": all(incoming.intact and incoming.got == incoming.chunks for incoming in reading),
            "waited_s": round(waited, 3),
            "rss_peak_growth_mb": round(max(peak[0] - before, 0) / MIB, 2) if rss else None,
            **cpu,
        }


async def _sample_rss(pid: int, peak: list[int]) -> None:
    while True:
        peak[0] = max(peak[0], procs.rss_bytes(pid))
        await asyncio.sleep(0.005)


async def throughput(files: Files) -> list[dict[str, Any]]:
    rooms, size = [await files.room(n, f"to{n}") for n in files.params["readers"]], int(files.params["file_bytes"])
    await files.transfer(rooms[-1], size)  # what a process loads and caches once: not measured
    measured = []
    for _round in range(int(files.params["rounds"])):
        waited = await files.quiet()  # before each round: its files share the machine's moment
        for room in rooms:
            measured.append({"waited_for_quiet_s": waited, **await files.transfer(room, size)})
    return measured


@dataclass
class Chat:
    """Rooms of 2 sending at a fixed rate, open loop; each message timed to the other member's read, by step."""

    step: int = -1  # between steps: not counted
    latencies: dict[int, list[float]] = field(default_factory=dict)
    refused: int = 0

    def reader(self, me: int) -> wire.OnFrame:
        def on_frame(frame: str) -> None:
            now = time.perf_counter()
            _, stamp, step, who, _text = frame.split("~", 4)
            if who != str(me):
                self.latencies.setdefault(int(step), []).append(round((now - float(stamp)) * 1000, 3))

        return on_frame

    def on_ack(self, ok: bool) -> None:
        self.refused += not ok

    async def run(self, clients: list[population.Client], rate: float, stop: asyncio.Event) -> None:
        began, sent = time.perf_counter(), 0
        while not stop.is_set():
            await asyncio.sleep(max(began + sent / rate - time.perf_counter(), 0))
            who = sent % len(clients)
            # About 100 bytes, as the payloads scenario's plain message: the stamp, the step, the sender.
            clients[who].send(f"~{time.perf_counter():.6f}~{self.step}~{who}~ {corpus.PLAIN}"[:100], self.on_ack)
            sent += 1


async def chat(files: Files) -> dict[str, Any]:
    params, chat = files.params, Chat()
    seats = [seat for room in await population.make_rooms(files.target, int(params["chat_rooms"]), 2) for seat in room]
    clients = [population.Client(files.target, chat.reader(who)) for who in range(len(seats))]
    await asyncio.gather(*(client.connect(files.target, seat) for client, seat in zip(clients, seats, strict=True)))
    room, size = await files.room(3, "beside"), int(params["file_bytes"])
    await files.transfer(room, size)
    stop, steps, step_seconds = asyncio.Event(), [], float(params["chat_seconds"])
    rate = len(clients) * float(params["chat_per_client_per_s"])
    chatting = asyncio.create_task(chat.run(clients, rate, stop))
    for _round in range(int(params["rounds"])):
        waited = await files.quiet()  # before each pair of steps, not between them
        for kind in ("baseline", "transfer"):
            chat.step, began, meter, moved = len(steps), time.perf_counter(), CpuMeter(files.target.pids), []
            while kind == "transfer" and (not moved or time.perf_counter() - began < step_seconds):
                moved.append(await files.transfer(room, size))  # one file at a time, back to back
            await asyncio.sleep(0.0 if moved else step_seconds)
            chat.step = -1
            steps.append({"kind": kind, "files": len(moved), "waited_for_quiet_s": waited, **meter.read()})
            await asyncio.sleep(float(params.get("pause_seconds", 0.3)))  # the step's last messages arrive
    stop.set()
    await chatting
    for client in clients:
        client.close()
    for index, step in enumerate(steps):
        step["latencies_ms"] = chat.latencies.get(index, [])  # pooled by kind over every run in the report
    return {"rooms": len(seats) // 2, "messages_per_s": rate, "refused": chat.refused, "steps": steps}


async def slow(files: Files) -> list[dict[str, Any]]:
    readers = int(files.params["slow_readers"])  # besides the one opened afresh for each step
    room, size = await files.room(readers + 1, "slow"), int(files.params["slow_file_bytes"])
    await files.transfer(room, size)
    measured = []
    for _round in range(int(files.params["rounds"])):
        for kind in ("reading", "stopped"):
            room.readers[-1].close()
            room.readers[-1] = late = await files.connect(room.seats[-1], stopped=kind == "stopped")
            room.paced_on = readers if kind == "stopped" else 0  # one that reads nothing says nothing
            step = await files.transfer(room, size, rss=True)  # memory, not CPU: no wait for a quiet machine
            assert late.ws is not None and late.ws.transport is not None
            late.ws.transport.resume_reading()
            incoming = late.files[step["file_id"]]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(incoming.done.wait(), STALL_SECONDS)
            late_got = {"pieces": incoming.got, "intact": incoming.intact, "cancelled": incoming.cancelled}
            measured.append({**step, "kind": kind, "late_reader": late_got})
    room.readers[-1].close()
    return measured


async def run(target: population.Target, params: dict[str, Any]) -> dict[str, Any]:
    files = Files(target, params)
    found = {"throughput": await throughput(files), "chat": await chat(files), "slow": await slow(files)}
    return {"file_bytes": params["file_bytes"], "slow_file_bytes": params["slow_file_bytes"], **found}


if __name__ == "__main__":  # the files scenario's load generator: bench.loadgen, with this scenario
    loadgen.SCENARIOS["files"] = run
    sys.exit(loadgen.main(sys.argv))
