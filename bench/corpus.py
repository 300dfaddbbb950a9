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
