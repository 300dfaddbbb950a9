"""The message contract: text with Markdown in, what was typed out, formatted.

Raw HTML is shown as text, exactly as typed; Markdown becomes the allowlisted
tags; whatever comes out still passed nh3. Assertions re-parse the output, so
they see what a browser's text and attributes would be.
"""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ephemeral.markdown import _LINKING, _MAY_LINK, _NOT_LINKING, render_message
from ephemeral.sanitize import ALLOWED_TAGS

REL = "noopener noreferrer nofollow"
# Where a browser starts a new line: the parsed text gets a space there.
_BREAKS = frozenset({"p", "br", "li", "blockquote", "pre", "ul", "ol"})


class _Read(HTMLParser):
    """What a browser would show and which tags and attributes it would build."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.data: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in _BREAKS:
            self.text.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BREAKS:
            self.text.append(" ")

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        self.data.append(data)


def _read(output: str) -> _Read:
    reader = _Read()
    reader.feed(output)
    reader.close()
    return reader


def visible(output: str) -> str:
    """The text a reader sees, with whitespace collapsed as a browser does outside <pre>."""
    return " ".join("".join(_read(output).text).split())


def hrefs(output: str) -> list[str | None]:
    return [attrs.get("href") for tag, attrs in _read(output).tags if tag == "a"]


def tags(output: str) -> list[str]:
    return [tag for tag, _ in _read(output).tags]


# --- raw HTML is text -----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "<",
        ">",
        "&",
        '"',
        "'",
        "<>&\"'",
        "Vec<String> and Option<T>; a<b>c",
        "if a < b && c > d then 'x' else \"y\"",
        "<b>bold words</b>",
        "<i>not italic</i> <u>nor underlined</u>",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<!-- a comment -->",
        "&amp;",
        "&lt;b&gt;",
        "&copy; &#169; &#x3C;",
        "<div>",
        "</p>",
    ],
)
def test_html_and_entities_arrive_exactly_as_typed(typed: str) -> None:
    output = render_message(typed)
    assert "".join(_read(output).data) == typed
    assert tags(output) == ["p"]


@given(st.text(alphabet="abcXYZ019 <>&\"'", max_size=80))
def test_html_characters_are_text_wherever_they_stand(tail: str) -> None:
    typed = "x" + tail  # a line starting with ">" would be a quote
    assert visible(render_message(typed)) == " ".join(typed.split())


# --- the Markdown a chat uses ---------------------------------------------------------

LINK = f'rel="{REL}"'


@pytest.mark.parametrize(
    ("typed", "html"),
    [
        pytest.param("plain words", "<p>plain words</p>", id="plain"),
        pytest.param("**bold**", "<p><strong>bold</strong></p>", id="strong"),
        pytest.param("__bold__", "<p><strong>bold</strong></p>", id="strong-underscore"),
        pytest.param("_it_ and *it*", "<p><em>it</em> and <em>it</em></p>", id="em"),
        pytest.param("~~gone~~", "<p><s>gone</s></p>", id="strikethrough"),
        pytest.param("`x<y`", "<p><code>x&lt;y</code></p>", id="code"),
        pytest.param(
            "```\n<script>alert(1)</script>\n```",
            "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>",
            id="fence",
        ),
        pytest.param("```py\nx = 1\n```", "<pre><code>x = 1\n</code></pre>", id="fence-language-dropped"),
        pytest.param("> q", "<blockquote><p>q</p></blockquote>", id="quote"),
        pytest.param("- a\n- b", "<ul><li>a</li><li>b</li></ul>", id="list"),
        pytest.param("1. a\n2. b", "<ol><li>a</li><li>b</li></ol>", id="ordered-list"),
        pytest.param("a\nb", "<p>a<br>\nb</p>", id="line-break"),
        pytest.param("a\n\nb", "<p>a</p><p>b</p>", id="paragraphs"),
        pytest.param(
            "https://example.org/x",
            f'<p><a href="https://example.org/x" {LINK}>https://example.org/x</a></p>',
            id="bare-url",
        ),
        pytest.param(
            "[a link](https://example.org/page)",
            f'<p><a href="https://example.org/page" {LINK}>a link</a></p>',
            id="link",
        ),
        pytest.param(
            "<https://example.org/>",
            f'<p><a href="https://example.org/" {LINK}>https://example.org/</a></p>',
            id="autolink",
        ),
        pytest.param(
            "![a cat](https://example.org/cat.png)",
            '<p><img src="https://example.org/cat.png" alt="a cat"></p>',
            id="image",
        ),
        pytest.param("\\*not em\\*", "<p>*not em*</p>", id="escape"),
    ],
)
def test_markdown_becomes_allowlisted_tags(typed: str, html: str) -> None:
    assert render_message(typed) == html


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("# not a heading", id="heading"),
        pytest.param("### nor this", id="heading-3"),
        pytest.param("title\n===", id="setext-heading"),
        pytest.param("title\n---", id="setext-heading-2"),
        pytest.param("---", id="rule"),
        pytest.param("***", id="rule-stars"),
        pytest.param("[a]: https://example.org/\n[a]", id="reference-definition"),
        pytest.param("<div>block</div>", id="html-block"),
    ],
)
def test_what_would_surprise_in_a_chat_stays_text(typed: str) -> None:
    output = render_message(typed)
    assert visible(output) == " ".join(typed.split())
    assert set(tags(output)) <= {"p", "br", "a"}


def test_indented_lines_are_text_not_code() -> None:
    assert render_message("    four spaces") == "<p>four spaces</p>"


def test_blocks_are_not_separated_by_line_feeds() -> None:
    # The client's message body keeps line feeds (white-space: pre-wrap).
    output = render_message("a\n\n> q\n\n- l\n\n```\nc\n```\n\nb\n")
    assert output == "<p>a</p><blockquote><p>q</p></blockquote><ul><li>l</li></ul><pre><code>c\n</code></pre><p>b</p>"


# --- links and media ------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x](&#106;avascript:alert(1))",
        "[x](java%0ascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](data:image/png;base64,AAAA)",
        "<javascript:alert(1)>",
        "javascript://example.org/%0aalert(1)",
        "![x](javascript:alert(1))",
        "[x](//evil.example/)",
        "[x](/relative/path)",
        '[x](https://example.org/ "title" onclick="alert(1)")',
    ],
)
def test_links_are_never_scripts_or_relative(typed: str) -> None:
    output = render_message(typed)
    for tag, attrs in _read(output).tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith(("https://", "http://", "mailto:")), (tag, value)


def test_media_must_be_https() -> None:
    output = render_message("see ![a](http://example.org/y.png)")
    assert tags(output) == ["p", "img"]
    assert "src" not in _read(output).tags[1][1]


def test_a_message_of_only_an_http_image_shows_as_typed() -> None:
    typed = "![a](http://example.org/y.png)"
    assert render_message(typed) == f"<p>{typed}</p>"


@pytest.mark.parametrize("typed", [">", "-", "*", "+", "1.", "2)", "> > >", "- \n- "])
def test_markdown_that_would_show_nothing_shows_as_typed(typed: str) -> None:
    assert visible(render_message(typed)) == " ".join(typed.split())


@pytest.mark.parametrize(
    ("typed", "linked"),
    [
        ("https://example.org/x", ["https://example.org/x"]),
        ("http://example.org", ["http://example.org"]),
        ("HTTPS://EXAMPLE.ORG/A", ["HTTPS://EXAMPLE.ORG/A"]),
        ("mailto:ann@example.org", ["mailto:ann@example.org"]),
        ("see https://example.org/a_b_c.", ["https://example.org/a_b_c"]),
        ("(https://example.org/x)", ["https://example.org/x"]),
        ("**https://example.org/x**", ["https://example.org/x"]),
        # Without a scheme nothing is a link: not even www. (fuzzy_link is off).
        ("www.example.org", []),
        ("file.py", []),
        ("a.b", []),
        ("example.org/path", []),
        ("ann@example.org", []),
        ("192.168.0.1", []),
        ("ftp://example.org/f", []),
        ("//example.org/x", []),
        ("https://", []),
        # The same next to a link with its scheme, where linkify runs.
        ("https://example.org/x or www.example.org", ["https://example.org/x"]),
        ("https://example.org/x, file.py, a.b and example.org/path", ["https://example.org/x"]),
        ("mailto:ann@example.org, not bob@example.org", ["mailto:ann@example.org"]),
        ("https://example.org/x at 192.168.0.1", ["https://example.org/x"]),
    ],
)
def test_bare_urls_are_links_only_with_their_scheme(typed: str, linked: list[str]) -> None:
    assert hrefs(render_message(typed)) == linked


def test_every_link_carries_rel() -> None:
    output = render_message("[a](https://example.org/a) https://example.org/b <https://example.org/c>")
    anchors = [attrs for tag, attrs in _read(output).tags if tag == "a"]
    assert len(anchors) == 3
    assert all(attrs.get("rel") == REL for attrs in anchors)


# --- properties -----------------------------------------------------------------------

_HANDLER = re.compile(r"<[^>]*\son\w+\s*=", re.IGNORECASE)


@given(st.text(max_size=300))
def test_any_text_yields_only_allowlisted_markup(typed: str) -> None:
    output = render_message(typed)
    assert "<script" not in output.lower()
    assert not _HANDLER.search(output)
    assert set(tags(output)) <= ALLOWED_TAGS


# Letters, digits and punctuation that means nothing to Markdown (no "." or ")"
# either: "1." or "1)" starts a list).
_PLAIN = st.text(
    alphabet=st.one_of(st.characters(categories=("L", "N")), st.sampled_from(" \n,;?!'\"(")),
    max_size=200,
)


@given(_PLAIN)
def test_text_without_markdown_shows_as_typed(typed: str) -> None:
    assert visible(render_message(typed)) == " ".join(typed.split())


_LINK_TEXT = st.text(alphabet=st.sampled_from("ab.:/@_*<>[]()\n hmailtoHTTPS"), max_size=60)


@given(_LINK_TEXT)
def test_skipping_linkify_changes_nothing_where_no_link_can_be(typed: str) -> None:
    if not _MAY_LINK.search(typed):
        assert _NOT_LINKING.render(typed) == _LINKING.render(typed)


def test_the_same_text_renders_the_same_each_time() -> None:
    typed = "**a** [b](https://example.org) `c`"
    assert len({render_message(typed) for _ in range(3)}) == 1
    frozen = itertools.repeat(0.0).__next__
    assert render_message(typed, clock=frozen) == render_message(typed)
