"""Field rules: what an alias, a room name and a password may be, and what is stored.

The value a rule returns is the value the registry stores and shows, so every
accepted case names its stored form.
"""

from __future__ import annotations

import pytest

from ephemeral import fields
from ephemeral.errors import Invalid

ALIAS_ACCEPTED = [
    pytest.param("Ann", "Ann", id="plain"),
    pytest.param("  Ann   Lee ", "Ann Lee", id="trimmed-and-inner-run-folded"),
    pytest.param("Ann\tLee\n", "Ann Lee", id="tab-and-newline-are-whitespace"),
    pytest.param("\u3000Ann\u3000", "Ann", id="ideographic-space-trimmed"),
    pytest.param("\uff21\uff4e\uff4e", "Ann", id="full-width-nfkc"),
    pytest.param("\ufb01sh", "fish", id="ligature-nfkc"),
    pytest.param("Cafe\u0301", "Caf\u00e9", id="combining-accent-composed"),
    pytest.param("Zoë", "Zoë", id="accented"),
    pytest.param("Straße", "Straße", id="sharp-s-kept"),
    pytest.param("李小龍", "李小龍", id="cjk"),
    pytest.param("😀 ok", "😀 ok", id="emoji"),
    pytest.param("x" * 32, "x" * 32, id="32-chars"),
    pytest.param("  " + "x" * 32 + "  ", "x" * 32, id="32-chars-after-trim"),
]

ALIAS_REJECTED = [
    pytest.param("", id="empty"),
    pytest.param("   ", id="spaces-only"),
    pytest.param("\u3000\t\n", id="unicode-whitespace-only"),
    pytest.param("x" * 33, id="33-chars"),
    pytest.param("x" * 31 + "\u337f", id="33-chars-after-nfkc"),  # ㍿ -> 株式会社
    pytest.param("Ann\u200bLee", id="zero-width-space"),
    pytest.param("Ann\u200d", id="zero-width-joiner"),
    pytest.param("\u2060Ann", id="word-joiner"),
    pytest.param("\ufeffAnn", id="bom"),
    pytest.param("Ann\u00ad", id="soft-hyphen"),
    pytest.param("Ann\u202eeeL", id="bidi-override-rlo"),
    pytest.param("\u2066Ann\u2069", id="bidi-isolate"),
    pytest.param("Ann\u200f", id="rtl-mark"),
    pytest.param("Ann\x00", id="nul"),
    pytest.param("Ann\x07", id="bell"),
    pytest.param("Ann\x1b[31m", id="escape"),
    pytest.param("Ann\x7f", id="delete"),
    # Python's `\s` matches these: refused where they stand, never folded into a space.
    pytest.param("Ann\u2028Lee", id="line-separator-inside"),
    pytest.param("Ann\u2029Lee", id="paragraph-separator-inside"),
    pytest.param("Ann\x85Lee", id="next-line-inside"),
    pytest.param("Ann\x1cLee", id="file-separator-inside"),
    pytest.param("Ann\u2028", id="line-separator-at-the-end"),
    pytest.param("\u2029Ann", id="paragraph-separator-at-the-start"),
    pytest.param("Ann\ud800", id="lone-surrogate"),
    pytest.param("Ann\U000e0001", id="tag-character"),
    pytest.param("Ann\U0010fffe", id="noncharacter"),
    pytest.param(None, id="none"),
    pytest.param(42, id="int"),
    pytest.param(b"Ann", id="bytes"),
    pytest.param(["Ann"], id="list"),
]

# Characters that draw nothing (or nothing visible) but are not in the Cf/Cc
# categories the rule rejects: "Ann" and "Ann" + one of these look identical
# yet have different alias keys.
INVISIBLE_OUTSIDE_FORBIDDEN_CATEGORIES = [
    pytest.param("Ann\u034f", id="combining-grapheme-joiner"),
    pytest.param("Ann\ufe0f", id="variation-selector-16"),
    pytest.param("\u3164", id="hangul-filler-alone"),
    pytest.param("Ann\u3164", id="hangul-filler-suffix"),
]


@pytest.mark.parametrize(("raw", "stored"), ALIAS_ACCEPTED)
def test_alias_accepted_and_stored_form(raw: str, stored: str) -> None:
    assert fields.alias(raw) == stored


@pytest.mark.parametrize("raw", ALIAS_REJECTED)
def test_alias_rejected(raw: object) -> None:
    with pytest.raises(Invalid):
        fields.alias(raw)


@pytest.mark.parametrize("raw", INVISIBLE_OUTSIDE_FORBIDDEN_CATEGORIES)
def test_alias_rejects_invisible_characters_outside_format_category(raw: str) -> None:
    with pytest.raises(Invalid):
        fields.alias(raw)


