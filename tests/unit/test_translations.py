"""Reading the catalogs: gettext's plural forms for the pages, Intl's plural categories for the scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from ephemeral.languages import LANGUAGES, by_tag
from ephemeral.translations import Catalogs, PageWords, catalogs, script_table

FOLDER = str(Path(__file__).resolve().parents[2] / "translations")
MINUTES = ("%(num)s minute", "%(num)s minutes")


def catalog_for(locale: str, forms: list[str]) -> Catalog:
    catalog = Catalog(locale=locale)
    catalog.add(MINUTES, forms)
    catalog.add(("{count} file", "{count} files"), [form.replace("%(num)s", "{count}") for form in forms], context="k")
    catalog.add("Untranslated", "")
    catalog.add("Fuzzy", "Flou", flags=["fuzzy"])
    return catalog


RUSSIAN = ["%(num)s минута", "%(num)s минуты", "%(num)s минут"]


@pytest.mark.parametrize(
    ("count", "form"), [(1, 0), (21, 0), (2, 1), (4, 1), (22, 1), (5, 2), (11, 2), (12, 2), (0, 2)]
)
def test_a_page_picks_the_russian_form_gettext_names(count: int, form: int) -> None:
    words = PageWords(catalog_for("ru", RUSSIAN))
    assert words.ngettext(*MINUTES, count) == RUSSIAN[form]


def test_what_is_untranslated_or_fuzzy_shows_the_english() -> None:
    words = PageWords(catalog_for("fr", ["%(num)s minute", "%(num)s de minutes", "%(num)s minutes"]))
    assert words.gettext("Untranslated") == "Untranslated"
    assert words.gettext("Fuzzy") == "Fuzzy"
    assert words.ngettext("a thing", "things", 3) == "things"


def test_the_scripts_get_each_intl_category_with_its_gettext_form_and_always_other() -> None:
    table = script_table(catalog_for("ru", RUSSIAN), Locale.parse("ru"))
    assert table["k"] == {
        "one": "{count} минута",
        "few": "{count} минуты",
        "many": "{count} минут",
        "other": "{count} минут",
    }
    assert "Untranslated" not in table and "Fuzzy" not in table


def test_arabic_gets_all_six_categories_from_its_six_forms() -> None:
    forms = [f"{name} %(num)s" for name in ("zero", "one", "two", "few", "many", "other")]
    table = script_table(catalog_for("ar", forms), Locale.parse("ar"))
    assert table["k"] == {name: f"{name} {{count}}" for name in ("zero", "one", "two", "few", "many", "other")}


def test_the_catalogs_are_read_once_per_process() -> None:
    assert catalogs(FOLDER, LANGUAGES) is catalogs(FOLDER, LANGUAGES)
    german = by_tag("de")
    assert german is not None
    assert catalogs(FOLDER, LANGUAGES).gettext(german).gettext("Join this room") != "Join this room"


def test_a_scripts_word_that_holds_markup_stays_data_in_the_pages_block(tmp_path: Path) -> None:
    hostile = "</script><script>alert(1)</script><!-- ' & \u2028"
    catalog = Catalog(locale="de")
    catalog.add("Connected.", hostile, context="status.connected")
    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.po", "wb") as po:
        write_po(po, catalog)
    german = by_tag("de")
    assert german is not None
    block = Catalogs(str(tmp_path), (german,)).script_json(german)
    assert not set("<>&'") & set(block), block
    assert json.loads(block) == {"status.connected": hostile}
