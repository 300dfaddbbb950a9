"""Sanitizer timing, in this process: `clean_message` plus the emptiness check, per input.

This is the work Ephemeral does per message on top of the floor, and on a
green-thread server nobody else is served while it runs.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from . import corpus


def _samples(work: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        samples.append(time.perf_counter() - began)
    return samples


def _time(text: str, repeat: int) -> dict[str, float]:
    from ephemeral.sanitize import _CLEANER, clean_message, has_content

    # nh3 on the raw text, without clean_message's markup bound: what the bound saves.
    unbounded = sorted(_samples(lambda: _CLEANER.clean(text), repeat))
    samples = _samples(lambda: has_content(clean_message(text)), repeat)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples) * 1000, 4),
        "p99_ms": round(samples[max(0, int(len(samples) * 0.99) - 1)] * 1000, 4),
        "min_ms": round(samples[0] * 1000, 4),
        "nh3_unbounded_median_ms": round(statistics.median(unbounded) * 1000, 4),
    }


def run(repeat: int) -> dict[str, Any]:
    hostile = {name: _time(text, repeat) for name, text in corpus.HOSTILE.items()}
    worst = max(hostile, key=lambda name: hostile[name]["median_ms"])
    return {
        "repeat": repeat,
        "plain_100": _time(corpus.PLAIN, repeat * 10),
        "formatted_2k": _time(corpus.FORMATTED, repeat),
        "hostile_4k": {**hostile[worst], "input": worst},
        "hostile_variants": hostile,
    }
