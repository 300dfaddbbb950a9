"""Whether a wrong admin token is refused in a time that tells where it is wrong (`--only admin_token`).

`ephemeral/admin.py` compares SHA-256 digests of the given and the configured
token with `hmac.compare_digest`, so neither how far a guess matches nor how
long it is should show in the time of its 401. Three wrong tokens, each the
right one changed in one way: its first byte, its last byte, or one byte longer.

Two measurements, side by side with each median's ratio to the first-byte one:

- over HTTP, against a real Ephemeral process with the token set: many
  `GET /api/admin/reports` on one kept-alive connection, the three kinds
  interleaved in a new random order each round, timed by the client;
- the comparison function alone (`token_matches`), in a tight loop in this
  process: the same question without the network's noise.

Not run by default (it is no target of the suite); `python -m bench --only admin_token`.
"""

from __future__ import annotations

import http.client
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import procs

TOKEN = "b" * 64  # what `openssl rand -hex 32` makes: 64 characters
WRONG = {
    "first byte": "a" + TOKEN[1:],
    "last byte": TOKEN[:-1] + "a",
    "one byte longer": TOKEN + "b",
}
# Requests per kind over HTTP, and calls per kind of the function alone (in batches of `BATCH`), by profile.
SIZES = {"full": (5000, 2000), "quick": (1000, 500), "tiny": (100, 50)}
BATCH = 1000


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _figures(samples: dict[str, list[float]], unit: str) -> dict[str, Any]:
    """Median and p90 per kind, and each median over the first-byte one."""
    medians = {kind: statistics.median(found) for kind, found in samples.items()}
    base = medians["first byte"]
    return {
        "unit": unit,
        "samples": len(next(iter(samples.values()))),
        "median": {kind: round(value, 3) for kind, value in medians.items()},
        "p90": {kind: round(_percentile(found, 0.9), 3) for kind, found in samples.items()},
        "ratio": {kind: round(value / base, 4) for kind, value in medians.items()},
    }


def _over_http(port: int, rounds: int) -> dict[str, list[float]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    samples: dict[str, list[float]] = {kind: [] for kind in WRONG}
    kinds = list(WRONG)
    order = random.Random(17)
    try:
        for n in range(rounds + rounds // 10):  # the first tenth warms up and is not kept
            order.shuffle(kinds)
            for kind in kinds:
                headers = {"Authorization": f"Bearer {WRONG[kind]}"}
                began = time.perf_counter_ns()
                connection.request("GET", "/api/admin/reports", headers=headers)
                answer = connection.getresponse()
                answer.read()
                took = time.perf_counter_ns() - began
                if answer.status != 401:
                    raise RuntimeError(f"a wrong token was answered {answer.status}")
                if n >= rounds // 10:
                    samples[kind].append(took / 1000)  # µs
    finally:
        connection.close()
    return samples


def _alone(batches: int) -> dict[str, list[float]]:
    from ephemeral.admin import token_matches

    samples: dict[str, list[float]] = {kind: [] for kind in WRONG}
    kinds = list(WRONG)
    order = random.Random(17)
    for _ in range(batches):
        order.shuffle(kinds)
        for kind in kinds:
            given = WRONG[kind]
            began = time.perf_counter_ns()
            for _ in range(BATCH):
                token_matches(given, TOKEN)
            samples[kind].append((time.perf_counter_ns() - began) / BATCH)  # ns per call
    return samples


def run(profile: str, work: Path, async_mode: str, log: Callable[[str], None]) -> dict[str, Any]:
    rounds, batches = SIZES.get(profile, SIZES["quick"])
    env = {"EPHEMERAL_ADMIN_TOKEN": TOKEN}
    with procs.running("ephemeral", work / "servers", async_mode, env) as server:
        http_figures = _figures(_over_http(server.port, rounds), "µs")
    alone = _figures(_alone(batches), "ns")
    result = {"http": http_figures, "compare": alone}
    for line in table(result):
        log("  " + line)
    return result


def table(result: dict[str, Any]) -> list[str]:
    """The medians side by side, each with its ratio to the first-byte one."""
    lines = ["| | " + " | ".join(WRONG) + " |", "|---|" + "---|" * len(WRONG)]
    for key, label in (("http", "401 over HTTP"), ("compare", "`token_matches` alone")):
        block = result[key]
        cells = [f"{block['median'][kind]:.3f} {block['unit']} ({block['ratio'][kind]:.3f}x)" for kind in WRONG]
        lines.append(f"| {label}, median of {block['samples']} | " + " | ".join(cells) + " |")
    return lines


def markdown(result: dict[str, Any]) -> list[str]:
    return [
        "## Admin token: a wrong token's time by where it is wrong",
        "",
        "A wrong token differing from the right one (64 characters) at its first byte, at its last byte, or one byte "
        "longer; medians, each with its ratio to the first-byte one. Ratios near 1.00 say the time tells nothing.",
        "",
        *table(result),
        "",
    ]
