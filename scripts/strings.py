"""Gather every word the pages and scripts show into `translations/messages.pot`, and bring each language's
catalog up to date with it: `make strings` after adding or changing words.

The pages' words are the `_()` and `{% trans %}` of the templates and the `N_()`-marked refusals of the
server; the scripts' words are `static/js/strings/en.js`, each entry with its key as context. A new word
arrives in every catalog untranslated (the page shows the English text until a translator fills it); a
word no longer used leaves them.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from ephemeral.languages import ENGLISH, LANGUAGES

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "translations"
TEMPLATE = FOLDER / "messages.pot"
SCRIPT_TABLE = "static/js/strings/en.js"
PROJECT = "Ephemeral"
HOLDER = "the Ephemeral contributors"
_CREATED = re.compile(rb'"POT-Creation-Date: [^"]*"\n')


def english_script_table() -> dict[str, str | dict[str, str]]:
    """en.js as data, read by Node (it is a module, not JSON)."""
    program = "import(process.argv[1]).then((m) => process.stdout.write(JSON.stringify(m.default)))"
    out = subprocess.run(
        ["node", "-e", program, (ROOT / SCRIPT_TABLE).as_uri()], check=True, capture_output=True, text=True
    ).stdout
    table: dict[str, str | dict[str, str]] = json.loads(out)
    return table


def _extract_into(catalog: Catalog, folder: str, method_map: list[tuple[str, str]], **keywords: None) -> None:
    keywords = {**DEFAULT_KEYWORDS, **keywords}
    found = extract_from_dir(ROOT / folder, method_map, keywords=keywords, comment_tags=("Translators:",))
    for filename, line, message, comments, context in found:
        catalog.add(message, locations=[(f"{folder}/{filename}", line)], auto_comments=comments, context=context)


def template_catalog() -> Catalog:
    catalog = Catalog(project=PROJECT, version="1", copyright_holder=HOLDER, fuzzy=False)
    _extract_into(catalog, "templates", [("**.html", "jinja2.ext:babel_extract")])
    _extract_into(catalog, "ephemeral", [("**.py", "python")], N_=None)
    for key, english in english_script_table().items():
        # A plural entry is English's two forms; gettext's msgid and msgid_plural are just that.
        message = (english["one"], english["other"]) if isinstance(english, dict) else english
        catalog.add(message, locations=[(SCRIPT_TABLE, 0)], context=key)
    return catalog


def _write(path: Path, catalog: Catalog) -> bool:
    """Write `catalog` unless only its creation date would change, so a run with nothing new changes nothing."""
    out = io.BytesIO()
    write_po(out, catalog, width=100, include_lineno=False)
    before = path.read_bytes() if path.exists() else b""
    if _CREATED.sub(b"", before) == _CREATED.sub(b"", out.getvalue()):
        return False
    path.write_bytes(out.getvalue())
    return True


def update(template: Catalog) -> list[str]:
    """Write the template and bring every language's catalog up to date; the files it changed."""
    FOLDER.mkdir(exist_ok=True)
    changed = [str(TEMPLATE.relative_to(ROOT))] if _write(TEMPLATE, template) else []
    for language in LANGUAGES:
        if language == ENGLISH:
            continue
        path = FOLDER / language.code / "LC_MESSAGES" / "messages.po"
        if path.exists():
            with open(path, "rb") as po:
                catalog = read_po(po, locale=language.code)
        else:
            path.parent.mkdir(parents=True)
            catalog = Catalog(locale=language.code, project=PROJECT, version="1", copyright_holder=HOLDER, fuzzy=False)
        # No fuzzy matching: a guessed translation of a changed sentence would show as if it were right.
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if _write(path, catalog):
            changed.append(str(path.relative_to(ROOT)))
    return changed


def main() -> int:
    for path in update(template_catalog()):
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
