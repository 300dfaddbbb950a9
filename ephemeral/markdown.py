"""Chat text to message HTML: Markdown rendered by markdown-it-py, then the nh3 cleaner.

What a participant types is plain text with Markdown formatting. Raw HTML is
never interpreted (`html` is off), so a typed `<b>` is shown as `<b>`. The
output still goes through `sanitize.clean_message`, the one XSS boundary, so a
mistake here can cost formatting but never let through markup nh3 refuses.

The configuration is markdown-it's own (the "commonmark" preset and named
rules), so a client that renders for itself, as in server-blind rooms, can
configure the JavaScript markdown-it the same way and get the same HTML
(docs/decisions.md).

markdown-it-py is pure Python: 4,000 characters dense with marks cost tens of
milliseconds, and on a green-thread server nobody else is served meanwhile. So
a message is shown as typed, as text, when its Markdown would exceed a time
budget, the cleaner's bound on tags, or the parser's nesting limit
(bench/NOTES.md).
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from .sanitize import MAX_TAG_OPENINGS, clean_message, has_content

__all__ = ["DISABLED_RULES", "MAX_DELIMITER_RUN", "RENDER_BUDGET_SECONDS", "render_message"]

# Off, because in a chat they surprise or their tags are dropped by the cleaner
# (so what was typed would vanish): "# " and "===" headings, "---" rules,
# indented code ("code"), link reference definitions, raw HTML, and character
# references (a typed "&amp;" is shown as "&amp;", exactly as typed).
DISABLED_RULES: tuple[str, ...] = (
    "heading",
    "lheading",
    "hr",
    "code",
    "reference",
    "html_block",
    "html_inline",
    "entity",
)

# Time markdown-it may spend on one message. It is checked between parser
# steps, and one step scans the message at most once.
RENDER_BUDGET_SECONDS = 0.005

# markdown-it turns each character of an emphasis or strikethrough run into a
# token in one step, which the budget cannot interrupt: 4,000 "*" took 10 ms.
# A longer run is not formatting anyway.
MAX_DELIMITER_RUN = 64
_LONG_RUN = re.compile(rf"([*_~])\1{{{MAX_DELIMITER_RUN}}}")

# Besides the main chain, markdown-it runs block rules in these, asking whether
# a line ends the paragraph, blockquote or list it is in.
_BLOCK_CHAINS = ["paragraph", "reference", "blockquote", "list"]


class _OverBudget(Exception):
    """Raised inside the parser once the message's budget is spent."""


@dataclass(slots=True)
class _Budget:
    """A cheap wall clock to check often, and the thread's CPU time to confirm an overrun (None: the clock decides)."""

    clock: Callable[[], float]
    deadline: float
    cpu_clock: Callable[[], float] | None
    cpu_deadline: float


def _start_budget(clock: Callable[[], float] | None) -> _Budget:
    if clock is not None:  # a test's clock is the only judge
        return _Budget(clock, clock() + RENDER_BUDGET_SECONDS, None, 0.0)
    now, cpu_now = time.perf_counter(), time.thread_time()
    return _Budget(time.perf_counter, now + RENDER_BUDGET_SECONDS, time.thread_time, cpu_now + RENDER_BUDGET_SECONDS)


# A parse never yields to another greenlet; a context variable keeps each
# message's budget its own under threads too.
_BUDGET: ContextVar[_Budget | None] = ContextVar("markdown_budget", default=None)


def _spend() -> None:
    budget = _BUDGET.get()
    if budget is None or budget.clock() <= budget.deadline:
        return
    if budget.cpu_clock is None:
        raise _OverBudget
    # The wall clock also runs while another process has the core. Only the
    # parser's own CPU time decides (a system call, so read only here), so a
    # busy machine does not cost a message its formatting.
    cpu_left = budget.cpu_deadline - budget.cpu_clock()
    if cpu_left <= 0:
        raise _OverBudget
    budget.deadline = budget.clock() + cpu_left


