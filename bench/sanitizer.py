"""Per-message CPU in this process: the render path against the sanitizer alone, per input.

The render path (`render_message`: Markdown by markdown-it-py, then
`clean_message`, then the emptiness check) is the work Ephemeral does per
message on top of the floor; the sanitizer alone (`clean_message` and the
emptiness check, what a message cost before Markdown) is measured on the same
input in the same run as its baseline. On a green-thread server nobody else is
served while either runs.
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
    samples.sort()
    return samples


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 4)


def _p99(samples: list[float]) -> float:
    return samples[max(0, int(len(samples) * 0.99) - 1)]


def _time(text: str, repeat: int) -> dict[str, float]:
    from ephemeral.markdown import _LINKING, _MAY_LINK, _NOT_LINKING, render_message
    from ephemeral.sanitize import _CLEANER, clean_message, has_content

    # nh3 on the raw text, without clean_message's markup bound: what the bound saves.
    unbounded = _samples(lambda: _CLEANER.clean(text), repeat)
    sanitized = _samples(lambda: has_content(clean_message(text)), repeat)
    rendered = _samples(lambda: has_content(render_message(text)), repeat)
    # markdown-it alone without the render budget: what the budget saves. The
    # worst inputs take 100+ ms that way, so fewer samples.
    parser = _LINKING if _MAY_LINK.search(text) else _NOT_LINKING
    markdown = _samples(lambda: parser.render(text), max(3, repeat // 20))
    return {
        "median_ms": _ms(statistics.median(sanitized)),
        "p99_ms": _ms(_p99(sanitized)),
        "min_ms": _ms(sanitized[0]),
        "nh3_unbounded_median_ms": _ms(statistics.median(unbounded)),
        "render_median_ms": _ms(statistics.median(rendered)),
        "render_p99_ms": _ms(_p99(rendered)),
        "render_min_ms": _ms(rendered[0]),
        "markdown_unbounded_median_ms": _ms(statistics.median(markdown)),
    }


def _worst(variants: dict[str, dict[str, float]], key: str) -> dict[str, Any]:
    name = max(variants, key=lambda n: variants[n][key])
    return {**variants[name], "input": name}


def run(repeat: int) -> dict[str, Any]:
    hostile = {name: _time(text, repeat) for name, text in corpus.HOSTILE.items()}
    hostile_markdown = {name: _time(text, repeat) for name, text in corpus.HOSTILE_MARKDOWN.items()}
    return {
        "repeat": repeat,
        "plain_100": _time(corpus.PLAIN, repeat * 10),
        "formatted_2k": _time(corpus.FORMATTED, repeat),
        "formatted_markdown_2k": _time(corpus.FORMATTED_MARKDOWN, repeat),
        "hostile_4k": _worst(hostile, "median_ms"),
        "hostile_variants": hostile,
        "hostile_markdown_variants": hostile_markdown,
        # The worst 4,000 characters for the render path, HTML or Markdown.
        "render_hostile_4k": _worst({**hostile, **hostile_markdown}, "render_median_ms"),
    }
