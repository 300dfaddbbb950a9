"""A plain line skips markdown-it: what it renders must be exactly what markdown-it would have rendered.

`ephemeral.markdown._is_plain_line` decides which lines skip the parser; these tests compare its shortcut with the
parser's own output over crafted lines, every ASCII character at every place, and random Unicode.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ephemeral.markdown import _is_plain_line, _markdown, _parsed

CHAT_LINES = [
    "hello there",
    "on my way!",
    'she said "now" and it\'s fine',
    "meet at 10:30, room 4b (second floor)",
    "now 50% off? $5 @ the shop; ok",
    "x#y x-y x=y x+y x|y x^y x{y}",
    "é ü 你好 مرحبا שלום 😀👍🏽",
    "a",
    "~1765110000.123456~3~ a stamp between lone tildes",
    "~ approximately",
]
NOT_PLAIN = [
    "2. a list",
    "1) a list",
    "- a list",
    "+ a list",
    "> a quote",
    "# not a heading",
    "**bold**",
    "_it_",
    "~~gone~~",
    "`code`",
    "[a](https://example.org)",
    "see https://example.org",
    "mailto:a@example.org",
    "a &amp; b",
    "a <b> c",
    "back\\slash",
    " leading space",
    "trailing space ",
    "two\nlines",
    "a\tb",
    "non\u00a0breaking",
    "line\u2028separator",
    "nul\x00",
]


@pytest.mark.parametrize("line", CHAT_LINES)
def test_everyday_chat_lines_take_the_shortcut_and_render_as_the_parser_does(line):
    assert _is_plain_line(line)
    assert _markdown(line, None) == _parsed(line, None)


@pytest.mark.parametrize("line", NOT_PLAIN)
def test_lines_markdown_could_act_on_go_to_the_parser(line):
    assert not _is_plain_line(line)


@pytest.mark.parametrize("code", range(0x20, 0x7F))
def test_any_ascii_character_first_inside_or_last_renders_as_the_parser_does(code):
    char = chr(code)
    for line in (f"{char}x y", f"x {char} y", f"x{char}y", f"x y{char}", f"{char}{char}x", char):
        if _is_plain_line(line):
            assert _markdown(line, None) == _parsed(line, None), line


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40))
def test_any_unicode_line_the_shortcut_takes_renders_as_the_parser_does(line):
    if _is_plain_line(line):
        assert _markdown(line, None) == _parsed(line, None)
