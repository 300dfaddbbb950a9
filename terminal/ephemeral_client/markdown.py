"""What a sender types, as HTML, in server-blind rooms where the server cannot render it: markdown-it-py set up
as the page's static/js/e2e/markdown.js (and the server's markdown), so a message from the terminal looks
as one from a browser. Not a safety boundary: every reader cleans what it opens."""

from __future__ import annotations

import html
import re

from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = ["to_html"]

DISABLED_RULES = ["heading", "lheading", "hr", "code", "reference", "html_block", "html_inline", "entity"]
_LONG_RUN = re.compile(r"([*_~])\1{64}")
MAX_TAG_OPENINGS = 512
_MAY_LINK = re.compile(r"://|mailto:", re.IGNORECASE)
_CONTAINERS = frozenset({"blockquote_open", "bullet_list_open", "ordered_list_open", "list_item_open"})
_BLOCK_GAP = re.compile(r">\n+(?=<)")
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
_TAG = re.compile(r"<[^>]*>")
_MEDIA = re.compile(r"<(img|video|audio)\b[^>]*\ssrc=\"https://", re.IGNORECASE)


def _parser(*, linkify: bool) -> MarkdownIt:
    # breaks: a newline in a chat message is a line break, not a space.
    parser = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": linkify, "typographer": False})
    parser.enable(["strikethrough", "linkify"])
    parser.disable(DISABLED_RULES)
    # Only links written with their scheme: "file.py" and "www.example.org" stay text.
    parser.linkify = LinkifyIt(options={"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
    parser.linkify.add("ftp:", None).add("//", None)
    return parser


_LINKING = _parser(linkify=True)
_NOT_LINKING = _parser(linkify=False)


def _as_text(text: str) -> str:
    """The message as typed: escaped, a paragraph per blank line, line breaks kept."""
    paragraphs = _BLANK_LINE.split(html.escape(text.strip(), quote=False))
    return "".join("<p>" + "<br>".join(line.strip() for line in lines.split("\n")) + "</p>" for lines in paragraphs)


def _past_nesting_limit(parser: MarkdownIt, tokens: list[Token]) -> bool:
    limit = int(parser.options["maxNesting"]) - 1
    return any(token.level >= limit and token.type in _CONTAINERS for token in tokens)


def _markdown(text: str) -> str | None:
    if _LONG_RUN.search(text):
        return None
    parser = _LINKING if _MAY_LINK.search(text) else _NOT_LINKING
    env: dict[str, object] = {}
    tokens = parser.parse(text, env)
    if _past_nesting_limit(parser, tokens):
        return None
    rendered = _BLOCK_GAP.sub(">", parser.renderer.render(tokens, parser.options, env)).rstrip("\n")
    return rendered if rendered.count("<") <= MAX_TAG_OPENINGS else None


def _shows_something(rendered: str) -> bool:
    return bool(_TAG.sub("", rendered).strip()) or bool(_MEDIA.search(rendered))


def to_html(text: str, max_html: int | None = None) -> str:
    """`text` as the page's toHtml makes it: Markdown, or escaped text where that would show nothing, exceed
    the bounds or be longer than `max_html` characters."""
    typed = text.replace("\r\n", "\n").replace("\r", "\n")
    rendered = _markdown(typed)
    if rendered is not None and _shows_something(rendered) and (max_html is None or len(rendered) <= max_html):
        return rendered
    return _as_text(typed)
