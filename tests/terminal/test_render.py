"""The HTML -> terminal text renderer, and that no path from the room to the screen keeps a control character."""

from __future__ import annotations

import re

import pytest
from ephemeral_client.model import Chat
from ephemeral_client.render import render_html
from ephemeral_client.text import inert, inert_line

HOSTILE = "\x1b]0;t\x07\x1b]52;c;eA==\x07\x1b[2J\x1bc\x07\x9b1A\x7f\x00\u202e\u202a\u2066\u2069\u200f\r\t\x08"
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def shown(html: str) -> str:
    return "".join(text for _, text in render_html(html))


def styles(html: str) -> dict[str, str]:
    return {text: style for style, text in render_html(html)}


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>plain</p>", "plain"),
        ("<p>a<br>\nb</p>", "a\nb"),
        ("<p>one</p><p>two</p>", "one\ntwo"),
        ("<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>", "• a\n• b\n  • c"),
        ("<ol><li>x</li><li>y</li></ol>", "1. x\n2. y"),
        ("<blockquote><p>q1<br>\nq2</p></blockquote><p>after</p>", "│ q1\n│ q2\nafter"),
        ('<p><a href="https://example.org/a">text</a></p>', "text <https://example.org/a>"),
        ('<p><a href="https://example.org/">https://example.org/</a></p>', "https://example.org/"),
        ('<p><a href="javascript:alert(1)">no</a></p>', "no"),
        ('<p><img src="https://example.org/i.png" alt="cat"></p>', "[image: cat] <https://example.org/i.png>"),
        ('<p><img src="http://example.org/i.png"></p>', "[image]"),
        ('<video src="https://example.org/v.mp4" controls></video>', "[video] <https://example.org/v.mp4>"),
        ("<pre><code>x  = 1\ny\n</code></pre>", "x  = 1\ny"),
        ("<p>a &lt;b&gt; &amp; c</p>", "a <b> & c"),
        ("<script>alert(1)</script><style>p{}</style><p>kept</p>", "kept"),
        ("<svg><text>drawn</text></svg><p>kept</p>", "kept"),
        ("<unknown>unwrapped</unknown>", "unwrapped"),
        ("<p><q>said</q></p>", "“said”"),
    ],
)
def test_markup_becomes_terminal_text(html: str, text: str) -> None:
    assert shown(html) == text


def test_formatting_becomes_styles() -> None:
    found = styles("<p><strong>b</strong> <em>i</em> <code>c</code> <del>s</del> <u>u</u> <mark>m</mark></p>")
    assert found["b"] == "bold"
    assert found["i"] == "italic"
    assert found["c"] == "class:code"
    assert found["s"] == "strike"
    assert found["u"] == "underline"
    assert found["m"] == "reverse"
    assert "underline" in styles('<a href="https://e.org">l</a>')["l"]


@pytest.mark.parametrize(
    "html",
    [
        f"<p>{HOSTILE}</p>",
        "<p>&#27;]0;t&#7;&#x9b;&#x202e;&#127;&#0;</p>",  # as entities: decoded, then removed
        f"<pre><code>{HOSTILE}</code></pre>",
        f"<ul><li>{HOSTILE}</li></ul><ol><li>{HOSTILE}</li></ol>",
        f"<blockquote>{HOSTILE}</blockquote>",
        f'<a href="https://example.org/{HOSTILE}">{HOSTILE}</a>',
        f'<img src="https://example.org/{HOSTILE}" alt="{HOSTILE}">',
        f'<video src="https://example.org/{HOSTILE}"></video>',
        f"<strong>{HOSTILE}</strong><em>{HOSTILE}</em><code>{HOSTILE}</code>",
        f"<{HOSTILE}>{HOSTILE}</{HOSTILE}>",
    ],
)
def test_no_control_character_survives_any_path(html: str) -> None:
    out = render_html(html)
    for style, text in out:
        assert not UNSAFE.search(text.replace("\n", "")), (style, text)
        assert not UNSAFE.search(style)


def test_link_and_media_addresses_stay_on_one_line() -> None:
    out = shown('<a href="https://example.org/a\nb">x</a>')
    assert out == "x <https://example.org/ab>"


def test_inert_keeps_line_feeds_and_inert_line_drops_them() -> None:
    assert inert(f"a{HOSTILE}\nb") == "a]0;t]52;c;eA==[2Jc1A\nb"
    assert inert_line(f"a{HOSTILE}\nb") == "a]0;t]52;c;eA==[2Jc1Ab"


def test_names_aliases_and_notes_from_the_room_are_inert() -> None:
    chat = Chat("room", f"name{HOSTILE}")
    bad = f"eve{HOSTILE}"
    chat.on_event("welcome", {"you": {"id": "me", "alias": "me"}, "participants": [], "expires_in": 60})
    chat.on_event("presence", {"participants": [{"id": "e", "alias": bad, "role": "member"}]})
    chat.on_event("message", {"id": "1", "from": "e", "alias": bad, "html": f"<p>{HOSTILE}</p>", "ts": 0})
    chat.on_event("file", {"from": "e", "alias": bad, "id": "f"})
    texts = [text for entry in chat.entries for _, text in entry.body] + [e.alias or "" for e in chat.entries]
    texts += chat.present()
    assert any("(a file was sent: open the room in a browser to get it)" in text for text in texts)
    for text in texts:
        assert not UNSAFE.search(text.replace("\n", "")), text
    chat.on_event("purged", {"reason": "purged", "by": {"id": "e", "alias": bad}})
    assert chat.ending_line() == "The room was purged by eve]0;t]52;c;eA==[2Jc1A. Every message is gone."
    assert not chat.entries