def _block_checkpoint(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """First block rule: runs per block and per continuation line, never matches."""
    _spend()
    return False


def _inline_checkpoint(state: StateInline, silent: bool) -> bool:
    """First inline rule: runs per token, lookahead included, never matches."""
    _spend()
    return False


class _Parser(MarkdownIt):
    """markdown-it whose link normalization, once per link found, checks the budget too."""

    def normalizeLink(self, url: str) -> str:
        _spend()
        return super().normalizeLink(url)


class _Linkify(LinkifyIt):  # type: ignore[misc]  # linkify-it-py has no type information
    """linkify-it checking the budget per candidate link: it finds all of a text's links in one call."""

    def test_schema_at(self, text: str, name: str, position: int) -> int:
        _spend()
        return int(super().test_schema_at(text, name, position))


def _parser(*, linkify: bool) -> MarkdownIt:
    parser = _Parser(
        "commonmark",
        # breaks: a newline in a chat message is a line break, not a space.
        {"html": False, "breaks": True, "linkify": linkify, "typographer": False},
    )
    parser.enable(["strikethrough", "linkify"])
    parser.disable(list(DISABLED_RULES))
    # Only links written with their scheme: "file.py", "a.b", a bare address
    # and "www.example.org" stay text. ftp: and protocol-relative "//" links
    # are off too: the cleaner would drop their href.
    parser.linkify = _Linkify(options={"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
    parser.linkify.add("ftp:", None).add("//", None)
    block, inline = parser.block.ruler, parser.inline.ruler
    block.before(block.get_all_rules()[0], "budget", _block_checkpoint, {"alt": _BLOCK_CHAINS})
    inline.before(inline.get_all_rules()[0], "budget", _inline_checkpoint)
    return parser


_LINKING = _parser(linkify=True)
# Without "://" or "mailto:" nothing can be linkified, and linkify-it's
# Unicode-wide regexes would be most of the cost of a short message.
_NOT_LINKING = _parser(linkify=False)
_MAY_LINK = re.compile(r"://|mailto:", re.IGNORECASE)

# Every construct once, outside any budget: linkify-it compiles its regexes on
# first use, which alone would spend the first message's budget.
_WARM_UP = (
    "**b** _i_ ~~s~~ `c` [l](https://example.org) https://example.org/p mailto:a@example.org "
    "<https://example.org> ![i](https://example.org/i.png)\n> q\n- l\n1. o\n```\nf\n```"
)
_LINKING.render(_WARM_UP)
_NOT_LINKING.render(_WARM_UP)

# markdown-it ends every block with a line feed, for readable source. The client
# shows a message body with `white-space: pre-wrap`, where a line feed between
# two blocks is an empty line. Text and attribute values are escaped, so ">\n<"
# only ever stands between two tags.
_BLOCK_GAP = re.compile(r">\n+(?=<)")
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


_CONTAINERS = frozenset({"blockquote_open", "bullet_list_open", "ordered_list_open", "list_item_open"})


def _past_nesting_limit(parser: MarkdownIt, tokens: list[Token]) -> bool:
    """Whether a container opened at the nesting limit: markdown-it drops what it holds."""
    limit = int(parser.options["maxNesting"]) - 1
    return any(token.level >= limit and token.type in _CONTAINERS for token in tokens)


# One line that no enabled rule can act on: it starts with none of the block markers (a digit may start a list) or
# spaces, holds no inline marker (a lone "~" is none: strikethrough takes two), escape, entity or tag, and ends with
# no space. markdown-it would spend 100-250 µs
# to make it the paragraph `_plain_paragraph` writes at once (bench/NOTES.md), and most chat lines are like this.
_PLAIN_LINE = re.compile(r"[^\s\x00-\x1f\x7f\\`*_\[\]!<>&#=+\-|0-9]([^\s\x00-\x1f\x7f\\`*_\[\]<>&]| )*(?<!\s)")


def _is_plain_line(text: str) -> bool:
    """Whether Markdown would render `text` as one paragraph of just its own characters."""
    return _PLAIN_LINE.fullmatch(text) is not None and "~~" not in text and not _MAY_LINK.search(text)


def _plain_paragraph(text: str) -> str:
    """A plain line as markdown-it renders it: a paragraph, with `"` escaped as its renderer escapes it."""
    return "<p>" + text.replace('"', "&quot;") + "</p>"


def _markdown(text: str, clock: Callable[[], float] | None) -> str | None:
    """The message's Markdown as HTML, or None where it is shown as text instead."""
    if _is_plain_line(text):
        return _plain_paragraph(text)
    return _parsed(text, clock)


def _parsed(text: str, clock: Callable[[], float] | None) -> str | None:
    """What markdown-it makes of `text`, or None where it is shown as text instead."""
    if _LONG_RUN.search(text):
        return None
    parser = _LINKING if _MAY_LINK.search(text) else _NOT_LINKING
    budget = _BUDGET.set(_start_budget(clock))
    try:
        env: dict[str, object] = {}
        tokens = parser.parse(text, env)
        if _past_nesting_limit(parser, tokens):
            return None
        rendered = parser.renderer.render(tokens, parser.options, env)
    except _OverBudget:
        return None
    finally:
        _BUDGET.reset(budget)
    rendered = _BLOCK_GAP.sub(">", rendered).rstrip("\n")
    # Past the cleaner's bound its later tags would show up as text ("<li>").
    return rendered if rendered.count("<") <= MAX_TAG_OPENINGS else None


def _as_text(text: str) -> str:
    """The message as typed: escaped, a paragraph per blank line, line breaks kept."""
    paragraphs = _BLANK_LINE.split(html.escape(text.strip(), quote=False))
    return "".join("<p>" + "<br>".join(line.strip() for line in lines.split("\n")) + "</p>" for lines in paragraphs)


def render_message(text: str, *, clock: Callable[[], float] | None = None) -> str:
    """A participant sends chat text; returns its Markdown as HTML safe for innerHTML.

    Where the Markdown would be too costly, or would show nothing of the text
    (a lone ">", "-" or "1."), the whole message is shown as typed instead;
    either way nh3 cleans the result. A test may pass `clock` to be the only
    judge of the time budget.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    rendered = _markdown(text, clock)
    if rendered is not None:
        cleaned = clean_message(rendered)
        if has_content(cleaned):
            return cleaned
    return clean_message(_as_text(text))
