"""Message bodies for the sanitizer and per-message CPU measurements.

`HOSTILE` holds the worst inputs found for nh3 (html5ever) at the message
length limit; each is exactly `LIMIT` characters. Deeply nested block elements
are the expensive case: every block start tag makes the parser look for an open
`<p>` through the whole stack of open elements, so the cost grows with the
square of the nesting depth.
"""

from __future__ import annotations

LIMIT = 4000


def _fit(unit: str, length: int = LIMIT) -> str:
    return (unit * (length // len(unit) + 1))[:length]


PLAIN = "Hello everyone! The meeting moved to 3pm; bring the slides and the coffee. See you there, ok? Thanks."[:100]

FORMATTED = _fit(
    "<p>Notes from <b>today</b>, with <i>emphasis</i>, <code>inline code</code> and a "
    '<a href="https://example.org/notes">link</a>:</p><ul><li>first point</li><li>second '
    "<em>point</em></li></ul><blockquote>a quoted line</blockquote>",
    2048,
)

HOSTILE: dict[str, str] = {
    "nested_lists": _fit("<ul>"),
    "nested_list_items": _fit("<ul><li>"),
    "nested_divs": _fit("<div>"),
    "nested_formatting": _fit("<b><i><u><s><em><strong><small><sub><sup><mark>"),
    "misnested": _fit("<a href=http://a><b><i></a></b>x"),
    "https_media": _fit("<img src=https://a alt=b>"),
    "script_and_handlers": _fit('<img src="javascript:alert(1)" onerror=alert(1)><script>alert(1)</script>'),
    "svg_math": _fit("<svg><g><math><mi>x"),
    "table_foster": _fit("<table><tr><td>x<p>y"),
}

# Markdown, what a client sends since messages are text with Markdown: the
# formatted message above written the way a participant would type it.
FORMATTED_MARKDOWN = _fit(
    "Notes from **today**, with _emphasis_, `inline code` and a [link](https://example.org/notes):\n\n"
    "- first point\n- second *point*\n\n> a quoted line\n\n",
    2048,
)

# The worst inputs found for markdown-it-py at the length limit (each exactly
# `LIMIT` characters): long runs of marks, lookahead that scans to the end of
# the message (link labels and destinations, bare-URL schemes), and many lines
# in deep containers. Before the render budget the worst took 100-200 ms.
HOSTILE_MARKDOWN: dict[str, str] = {
    "deep_quotes_lazy_lines": _fit("> " * 19 + "a\n" + "a\n" * LIMIT),
    "nested_quotes": _fit(">"),
    "nested_lists": _fit("- "),
    "nested_list_lines": "".join("  " * i + "- a\n" for i in range(LIMIT))[:LIMIT],
    "line_breaks": _fit("a\n"),
    "star_run": _fit("*"),
    "emphasis_pairs": _fit("**a"),
    "mixed_emphasis": _fit("*_"),
    "strikethrough_pairs": _fit("~~a"),
    "open_brackets": _fit("["),
    "open_images": _fit("!["),
    "unclosed_links": _fit("[]("),
    "long_destinations": _fit("[](" * 3 + "a" * 60),
    "backtick_runs": "".join("`" * n + "a" for n in range(1, LIMIT))[:LIMIT],
    "angle_brackets": _fit("<"),
    "entities": _fit("&amp;"),
    "schemes_without_hosts": _fit("a://"),
    "many_urls": _fit("https://example.org/x "),
    "many_links": _fit("[a](https://example.org/) "),
    "many_mailtos": _fit("mailto:a@example.org "),
    "long_url": _fit("https://example.org/" + "a" * LIMIT),
}