@pytest.mark.parametrize(("raw", "stored"), ALIAS_ACCEPTED)
def test_alias_is_idempotent(raw: str, stored: str) -> None:
    """Validating the stored value again changes nothing: what is shown is what was checked."""
    assert fields.alias(fields.alias(raw)) == stored


ROOM_NAME_ACCEPTED = [
    pytest.param("Book club", "Book club", id="plain"),
    pytest.param("  Book \t club  ", "Book club", id="trimmed-and-folded"),
    pytest.param("\uff22ook", "Book", id="full-width-nfkc"),
    pytest.param("n" * 64, "n" * 64, id="64-chars"),
]

ROOM_NAME_REJECTED = [
    pytest.param("", id="empty"),
    pytest.param(" \t ", id="whitespace-only"),
    pytest.param("n" * 65, id="65-chars"),
    pytest.param("Book\u200bclub", id="zero-width-space"),
    pytest.param("Book\u202eclub", id="bidi-override"),
    pytest.param("Book\x00club", id="nul"),
    pytest.param("Book\u2028club", id="line-separator-inside"),
    pytest.param("Book\u2029club", id="paragraph-separator-inside"),
    pytest.param("Book\x85club", id="next-line-inside"),
    pytest.param(None, id="none"),
    pytest.param(7, id="int"),
]


@pytest.mark.parametrize(("raw", "stored"), ROOM_NAME_ACCEPTED)
def test_room_name_accepted_and_stored_form(raw: str, stored: str) -> None:
    assert fields.room_name(raw) == stored


@pytest.mark.parametrize("raw", ROOM_NAME_REJECTED)
def test_room_name_rejected(raw: object) -> None:
    with pytest.raises(Invalid):
        fields.room_name(raw)


def test_room_name_limit_is_wider_than_alias_limit() -> None:
    name = "n" * 40
    assert fields.room_name(name) == name
    with pytest.raises(Invalid):
        fields.alias(name)


def test_rejection_message_names_the_field() -> None:
    with pytest.raises(Invalid) as alias_error:
        fields.alias("x" * 33)
    with pytest.raises(Invalid) as name_error:
        fields.room_name("n" * 65)
    assert "Alias" in alias_error.value.message
    assert "32" in alias_error.value.message
    assert "Room name" in name_error.value.message
    assert "64" in name_error.value.message


SAME_ALIAS_KEY = [
    pytest.param("Ann", "ann", id="case"),
    pytest.param("Ann", "ANN", id="upper"),
    pytest.param("Straße", "STRASSE", id="sharp-s-casefold"),
    pytest.param("ß", "SS", id="sharp-s-alone"),
    pytest.param("ΟΔΟΣ", "οδος", id="greek-final-sigma"),
    pytest.param("Ann", fields.alias("\uff21\uff4e\uff4e"), id="full-width-after-validation"),
]

DIFFERENT_ALIAS_KEY = [
    pytest.param("Ann", "Anne", id="longer"),
    pytest.param("Ann", "Ann Lee", id="extra-word"),
    pytest.param("Zoe", "Zoë", id="accent-matters"),
]


@pytest.mark.parametrize(("first", "second"), SAME_ALIAS_KEY)
def test_alias_key_equal_for_case_variants(first: str, second: str) -> None:
    assert fields.alias_key(first) == fields.alias_key(second)


@pytest.mark.parametrize(("first", "second"), DIFFERENT_ALIAS_KEY)
def test_alias_key_differs_for_different_names(first: str, second: str) -> None:
    assert fields.alias_key(first) != fields.alias_key(second)


PASSWORD_ACCEPTED = [
    pytest.param("hunter2", id="plain"),
    pytest.param(" padded ", id="spaces-kept"),
    pytest.param("\uff21", id="full-width-not-normalised"),
    pytest.param("Cafe\u0301", id="decomposed-not-composed"),
    pytest.param("tab\there", id="tab-kept"),
    pytest.param("x", id="one-char"),
    pytest.param("x" * 1024, id="1024-ascii"),
    pytest.param("é" * 1024, id="1024-two-byte"),
    pytest.param("😀" * 1024, id="1024-four-byte"),
]

PASSWORD_REJECTED = [
    pytest.param("", id="empty"),
    pytest.param("x" * 1025, id="1025-chars"),
    pytest.param("😀" * 1025, id="1025-four-byte"),
    pytest.param("ok\ud800", id="lone-surrogate"),
    pytest.param(None, id="none"),
    pytest.param(1234, id="int"),
    pytest.param(b"hunter2", id="bytes"),
]


@pytest.mark.parametrize("raw", PASSWORD_ACCEPTED)
def test_password_accepted_verbatim(raw: str) -> None:
    assert fields.password(raw) == raw


@pytest.mark.parametrize("raw", PASSWORD_REJECTED)
def test_password_rejected(raw: object) -> None:
    with pytest.raises(Invalid):
        fields.password(raw)
