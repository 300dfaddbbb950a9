"""Message HTML as terminal text: prompt_toolkit (style, text) pairs, every piece of text made inert.

The HTML is the server's, already cleaned (standard rooms), or what a peer sealed (server-blind rooms), which
nobody cleaned: so this is an allowlist of its own. Known formatting becomes a style, lists and quotes become
prefixes, links and media show their address; every other tag is unwrapped, and the ones a browser never
shows (script, style, ...) are dropped with their content. Text is made inert after entities are decoded,
so `&#27;` is no way around it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .text import inert, inert_line

__all__ = ["Fragments", "render_html"]

Fragments = list[tuple[str, str]]

_STYLES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strike",
    "del": "strike",
    "code": "class:code",
    "kbd": "class:code",
    "mark": "reverse",
    "h1": "bold",
    "h2": "bold",
    "h3": "bold",
    "h4": "bold",
    "h5": "bold",
    "h6": "bold",
    "a": "class:link underline",
}
_BLOCKS = {"p", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div"}
# As the server's cleaner and the page's: these go with everything inside them.
_DROP_WITH_CONTENT = {
    "script", "style", "template", "noscript", "iframe", "noembed", "noframes", "xmp", "plaintext",
    "title", "textarea", "select", "object", "applet", "svg", "math", "head",
}  # fmt: skip
_VOID = {"br", "img", "hr", "input", "meta", "link", "wbr", "source", "track", "area", "base", "col", "embed"}
_LINK_SCHEMES = re.compile(r"(?:https?|mailto):", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def _address(value: str | None, *, media: bool = False) -> str | None:
    """A link or media address worth showing: absolute http(s) or mailto (media: https only), on one line."""
    if not value:
        return None
    seen = inert_line(value).strip()
    if media:
        return seen if seen.lower().startswith("https://") else None
    return seen if _LINK_SCHEMES.match(seen) else None


class _Renderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: Fragments = []
        self._styles: list[str] = []
        self._tags: list[str] = []
        self._dropping = 0
        self._quotes = 0
        self._lists: list[list[int]] = []  # [numbered, next number] per open list
        self._pre = 0
        self._line_start = True
        self._links: list[tuple[str | None, int]] = []  # (href, where its text starts in out)

    # -- lines ---------------------------------------------------------------------------------------------

    def _emit(self, style: str, text: str) -> None:
        if text:
            self.out.append((style, text))

    def _prefix(self) -> None:
        if self._line_start:
            self._line_start = False
            self._emit("class:quote", "│ " * self._quotes)
            self._emit("", "  " * len(self._lists))

    def _newline(self) -> None:
        self.out.append(("", "\n"))
        self._line_start = True

    def _block_break(self) -> None:
        if not self._line_start and self.out:
            self._newline()

    def _text(self, text: str) -> None:
        style = " ".join(style for style in self._styles if style)
        for number, line in enumerate(text.split("\n")):
            if number:
                self._newline()
            if line:
                self._prefix()
                self._emit(style, line)

    # -- parser events -----------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._dropping or tag in _DROP_WITH_CONTENT:
            if tag not in _VOID:
                self._dropping += 1
            return
        found = dict(attrs)
        if tag in _BLOCKS:
            self._block_break()
        if tag == "br":
            self._prefix()
            self._newline()
        elif tag == "img":
            self._media("image", found.get("alt"), found.get("src"))
        elif tag in ("video", "audio"):
            self._media(tag, None, found.get("src"))
        elif tag == "blockquote":
            self._quotes += 1
        elif tag in ("ul", "ol"):
            self._lists.append([tag == "ol", 1])
        elif tag == "li":
            self._list_item()
        elif tag == "pre":
            self._pre += 1
        elif tag == "q":
            self._text("“")
        elif tag == "a":
            self._links.append((_address(found.get("href")), len(self.out)))
        if tag not in _VOID:
            self._tags.append(tag)
            self._styles.append(_STYLES.get(tag, ""))

    def handle_endtag(self, tag: str) -> None:
        if self._dropping:
            if tag in _DROP_WITH_CONTENT or tag not in _VOID:
                self._dropping -= 1
            return
        if tag not in self._tags:
            return
        while self._tags:  # close what was left open inside, as a browser does
            open_tag = self._tags.pop()
            self._styles.pop()
            self._close(open_tag)
            if open_tag == tag:
                break

    def _close(self, tag: str) -> None:
        if tag == "blockquote":
            self._quotes -= 1
        elif tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        elif tag == "pre":
            self._pre -= 1
        elif tag == "q":
            self._text("”")
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            shown = "".join(text for _, text in self.out[start:])
            if href and href not in (shown, "mailto:" + shown):
                self._emit("class:address", f" <{href}>")
        if tag in _BLOCKS:
            self._block_break()

    def handle_data(self, data: str) -> None:
        if self._dropping:
            return
        text = inert(data)
        if not self._pre:
            text = _SPACES.sub(" ", text)
            if self._line_start:
                text = text.lstrip(" ")
        self._text(text)

    def _list_item(self) -> None:
        if not self._lists:
            self._lists.append([False, 1])
        numbered, number = self._lists[-1]
        self._lists[-1][1] += 1
        depth = len(self._lists)
        self._line_start = False
        self._emit("class:quote", "│ " * self._quotes)
        self._emit("", "  " * (depth - 1))
        self._emit("class:bullet", f"{number}. " if numbered else "• ")

    def _media(self, kind: str, alt: str | None, src: str | None) -> None:
        label = inert_line(alt or "").strip()
        self._text(f"[{kind}: {label}]" if label else f"[{kind}]")
        address = _address(src, media=True)
        if address:
            self._emit("class:address", f" <{address}>")


def render_html(html: str) -> Fragments:
    """The message `html` as styled terminal text: no control character anywhere, trailing breaks dropped."""
    renderer = _Renderer()
    renderer.feed(html)
    renderer.close()
    out = renderer.out
    while out and out[-1][1].strip(" ") in ("", "\n") and not out[-1][1].strip():
        out.pop()
    return out
