"""No template writes a word a reader sees except through the catalogs (`_()`, `ngettext()`, `{% trans %}`).

The scripts have their own check (tests/js/sources.test.mjs); `test_catalogs.py` checks that every marked
word is in every language's catalog.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).resolve().parents[2] / "templates").glob("*.html"))
TRANS_BLOCK = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", re.S)
# A block that fills in a tag's attributes elsewhere (base.html's <body>) is markup, not words.
ATTRIBUTE_BLOCK = re.compile(r"\{%-?\s*block body_attributes\s*%\}.*?\{%-?\s*endblock\s*%\}", re.S)
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
WORD = re.compile(r"[^\W\d_]")  # a letter of any script: digits and punctuation are not words
# Attributes a reader (or their screen reader) is given as text.
SPOKEN = {"title", "alt", "placeholder", "aria-label", "aria-description", "aria-roledescription", "label"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Words(HTMLParser):
    """Collects the text and spoken attributes a page shows, skipping scripts, styles and hidden icons."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, hidden from readers)

    def _hidden(self) -> bool:
        return any(hidden for _tag, hidden in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for name, value in attrs:
            shown = tag == "input" and named.get("type") in ("submit", "button", "reset")
            spoken = name in SPOKEN or (name == "value" and shown)
            if spoken and value and WORD.search(value):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag not in VOID:
            self._open.append((tag, tag in ("script", "style") or named.get("aria-hidden") == "true"))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._hidden() and WORD.search(data):
            self.found.append(data.strip())


def words_outside_catalogs(source: str) -> list[str]:
    parser = _Words()
    parser.feed(JINJA.sub("", TRANS_BLOCK.sub("", ATTRIBUTE_BLOCK.sub("", source))))
    parser.close()
    return parser.found


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_every_word_of_the_template_goes_through_the_catalogs(template: Path) -> None:
    assert words_outside_catalogs(template.read_text(encoding="utf-8")) == []


def test_the_templates_are_found() -> None:
    assert len(TEMPLATES) > 10


@pytest.mark.parametrize(
    "source",
    [
        "<p>Join this room</p>",
        '<button title="Copy">{{ _("x") }}</button>',
        '<input type="submit" value="Send">',
        '<img alt="A photo" src="x">',
        '<p>{{ _("Hello") }} and goodbye</p>',
        "<label>{% if a %}Room{% endif %}</label>",
        "<p>Привет</p>",
    ],
)
def test_a_word_written_straight_into_a_template_is_found(source: str) -> None:
    assert words_outside_catalogs(source) != []


@pytest.mark.parametrize(
    "source",
    [
        '<p>{{ _("Join this room") }}</p>',
        "<p>{% trans count=n %}{{ count }} minute{% pluralize %}{{ count }} minutes{% endtrans %}</p>",
        '<span aria-hidden="true">Aa</span>',
        '<button type="submit" value="purge">{{ _("Purge") }}</button>',
        "<p>12 · 34</p>",
        '<script type="module" src="x.js"></script>',
    ],
)
def test_words_through_the_catalogs_and_what_is_no_word_pass(source: str) -> None:
    assert words_outside_catalogs(source) == []
