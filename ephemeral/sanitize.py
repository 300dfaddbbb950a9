"""The one HTML cleaner: chat text in, allowlisted HTML out.

The client inserts the result with ``innerHTML``, so everything here is the
XSS boundary. nh3 (ammonia + html5ever) parses like a browser does; this module
only pins the allowlist and adds the one rule nh3 cannot express: media sources
must be https while links may also be http or mailto.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

import nh3

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "LINK_REL", "clean_message", "has_content"]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "b", "strong", "i", "em", "u", "s", "del", "ins", "mark", "small",
        "sub", "sup", "code", "pre", "kbd", "blockquote", "q", "br", "p",
        "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "span",
        "a", "img", "video", "audio",
    }
)  # fmt: skip

# "*" maps to nh3's generic attributes; empty drops ammonia's default lang/title.
# No width/height on img: a sender-chosen size could cover the chat layout, and
# the client's CSS sizes media anyway.
ALLOWED_ATTRIBUTES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "*": frozenset(),
        "a": frozenset({"href"}),
        "img": frozenset({"src", "alt"}),
        "video": frozenset({"src", "controls"}),
        "audio": frozenset({"src", "controls"}),
    }
)

LINK_REL = "noopener noreferrer nofollow"

# Elements whose whole subtree is dropped instead of unwrapped: raw-text and
# RCDATA elements (their content would otherwise show up as escaped markup),
# plus containers whose parsing rules breed mutation XSS (template, svg, math).
_DROP_WITH_CONTENT: frozenset[str] = frozenset(
    {
        "script", "style", "template", "noscript", "iframe", "noembed",
        "noframes", "xmp", "plaintext", "title", "textarea", "select",
        "object", "applet", "svg", "math",
    }
)  # fmt: skip

_MEDIA_TAGS: frozenset[str] = frozenset({"img", "video", "audio"})

# What a browser's URL parser ignores: leading C0 controls and spaces, and
# tab/LF/CR anywhere. Stripping the same lets the https check see what the
# browser would fetch.
_LEADING_IGNORED = "".join(chr(c) for c in range(0x21))
_INNER_IGNORED = str.maketrans("", "", "\t\n\r")


def _media_https_only(tag: str, attribute: str, value: str) -> str | None:
    """nh3 calls this per surviving attribute; media ``src`` is kept only if https.

    nh3 has already rejected schemes outside the global allowlist by the time
    this runs, and does not re-check what we return, so return ``value``
    unchanged or ``None``, never a rewritten URL.
    """
    if attribute != "src" or tag not in _MEDIA_TAGS:
        return value
    seen = value.lstrip(_LEADING_IGNORED).translate(_INNER_IGNORED)
    return value if seen[:8].lower() == "https://" else None


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(_DROP_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_media_https_only,
    strip_comments=True,
    link_rel=LINK_REL,
    generic_attribute_prefixes=set(),
    url_schemes={"http", "https", "mailto"},
    # A message link must be absolute: relative and protocol-relative URLs
    # would resolve against the chat's own origin or an unseen host.
    url_relative="deny",
)


# html5ever looks for an open <p> through the whole stack of open elements at
# every block start tag, so nested blocks cost the square of their depth: 4,000
# characters of "<ul>" took 2.5 ms, while nobody else is served. Past this many
# "<" a message's markup is shown as text instead (bench/RESULTS.md).
MAX_TAG_OPENINGS = 512


def _bound_markup(text: str) -> str:
    """Escape every "<" after the first MAX_TAG_OPENINGS; nh3 still cleans the result.

    Escaping only ever turns markup into text, so it cannot let anything through
    that nh3 would remove; a "<" that was already text renders the same.
    """
    if text.count("<") <= MAX_TAG_OPENINGS:
        return text
    pieces = text.split("<", MAX_TAG_OPENINGS)
    return "<".join(pieces[:MAX_TAG_OPENINGS]) + "<" + pieces[MAX_TAG_OPENINGS].replace("<", "&lt;")


def clean_message(text: str) -> str:
    """A participant sends chat text; returns HTML safe to insert with innerHTML.

    Lone surrogates (possible in a decoded JSON payload) make nh3 raise
    UnicodeEncodeError, so only then are they replaced with U+FFFD and the
    clean retried; the common path pays nothing for it.
    """
    bounded = _bound_markup(text)
    try:
        return _CLEANER.clean(bounded)
    except UnicodeEncodeError:
        repaired = bounded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        return _CLEANER.clean(repaired)


_TAG = re.compile(r"<[^>]*>")
_MEDIA = re.compile(r"<(img|video|audio)\b[^>]*\ssrc=")


def has_content(html: str) -> bool:
    """Whether cleaned HTML shows anything: text, or media with a source."""
    return bool(_TAG.sub("", html).strip()) or bool(_MEDIA.search(html))
