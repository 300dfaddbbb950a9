"""The catalogs a translator edits, `translations/<code>/LC_MESSAGES/messages.po`, read once per process.

One catalog per language serves both sides. Its entries without a context are the pages' words (gettext
msgids, the English text the templates and the server's refusals hold). Its entries with a context are
the scripts' words: the context is the key `static/js/strings/en.js` names, and the page hands the
language's table to its scripts. An entry not yet translated, or marked fuzzy, shows the English text.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable, Iterable
from functools import cache

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from .languages import ENGLISH, Language

ScriptEntry = str | dict[str, str]
# Numbers that reach every plural category of the ten languages (French "many" only at a million).
_PLURAL_SAMPLES = (*range(0, 200), 1_000, 1_000_000, 2_000_000)


def _plural_categories(catalog: Catalog, locale: Locale) -> dict[str, int]:
    """Which gettext plural form each of the locale's CLDR categories (what Intl.PluralRules says) uses."""
    form_of = gettext.c2py(catalog.plural_expr)
    categories: dict[str, int] = {}
    for count in _PLURAL_SAMPLES:
        categories.setdefault(locale.plural_form(count), form_of(count))
    # Intl says "other" for a fraction even where no whole number is "other" (Russian): the last form.
    categories.setdefault("other", max(categories.values()))
    return categories


def _done(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return bool(message.id) and not message.fuzzy and all(strings)


def script_table(catalog: Catalog, locale: Locale) -> dict[str, ScriptEntry]:
    """The scripts' entries by key: text, or text by plural category for an entry with a plural."""
    categories = _plural_categories(catalog, locale)
    table: dict[str, ScriptEntry] = {}
    for message in catalog:
        if not message.context or not _done(message):
            continue
        if isinstance(message.string, (list, tuple)):
            forms = message.string
            table[message.context] = {category: forms[index] for category, index in categories.items()}
        else:
            table[message.context] = str(message.string)
    return table


class PageWords(gettext.NullTranslations):
    """One language's words for the pages: the catalog's finished entries without a context."""

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self._plural: Callable[[int], int] = gettext.c2py(catalog.plural_expr)
        self._words: dict[str, str] = {}
        self._forms: dict[tuple[str, str], list[str]] = {}
        for message in catalog:
            if message.context or not _done(message):
                continue
            if isinstance(message.id, (list, tuple)):
                self._forms[message.id[0], message.id[1]] = [str(form) for form in message.string or ()]
            else:
                self._words[message.id] = str(message.string)

    def gettext(self, message: str) -> str:
        return self._words.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        forms = self._forms.get((msgid1, msgid2))
        if forms is None:
            return msgid1 if n == 1 else msgid2
        return forms[self._plural(n)]


class Catalogs:
    """Every language's words for the pages and table for the scripts, by language code."""

    def __init__(self, folder: str, languages: Iterable[Language]) -> None:
        self._gettext: dict[str, gettext.NullTranslations] = {ENGLISH.code: gettext.NullTranslations()}
        self._scripts: dict[str, dict[str, ScriptEntry]] = {ENGLISH.code: {}}
        self._script_json: dict[str, Markup] = {ENGLISH.code: Markup("")}
        for language in languages:
            if language == ENGLISH:
                continue
            path = os.path.join(folder, language.code, "LC_MESSAGES", "messages.po")
            with open(path, "rb") as po:
                catalog = read_po(po, locale=language.code)
            self._gettext[language.code] = PageWords(catalog)
            table = script_table(catalog, Locale.parse(language.code))
            self._scripts[language.code] = table
            # Written once: safe inside a <script> block (no <, >, & or ' left), as Jinja's tojson writes.
            self._script_json[language.code] = Markup(htmlsafe_json_dumps(table))

    def gettext(self, language: Language) -> gettext.NullTranslations:
        return self._gettext[language.code]

    def script_table(self, language: Language) -> dict[str, ScriptEntry]:
        """Empty for English: the scripts carry the English table themselves."""
        return self._scripts[language.code]

    def script_json(self, language: Language) -> Markup:
        """The script table as the page's JSON block holds it; empty for English."""
        return self._script_json[language.code]


@cache
def catalogs(folder: str, languages: tuple[Language, ...]) -> Catalogs:
    """The catalogs under `folder`, read once per process: they never change while it runs."""
    return Catalogs(folder, languages)
