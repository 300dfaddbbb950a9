"""Pages in the reader's language: the templates' `_()`, the server's refusals on a page, and the switcher.

The JSON API's `message` stays English (clients show their own words for its `code`); everything a page
shows goes through the catalogs in `translations.py`.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, redirect, request

from . import languages
from .errors import BadCsrf, EphemeralError, Invalid
from .languages import LANGUAGES, Language
from .translations import Catalogs, catalogs

blueprint = Blueprint("language", __name__)


def current() -> Language:
    """This request's language, decided once."""
    if "language" not in g:
        g.language = languages.for_request(request)
    language: Language = g.language
    return language


def _catalogs() -> Catalogs:
    catalogs: Catalogs = current_app.extensions["ephemeral_catalogs"]
    return catalogs


def gettext(text: str) -> str:
    return _catalogs().gettext(current()).gettext(text)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _catalogs().gettext(current()).ngettext(singular, plural, count)


def say(error: EphemeralError) -> str:
    """A refusal's words in the reader's language, its slots filled after translation."""
    words = gettext(error.words)
    return words % error.params if error.params else words


def _here() -> str:
    """This page's path and query, for the switcher to come back to; a query that is not UTF-8 is mended."""
    query = request.query_string.decode("utf-8", "replace")
    return f"{request.path}?{query}" if query else request.path


def _page_context() -> dict[str, Any]:
    language = current()
    return {
        "language": language,
        "languages": LANGUAGES,
        "script_strings": _catalogs().script_json(language),
        "here": _here(),
    }


@blueprint.post("/language")
def choose() -> Response:
    """The switcher: keep the chosen language for this browser session, then back to the page it was on."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        raise BadCsrf()  # another site may not change a reader's language, harmless as that would be
    language = languages.by_tag(request.form.get("lang"))
    if language is None:
        raise Invalid()
    response = redirect(languages.safe_next(request.form.get("next")), 303)
    # No Max-Age or Expires: the choice ends with the browser session, and the cookie holds nothing else.
    response.set_cookie(
        languages.cookie_name(request.is_secure),
        language.tag,
        path="/",
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return response  # type: ignore[return-value]


def install(app: Flask, root: str) -> None:
    """Read the catalogs and give the templates the request's language (Jinja's i18n extension, new style)."""
    app.extensions["ephemeral_catalogs"] = catalogs(os.path.join(root, "translations"), LANGUAGES)
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    app.context_processor(_page_context)
    app.register_blueprint(blueprint)
