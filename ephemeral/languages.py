"""The languages the pages speak, and which one a request gets.

The switcher's choice lasts the browser session (a cookie with no expiry that holds only the language's
tag); without one, the best match in `Accept-Language`; without a match, English.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.wrappers import Request

COOKIE_SECURE_NAME = "__Host-lang"
COOKIE_PLAIN_NAME = "lang"


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # the catalog's folder under translations/, as gettext names locales
    tag: str  # BCP 47: the page's `lang`, the scripts' Intl, the switcher's value
    name: str  # in the language itself, so a reader finds their own in the switcher
    rtl: bool = False

    @property
    def dir(self) -> str:
        return "rtl" if self.rtl else "ltr"


ENGLISH = Language("en", "en", "English")
LANGUAGES = (
    ENGLISH,
    Language("es", "es", "Español"),
    Language("fr", "fr", "Français"),
    Language("de", "de", "Deutsch"),
    Language("pt_BR", "pt-BR", "Português (Brasil)"),
    Language("ru", "ru", "Русский"),
    Language("uk", "uk", "Українська"),
    Language("zh_Hans", "zh-Hans", "简体中文"),
    Language("ar", "ar", "العربية", rtl=True),
    Language("fa", "fa", "فارسی", rtl=True),
)
_BY_TAG = {language.tag.lower(): language for language in LANGUAGES}
# A reader whose browser asks for any Portuguese or any Chinese reads these better than English.
_BY_PRIMARY = {language.tag.split("-")[0].lower(): language for language in LANGUAGES}


def by_tag(tag: object) -> Language | None:
    """The language whose tag this is (any case), or None: the switcher's value and the cookie are read so."""
    return _BY_TAG.get(tag.lower()) if isinstance(tag, str) else None


def best_match(accept_language: list[str]) -> Language:
    """The first of the reader's languages, in their order of preference, that the pages speak."""
    for wanted in accept_language:
        tag = wanted.strip().replace("_", "-").lower()
        match = _BY_TAG.get(tag) or _BY_PRIMARY.get(tag.split("-")[0])
        if match:
            return match
    return ENGLISH


def cookie_name(secure: bool) -> str:
    """`__Host-` over https, so no sibling host or plain-http page can set it; each scheme reads its own."""
    return COOKIE_SECURE_NAME if secure else COOKIE_PLAIN_NAME


def for_request(request: Request) -> Language:
    """The switcher's choice for this browser session, else the best of Accept-Language."""
    chosen = by_tag(request.cookies.get(cookie_name(request.is_secure)))
    if chosen:
        return chosen
    # Werkzeug orders the header's languages by quality; a malformed one is skipped, never an error, and
    # one with quality 0 is one the reader does not want.
    return best_match([value for value, quality in request.accept_languages if quality > 0])


def safe_next(path: object) -> str:
    """Where the switcher goes back to: a path on this site, never another origin."""
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in path):
        return "/"
    return path
