"""Look-alike aliases: which aliases a room treats as one, by their Unicode confusable skeletons (UTS #39).

An alias reaches here already validated by `fields.alias` (NFKC, white space
folded, invisible and control characters refused); it is shown as typed. The
skeleton comes from ICU's spoof checker, the Unicode Consortium's own
implementation of UTS #39 and its confusables data.
"""

from __future__ import annotations

import unicodedata

import icu

# The most code points one alias code point becomes in a key: a Hangul syllable
# is three jamo after NFD, and some jamo look like two. Measured over all of
# Unicode by tests/unit/test_aliases.py, which fails if an ICU update raises it.
KEY_GROWTH = 7

# Never reconfigured after this line, so concurrent calls are safe (ICU's rule
# for a const USpoofChecker).
_SPOOF_CHECKER = icu.SpoofChecker()


def skeleton(text: str) -> str:
    """UTS #39 skeleton: NFD, default-ignorables removed, each confusable mapped to its prototype, NFD again."""
    return str(_SPOOF_CHECKER.getSkeleton(0, text))  # the type argument is ignored since ICU 58


def _case_fold(text: str) -> str:
    return unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).casefold())


def lookalike_keys(alias: str) -> frozenset[str]:
    """Keys of a validated alias; two aliases that share a key may not sit in the same room.

    Skeletons are case-sensitive and aliases are not, and no single key can be
    both: `I` looks like `l` and is `i` ignoring case, yet `i` and `l` differ.
    So an alias has two keys: the skeleton of its case-folded form (`ALICE`
    with a Greek capital alpha against `alice`, `0` against `o`), and the
    skeleton of the alias as typed, case-folded (`Ian` against `lan`, `BOB` in
    Cyrillic capitals against `bob`, whose small letters look nothing alike).
    """
    return frozenset({_case_fold(skeleton(_case_fold(alias))), _case_fold(skeleton(alias))})
