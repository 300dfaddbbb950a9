"""The sanitizer's markup bound, found by the benchmark: deep nesting costs html5ever
the square of its depth, so markup past the 512th "<" is shown as text.

Structure only, no timing: what stays markup, what becomes text, and that the
bound never lets through anything nh3 would remove.
"""

from __future__ import annotations

import re

import pytest

from ephemeral.sanitize import _CLEANER, MAX_TAG_OPENINGS, clean_message

HOSTILE_TAIL = '<img src=x onerror="alert(1)"><script>alert(2)</script><a href="javascript:alert(3)">x</a>'


def test_messages_within_the_bound_are_cleaned_as_before() -> None:
    text = "<b>bold</b> and <i>it</i> " * (MAX_TAG_OPENINGS // 4)
    assert text.count("<") == MAX_TAG_OPENINGS
    assert clean_message(text) == _CLEANER.clean(text)


def test_deep_nesting_past_the_bound_becomes_text() -> None:
    cleaned = clean_message("<ul>" * 1000)
    assert cleaned.count("<ul>") == MAX_TAG_OPENINGS
    assert cleaned.count("&lt;ul&gt;") == 1000 - MAX_TAG_OPENINGS


@pytest.mark.parametrize("filler", ["<b>", "<ul>", "<div>", "a < b ", "<!-- c -->"])
def test_nothing_unsafe_survives_past_the_bound(filler: str) -> None:
    cleaned = clean_message(filler * (MAX_TAG_OPENINGS + 10) + HOSTILE_TAIL)
    assert not re.search(r"<(img|script)\b", cleaned)
    assert not re.search(r"<[^>]*(onerror|javascript:)", cleaned)


def test_a_tag_opened_before_the_bound_keeps_its_attribute_value() -> None:
    text = "<b>" * (MAX_TAG_OPENINGS - 1) + '<a href="https://example.org/?q=<x>">link</a>'
    cleaned = clean_message(text)
    assert '<a href="https://example.org/?q=&lt;x&gt;" rel="noopener noreferrer nofollow">link&lt;/a&gt;</a>' in cleaned
