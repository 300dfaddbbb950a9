"""Look-alike aliases: the UTS #39 skeleton, which aliases collide, and how long a key can grow.

Pairs go through `fields.alias` first, as every alias does before a store
sees it, so each case is what two people could actually type.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest

from ephemeral import aliases, fields
from ephemeral.errors import Invalid

SKELETONS = [
    pytest.param("alice", "alice", id="latin-is-its-own-prototype"),
    pytest.param("\u0430lice", "alice", id="cyrillic-a"),
    pytest.param("\u0391LICE", "ALlCE", id="greek-capital-alpha-and-capital-I"),
    pytest.param("\u0412\u041e\u0412", "BOB", id="cyrillic-capitals"),
    pytest.param("m", "rn", id="m-is-r-n"),
    pytest.param("0", "O", id="zero-is-capital-o"),
    pytest.param("1", "l", id="one-is-small-l"),
    pytest.param("I", "l", id="capital-i-is-small-l"),
    pytest.param("alice\u200d", "alice", id="default-ignorable-removed"),
    pytest.param("Zo\u00eb", "Zoe\u0308", id="result-is-nfd"),
    pytest.param("\U0001d41a\U0001d427\U0001d427", "ann", id="mathematical-bold"),
]


@pytest.mark.parametrize(("text", "expected"), SKELETONS)
def test_skeleton_follows_uts39(text: str, expected: str) -> None:
    assert aliases.skeleton(text) == expected


COLLIDE = [
    pytest.param("alice", "\u0430lice", id="cyrillic-a"),
    pytest.param("alice", "\uff21\uff2c\uff29\uff23\uff25", id="full-width-capitals"),
    pytest.param("alice", "\u0391LICE", id="greek-capital-alpha"),
    pytest.param("alice", "ALICE", id="capitals"),
    pytest.param("bob", "\u0412\u041e\u0412", id="cyrillic-capitals"),
    pytest.param("hello", "\u041d\u0415LL\u041e", id="cyrillic-capitals-among-latin"),
    pytest.param("Sam", "Sarn", id="m-vs-r-n"),
    pytest.param("0", "O", id="zero-vs-capital-o"),
    pytest.param("0", "o", id="zero-vs-small-o"),
    pytest.param("l", "1", id="small-l-vs-one"),
    pytest.param("l", "I", id="small-l-vs-capital-i"),
    pytest.param("1", "I", id="one-vs-capital-i"),
    pytest.param("Ian", "lan", id="capital-i-in-a-name"),
    pytest.param("Ann", "ann", id="case-as-before"),
    pytest.param("Stra\u00dfe", "STRASSE", id="casefold-as-before"),
    pytest.param("\u039f\u0394\u039f\u03a3", "\u03bf\u03b4\u03bf\u03c2", id="greek-final-sigma-as-before"),
]

DIFFER = [
    pytest.param("alice", "alicia", id="another-name"),
    pytest.param("Ann", "Anne", id="longer"),
    pytest.param("Zoe", "Zo\u00eb", id="accent-matters"),
    pytest.param("Lukasz", "\u0141ukasz", id="stroke-matters"),
    pytest.param("i", "l", id="small-i-vs-small-l"),
    pytest.param("Lia", "Ila", id="names-with-i-and-l"),
    pytest.param("ann", "ann\ue000", id="private-use-renders-as-something"),
]


def _collide(first: str, second: str) -> bool:
    return bool(aliases.lookalike_keys(fields.alias(first)) & aliases.lookalike_keys(fields.alias(second)))


@pytest.mark.parametrize(("first", "second"), COLLIDE)
def test_lookalike_aliases_share_a_key(first: str, second: str) -> None:
    assert _collide(first, second)
    assert _collide(second, first)


@pytest.mark.parametrize(("first", "second"), DIFFER)
def test_different_aliases_share_no_key(first: str, second: str) -> None:
    assert not _collide(first, second)


def test_a_zero_width_joiner_is_refused_before_any_comparison() -> None:
    with pytest.raises(Invalid):
        fields.alias("alice\u200d")


def _alias_characters() -> list[str]:
    """Every code point that is, on its own, a valid alias exactly as typed."""
    found = []
    for code_point in range(sys.maxunicode + 1):
        char = chr(code_point)
        if unicodedata.category(char) in ("Cn", "Cs"):
            continue
        try:
            if fields.alias(char) == char:
                found.append(char)
        except Invalid:
            continue
    return found


def test_no_character_grows_past_key_growth() -> None:
    growth = {char: max(len(key) for key in aliases.lookalike_keys(char)) for char in _alias_characters()}
    worst = max(growth, key=growth.__getitem__)
    assert growth[worst] == aliases.KEY_GROWTH, f"U+{ord(worst):04X} grows to {growth[worst]} code points"
    assert min(growth.values()) >= 1  # no alias has an empty key that every such alias would share


def test_a_maximal_alias_keeps_its_keys_bounded() -> None:
    """Neither store limits a key's length (a Redis hash field, a set member), so the bound is here: under 1 KiB."""
    longest = fields.alias("\ucb94" * fields.ALIAS_MAX)  # a Hangul syllable: the worst growth
    keys = aliases.lookalike_keys(longest)
    assert max(len(key) for key in keys) == fields.ALIAS_MAX * aliases.KEY_GROWTH
    assert max(len(key.encode("utf-8")) for key in keys) <= 1024
