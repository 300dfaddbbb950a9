"""Server CPU per message in a server-blind room against a standard one, at the same load, on the same server.

As many standard rooms as server-blind ones, two clients each, all connected at
once, so every step runs against the same process with the same idle sockets.
Steps alternate, standard then server-blind, `rounds` times per body, so a slow
drift of the machine hits both kinds alike. A standard room's client sends text
(the server renders its Markdown and sanitizes it); a server-blind room's client
seals the same text with `ephemeral_client.crypto` (the page's crypto, mirrored)
and sends the envelope, whose shape is all the server checks before relaying it.
Receivers open each envelope before they count it, as a page would. Every room of
a kind shares one key (one password, salt and link secret): the server cannot
tell, and deriving 600,000 PBKDF2 rounds per room would only slow the set-up.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ephemeral_client import crypto

from . import api_client, corpus, population, wire
from .driver import Driver, Tally

BODIES = {"plain_100": corpus.PLAIN, "formatted_2k": corpus.FORMATTED_MARKDOWN}
PER_ROOM = 2
_MESSAGE = '42["message",'


@dataclass(frozen=True, slots=True)
class Keys:
    """What every server-blind room of the run is made with."""

    salt: bytes
    link_secret: bytes
    verifier: str
    message_key: bytes = field(repr=False)

    @classmethod
    def new(cls, password: str = population.PASSWORD) -> Keys:
        salt, link = crypto.new_salt(), crypto.new_link_secret()
        derived = crypto.derive_keys(password, salt, crypto.ITER_MIN, link)
        return cls(salt, link, derived.verifier, derived.message_key)

    def create_body(self, alias: str, name: str) -> dict[str, Any]:
        kdf = {"alg": "pbkdf2-sha256", "iter": crypto.ITER_MIN, "salt": crypto.b64url_encode(self.salt)}
        name_ct = crypto.seal_name(self.message_key, self.salt, name)
        return {"alias": alias, "mode": "e2e", "kdf": kdf, "verifier": self.verifier, "name_ct": name_ct}


@dataclass(frozen=True, slots=True)
class BlindSeat:
    room: str
    cookie: str
    participant_id: str
    alias: str


async def make_blind_rooms(target: population.Target, rooms: int, keys: Keys) -> list[list[BlindSeat]]:
    """`rooms` server-blind rooms of PER_ROOM seats, over the JSON API; each request from its own address."""
    gate = asyncio.Semaphore(population.SETUP_CONCURRENCY)

    async def post(path: str, body: dict[str, Any], source: api_client.Addresses, status: int) -> api_client.Answer:
        async with gate:
            for _attempt in range(population.SETUP_RETRIES):
                answer = await api_client.post_json(population.HOST, target.port, path, body, source.next())
                if answer.status != 429:
                    break
                await asyncio.sleep(0.05)
        if answer.status != status or not answer.cookie:
            raise RuntimeError(f"{path} answered {answer.status} {answer.body.get('error')}")
        return answer

    def seat(answer: api_client.Answer, alias: str) -> BlindSeat:
        assert answer.cookie is not None
        return BlindSeat(str(answer.body["room_id"]), answer.cookie, str(answer.body["participant_id"]), alias)

    created = await asyncio.gather(
        *(post("/api/rooms", keys.create_body("s0", f"blind {r}"), target.creators, 201) for r in range(rooms))
    )
    firsts = [seat(answer, "s0") for answer in created]

    async def join(first: BlindSeat, s: int) -> BlindSeat:
        body = {"alias": f"s{s}", "verifier": keys.verifier}
        return seat(await post(f"/api/rooms/{first.room}/join", body, target.joiners, 200), f"s{s}")

    others = await asyncio.gather(*(join(first, s) for first in firsts for s in range(1, PER_ROOM)))
    return [[first, *others[r * (PER_ROOM - 1) : (r + 1) * (PER_ROOM - 1)]] for r, first in enumerate(firsts)]


def opener(room_id: str, key: bytes, on_text: Callable[[str], None]) -> wire.OnFrame:
    """A receiver's handler: open the relayed envelope for this room and hand its text on."""

    def on_frame(frame: str) -> None:
        relayed = json.loads(frame[len(_MESSAGE) : -1])
        on_text(crypto.open_message(key, room_id, relayed["from"], relayed["e2e"])["t"])

    return on_frame


