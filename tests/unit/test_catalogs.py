"""The catalogs in translations/: every language has every word, whole, with the same slots and markup.

`messages.pot` must be what `make strings` makes from today's templates, server words and en.js; each
language's catalog must hold each of its entries, translated (not empty, not fuzzy), keeping every
`{name}` and `%(name)s` slot and every HTML tag of the English, with all its plural forms.
"""

from __future__ import annotations

import gettext
import re
from collections import Counter
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from ephemeral.languages import ENGLISH, LANGUAGES
from scripts import strings

FOLDER = Path(strings.FOLDER)
TRANSLATED = [language for language in LANGUAGES if language != ENGLISH]
SLOT = re.compile(r"\{\w+\}|%\(\w+\)s")
# Anything between angle brackets, any case: a page shows a translation as markup, so none may add a tag.
TAG = re.compile(r"<[^>]*>?")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with open(path, "rb") as po:
        return read_po(po, locale=locale)


def _key(message: Message) -> tuple[object, str | None]:
    return message.id, message.context


@pytest.fixture(scope="module")
def template() -> Catalog:
    return _read(FOLDER / "messages.pot")


def test_the_template_holds_every_word_the_pages_and_scripts_show_today(template: Catalog) -> None:
    made = strings.template_catalog()
    assert {_key(m) for m in made if m.id} == {_key(m) for m in template if m.id}, "run `make strings`"


def test_the_template_is_large_and_holds_both_sides(template: Catalog) -> None:
    entries = [m for m in template if m.id]
    assert len(entries) > 300
    assert any(m.context == "status.connected" for m in entries)  # a script's word, by its key
    assert any(m.id == "Join this room" for m in entries)  # a page's word
    assert any(m.id == "That password is not right for this room." for m in entries)  # a server refusal


def _formats(text: str) -> bool:
    """A page's words are %-formatted (Jinja's gettext, the server's refusals): a % must be a slot or %%."""
    return "%" not in re.sub(r"%\(\w+\)s|%%", "", text)


def _forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def _english(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda language: language.code)
def test_every_entry_is_translated_with_its_slots_and_markup(language, template: Catalog) -> None:
    catalog = _read(FOLDER / language.code / "LC_MESSAGES" / "messages.po", language.code)
    problems = []
    for wanted in template:
        if not wanted.id:
            continue
        found = catalog.get(wanted.id, wanted.context)
        where = f"{wanted.context or ''} {_english(wanted)[0][:60]!r}"
        if found is None:
            problems.append(f"missing: {where}")
            continue
        forms = _forms(found)
        if found.fuzzy or not all(form.strip() for form in forms):
            problems.append(f"untranslated or fuzzy: {where}")
            continue
        if isinstance(wanted.id, (list, tuple)) and len(forms) != catalog.num_plurals:
            problems.append(f"{len(forms)} plural forms, not {catalog.num_plurals}: {where}")
        english = _english(wanted)
        slots = set().union(*(SLOT.findall(text) for text in english))
        tags = Counter(TAG.findall(english[-1]))
        for form in forms:
            # A form for exactly one may say the number in words, as "une minute" does; no other slot may go.
            if not set(SLOT.findall(form)) <= slots or (len(forms) == 1 and set(SLOT.findall(form)) != slots):
                problems.append(f"slots {sorted(SLOT.findall(form))} for {sorted(slots)}: {where}")
            if Counter(TAG.findall(form)) != tags or form.count("<") != english[-1].count("<"):
                problems.append(f"markup differs: {where}")
            if not wanted.context and not _formats(form):
                problems.append(f"a % that is not a slot: {where}")
    assert problems == []


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda language: language.code)
def test_no_entry_is_left_over_from_words_no_longer_used(language, template: Catalog) -> None:
    catalog = _read(FOLDER / language.code / "LC_MESSAGES" / "messages.po", language.code)
    wanted = {_key(m) for m in template if m.id}
    assert [m.id for m in catalog if m.id and _key(m) not in wanted] == []
    assert not catalog.obsolete


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda language: language.code)
def test_each_plural_category_the_scripts_use_is_one_gettext_form(language) -> None:
    """The catalog's Plural-Forms and CLDR (what Intl.PluralRules says) agree on every whole number."""
    catalog = _read(FOLDER / language.code / "LC_MESSAGES" / "messages.po", language.code)
    form_of = gettext.c2py(catalog.plural_expr)
    locale = Locale.parse(language.code)
    seen: dict[str, set[int]] = {}
    for count in (*range(0, 3000), 1_000_000, 2_000_000, 10_000_000):
        seen.setdefault(locale.plural_form(count), set()).add(form_of(count))
    assert {category: forms for category, forms in seen.items() if len(forms) > 1} == {}
    assert len({form for forms in seen.values() for form in forms}) == catalog.num_plurals


@pytest.mark.parametrize(
    ("english", "translated"),
    [
        ("Join this room", "<IMG SRC=https://t.example/x>Rejoindre"),
        ("Join this room", "<img/src=x>Rejoindre"),
        ("Join this room", "Rejoindre <svg/onload=alert(1)>"),
        ("<strong>No accounts.</strong> Pick", "<STRONG>Pas de comptes.</STRONG> <meta http-equiv=refresh>"),
        ("Join this room", "Rejoindre < script"),
    ],
)
def test_markup_a_translation_adds_is_found(english: str, translated: str) -> None:
    assert Counter(TAG.findall(translated)) != Counter(TAG.findall(english)) or translated.count("<") != english.count(
        "<"
    )


def test_a_lone_percent_is_found() -> None:
    assert not _formats("100 % sûr")
    assert _formats("%(num)s minutes, 100%% sûr")
