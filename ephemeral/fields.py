"""Field rules for aliases, room names and passwords, shared by forms and the API."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import Invalid
from .words import N_

ALIAS_MAX = 32
ROOM_NAME_MAX = 64
PASSWORD_MAX = 1024

# Control (Cc), format (Cf: zero-width and bidi controls), surrogate (Cs),
# unassigned (Cn) and line/paragraph separators (Zl, Zp) make names that look
# alike but differ, or that reorder the text around them.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"})
# Unicode's Default_Ignorable_Code_Point set (variation selectors, fillers,
# invisible joiners in other categories) plus the blank Braille pattern: each
# renders as nothing, so "Ann" and "Ann" + one of them would look the same.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
_WHITESPACE_RUN = re.compile(r"\s+")
# The only controls that fold like spaces: tab and the ASCII line breaks. Python's
# `\s` also matches U+0085, U+2028, U+2029 and U+001C-U+001F; checked before
# folding, those are refused rather than silently turned into a space.
_FOLDED_CONTROLS = frozenset("\t\n\v\f\r")


@dataclass(frozen=True, slots=True)
class NameWords:
    """A name field's refusals, whole sentences each, so a translator never has to fit a label into one."""

    not_text: str
    hidden: str
    empty: str
    too_long: str  # with %(limit)s


ALIAS_WORDS = NameWords(
    N_("Alias must be text."),
    N_("Alias contains invisible or control characters."),
    N_("Alias must not be empty."),
    N_("Alias must be at most %(limit)s characters."),
)
ROOM_NAME_WORDS = NameWords(
    N_("Room name must be text."),
    N_("Room name contains invisible or control characters."),
    N_("Room name must not be empty."),
    N_("Room name must be at most %(limit)s characters."),
)


def display_name(value: object, words: NameWords, limit: int) -> str:
    """NFKC-normalise, refuse hidden characters, trim and fold inner whitespace; the result is what is stored."""
    if not isinstance(value, str):
        raise Invalid(words.not_text)
    normal = unicodedata.normalize("NFKC", value)
    if _INVISIBLE.search(normal) or any(
        unicodedata.category(char) in _FORBIDDEN_CATEGORIES and char not in _FOLDED_CONTROLS for char in normal
    ):
        raise Invalid(words.hidden)
    name = _WHITESPACE_RUN.sub(" ", normal).strip()
    if not name:
        raise Invalid(words.empty)
    if len(name) > limit:
        raise Invalid(words.too_long, limit=limit)
    return name


def alias(value: object) -> str:
    return display_name(value, ALIAS_WORDS, ALIAS_MAX)


def room_name(value: object) -> str:
    return display_name(value, ROOM_NAME_WORDS, ROOM_NAME_MAX)


def alias_key(name: str) -> str:
    """Aliases sort by this key: case-insensitive after normalisation (uniqueness: `aliases.lookalike_keys`)."""
    return unicodedata.normalize("NFKC", name.casefold())


def password(value: object) -> str:
    """Every character counts: no trimming and no normalisation."""
    if not isinstance(value, str) or not value:
        raise Invalid(N_("Password must not be empty."))
    if len(value) > PASSWORD_MAX:
        raise Invalid(N_("Password must be at most %(limit)s characters."), limit=PASSWORD_MAX)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid(N_("Password contains characters that cannot be encoded.")) from None
    return value