class SealedSender:
    """What a page of a server-blind room sends: each text sealed with its `sid` and the next `n`."""

    def __init__(self, client: population.Client, seat: BlindSeat, key: bytes) -> None:
        self.client, self.seat, self.key = client, seat, key
        self.sid = crypto.new_sid()
        self.n = 0

    def send(self, text: str, on_ack: Callable[[bool], None]) -> None:
        message = {"a": self.seat.alias, "t": text, "ts": int(time.time() * 1000)}
        envelope = crypto.seal_message(self.key, self.seat.room, self.seat.participant_id, self.sid, self.n, message)
        self.n += 1
        assert self.client.sio is not None
        future = self.client.sio.emit_with_ack("message", json.dumps({"e2e": envelope}, separators=(",", ":")))
        future.add_done_callback(lambda f: on_ack(not f.cancelled() and f.exception() is None and _ok(f.result())))


def _ok(ack_text: str) -> bool:
    answer = json.loads(ack_text)
    return bool(answer) and isinstance(answer[0], dict) and answer[0].get("ok") is True


async def _connect(target: population.Target, seat: BlindSeat, on_message: wire.OnFrame) -> population.Client:
    client = population.Client(target, on_message)
    await client.connect(target, population.Seat(seat.room, seat.cookie))
    return client


def _text(body: str) -> Callable[[str], str]:
    return lambda stamp: f"{stamp} {body}"[: corpus.LIMIT]


async def run(target: population.Target, params: dict[str, Any]) -> dict[str, Any]:
    rooms = int(params["rooms"])
    tally = Tally()
    keys = Keys.new()
    standard_seats = await population.make_rooms(target, rooms, PER_ROOM, tag="standard")
    blind_seats = await make_blind_rooms(target, rooms, keys)
    standard = await population.connect_all(target, [s for room in standard_seats for s in room], tally.on_message)
    if standard.failures:
        raise RuntimeError(f"{standard.failures} sockets failed to connect")
    gate = asyncio.Semaphore(population.CONNECT_CONCURRENCY)

    async def connect(seat: BlindSeat) -> SealedSender:
        async with gate:
            client = await _connect(target, seat, opener(seat.room, keys.message_key, tally.on_message))
        return SealedSender(client, seat, keys.message_key)

    sealed = await asyncio.gather(*(connect(seat) for room in blind_seats for seat in room))
    drivers = {
        "standard": Driver(target, tally, standard.clients, PER_ROOM),
        "e2e": Driver(target, tally, sealed, PER_ROOM),  # type: ignore[arg-type]  # a sender is all Driver uses
    }
    await asyncio.sleep(0.5)
    rate = PER_ROOM * rooms * float(params["per_client_per_s"])
    bodies = {name: BODIES[name] for name in params.get("bodies", BODIES)}
    results: dict[str, dict[str, list[Any]]] = {name: {kind: [] for kind in drivers} for name in bodies}
    for name, body in bodies.items():
        for _round in range(int(params["rounds"])):
            for kind, driver in drivers.items():
                step = await driver.step(
                    rate, float(params["seconds"]), float(params["drain_seconds"]), float("inf"), _text(body)
                )
                results[name][kind].append(step)
                await driver.quiet()
                await asyncio.sleep(float(params.get("pause_seconds", 0.5)))
    for client in [*standard.clients, *(sender.client for sender in sealed)]:
        client.close()
    return {"rooms_per_kind": rooms, "clients_per_room": PER_ROOM, "messages_per_s": rate, "bodies": results}
