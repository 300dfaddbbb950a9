"""Honest joins during a paying guessing storm: `python -m bench.honest_joins [--seconds N] [--async-mode M]`.

A guesser spread over `--addresses` loopback addresses (6) sends wrong passwords
to one room at `--rate` guesses a second (0.8) and pays every proof of work it is
asked for, as native code pays it cheaply. It opens with a burst that spends the
room's wrong-password budget, then keeps it spent: faster than the room's refill
(30/60, 0.5 a second). Meanwhile a person joins with the right password every
`--every` seconds from an address of their own, paying the proof as the join
page does, once: the answer after the proof is what they see. Prints how many
of them got in, how many were refused, and how long they waited.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from . import api_client, procs
from .stats import latency_ms

HOST = "127.0.0.1"
PASSWORD = "the right one"


def _solve(challenge: str, difficulty: int) -> str:
    for counter in itertools.count():
        proof = f"{challenge}:{counter}"
        digest = int.from_bytes(hashlib.sha256(proof.encode("ascii")).digest(), "big")
        if digest >> (256 - difficulty) == 0:
            return proof
    raise AssertionError("unreachable")


async def _join(port: int, room_id: str, alias: str, password: str, source: str) -> api_client.Answer:
    """One join as the page makes it: a 428 is answered once with the proof it asks for."""
    path, body = f"/api/rooms/{room_id}/join", {"alias": alias, "password": password}
    answer = await api_client.post_json(HOST, port, path, body, source, timeout=60)
    if answer.status == 428:
        proof = await asyncio.to_thread(_solve, answer.body["challenge"], int(answer.body["difficulty"]))
        answer = await api_client.post_json(HOST, port, path, {**body, "proof": proof}, source, timeout=60)
    return answer


async def _measure(port: int, args: argparse.Namespace) -> dict[str, Any]:
    created = await api_client.post_json(
        HOST, port, "/api/rooms", {"name": "stormed", "alias": "host", "password": PASSWORD}, "127.0.0.1"
    )
    room_id = created.body["room_id"]
    guessers = [f"127.66.0.{n + 1}" for n in range(args.addresses)]
    people = api_client.Addresses(67)
    guesses: Counter[int] = Counter()
    stop = asyncio.Event()

    async def guess(n: int) -> None:
        answer = await _join(port, room_id, f"eve{n}", f"wrong {n}", guessers[n % len(guessers)])
        guesses[answer.status] += 1

    async def storm() -> None:
        # The opening burst spends the room's budget (30) from every address's own (10 each).
        await asyncio.gather(*(guess(n) for n in range(args.burst)))
        tasks, began = [], time.perf_counter()
        for n in itertools.count(args.burst):
            if stop.is_set():
                break
            tasks.append(asyncio.create_task(guess(n)))
            await asyncio.sleep(max(0.0, began + (n - args.burst + 1) / args.rate - time.perf_counter()))
        await asyncio.gather(*tasks)

    outcomes: Counter[str] = Counter()
    waits: list[float] = []

    async def person(n: int) -> None:
        began = time.perf_counter()
        answer = await _join(port, room_id, f"person {n}", PASSWORD, people.next())
        outcomes[f"{answer.status} {answer.body.get('error', '')}".strip()] += 1
        if answer.status == 200:
            waits.append(time.perf_counter() - began)

    storming = asyncio.create_task(storm())
    await asyncio.sleep(args.warmup)
    joins = []
    for n in range(args.people):
        joins.append(asyncio.create_task(person(n)))
        await asyncio.sleep(args.every)
    await asyncio.gather(*joins)
    stop.set()
    await storming
    return {
        "people": args.people,
        "honest": dict(sorted(outcomes.items())),
        "honest_wait_ms": latency_ms(waits),
        "guesses": {str(status): count for status, count in sorted(guesses.items())},
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.honest_joins")
    parser.add_argument("--async-mode", default="gevent", choices=("gevent", "eventlet"))
    parser.add_argument("--addresses", type=int, default=6)
    parser.add_argument("--rate", type=float, default=0.8, help="guesses a second, after the opening burst")
    parser.add_argument("--burst", type=int, default=36, help="guesses at once, at the start")
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--every", type=float, default=3.0, help="seconds between two honest joins")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of storm before the first person")
    parser.add_argument("--cost", default="12", help="bcrypt cost")
    args = parser.parse_args(argv)
    env = {"EPHEMERAL_BCRYPT_COST": args.cost}
    with tempfile.TemporaryDirectory() as logs, procs.running("ephemeral", Path(logs), args.async_mode, env) as srv:
        result = asyncio.run(_measure(srv.port, args))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
