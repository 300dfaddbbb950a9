"""The pages' language: from Accept-Language, or the switcher's choice for this browser session only.

Expected words are read from the catalogs (never written here), so the tests hold as translators
improve them; each asserts the page changed from English.
"""

from __future__ import annotations

import json
import re
from http.cookies import SimpleCookie

import pytest
from flask import Flask

from ephemeral.languages import LANGUAGES, by_tag
from ephemeral.translations import Catalogs

PAGE_LANGUAGE = re.compile(r'<html lang="([^"]+)" dir="(ltr|rtl)">')
HTTPS = {"wsgi.url_scheme": "https"}


def catalogs(app: Flask) -> Catalogs:
    found: Catalogs = app.extensions["ephemeral_catalogs"]
    return found


def words(app: Flask, tag: str, english: str) -> str:
    language = by_tag(tag)
    assert language is not None
    return catalogs(app).gettext(language).gettext(english)


def page_language(body: bytes) -> tuple[str, str]:
    found = PAGE_LANGUAGE.search(body.decode())
    assert found, "the page does not say its language"
    return found.group(1), found.group(2)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("ar", "ar"),
        ("fa-IR,fa;q=0.9,en;q=0.5", "fa"),
        ("de;q=0.5, fr;q=0.9", "fr"),
        ("pt-PT", "pt-BR"),
        ("zh-CN", "zh-Hans"),
        ("zh-TW,en;q=0.1", "zh-Hans"),
        ("uk-UA", "uk"),
        ("nl, *", "en"),
        ("RU", "ru"),
        (";;;,q=,é=1,\x7f", "en"),
        ("x" * 4000, "en"),
    ],
)
def test_the_page_speaks_the_best_language_the_browser_asks_for(app: Flask, header, expected) -> None:
    headers = {"Accept-Language": header} if header is not None else {}
    response = app.test_client().get("/", headers=headers)
    assert response.status_code == 200
    assert page_language(response.data) == (expected, "rtl" if expected in ("ar", "fa") else "ltr")
    assert not [cookie for cookie in response.headers.getlist("Set-Cookie") if "lang=" in cookie]


TRANSLATED = [language for language in LANGUAGES if language.code != "en"]


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda language: language.code)
def test_every_language_translates_the_page_and_hands_its_scripts_their_words(app: Flask, language) -> None:
    response = app.test_client().get("/", headers={"Accept-Language": language.tag})
    body = response.data.decode()
    title = words(app, language.tag, "Join this room")
    assert title != "Join this room", f"{language.code} has no translation yet"
    assert words(app, language.tag, "Create a room") in body
    assert "Create a room" not in body
    table = catalogs(app).script_table(language)
    assert table["status.connected"] != "Connected. Nothing here is stored."
    assert 'id="script-strings"' in body
    plural = table["share.expires"]
    assert isinstance(plural, dict) and "other" in plural


def _cookie(response) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        jar.load(header)
    return jar


def test_the_switcher_keeps_the_choice_for_the_browser_session_only(app: Flask) -> None:
    client = app.test_client()
    answer = client.post("/language", data={"lang": "uk", "next": "/gone?reason=purged"})
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/gone?reason=purged"
    cookie = _cookie(answer)["lang"]
    assert cookie.value == "uk"
    assert not cookie["expires"] and not cookie["max-age"], "the choice must end with the browser session"
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    # It wins over what the browser asks for, on every page.
    page = client.get("/gone?reason=purged", headers={"Accept-Language": "fr"})
    assert page_language(page.data) == ("uk", "ltr")
    assert words(app, "uk", "The server's operator closed this room. Every message is gone from every screen.") not in (
        page.data.decode()
    )
    assert words(app, "uk", "Every message is gone from every screen, and everyone in it was signed out.") in (
        page.data.decode()
    )


def test_over_https_the_choice_is_a_host_only_secure_cookie_and_http_ignores_it(app: Flask) -> None:
    client = app.test_client()
    answer = client.post("/language", data={"lang": "ar", "next": "/"}, environ_overrides=HTTPS)
    cookie = _cookie(answer)["__Host-lang"]
    assert cookie.value == "ar" and cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]
    assert page_language(client.get("/", environ_overrides=HTTPS).data) == ("ar", "rtl")
    assert page_language(client.get("/").data) == ("en", "ltr")


@pytest.mark.parametrize(
    "next_page", ["//elsewhere.example/", "/\\elsewhere.example", "https://elsewhere.example/", "", None, "/\r\nX: y"]
)
def test_the_switcher_goes_back_only_to_this_site(app: Flask, next_page) -> None:
    data = {"lang": "de"} | ({"next": next_page} if next_page is not None else {})
    answer = app.test_client().post("/language", data=data)
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/"


@pytest.mark.parametrize("data", [{"lang": "tlh"}, {"lang": ""}, {}, {"lang": "de" * 1000}])
def test_an_unknown_language_is_a_clear_400_and_sets_nothing(app: Flask, data) -> None:
    answer = app.test_client().post("/language", data=data)
    assert answer.status_code == 400
    assert "Set-Cookie" not in answer.headers


def test_another_site_cannot_change_a_readers_language(app: Flask) -> None:
    answer = app.test_client().post("/language", data={"lang": "de"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert answer.status_code == 403
    assert "Set-Cookie" not in answer.headers


def test_a_refused_form_says_why_in_the_readers_language(app: Flask) -> None:
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").data.decode())
    assert token
    form = {"csrf_token": token.group(1), "alias": "", "name": "x" * 65, "password": "pw"}
    refused = client.post("/", data=form, headers={"Accept-Language": "de"})
    assert refused.status_code == 400
    body = refused.data.decode()
    assert words(app, "de", "Alias must not be empty.") in body
    assert words(app, "de", "Room name must be at most %(limit)s characters.") % {"limit": 64} in body
    assert "Alias must not be empty." not in body


def test_the_api_answers_in_english_whatever_the_browser_asks_for(app: Flask) -> None:
    answer = app.test_client().post(
        "/api/rooms", json={"alias": "", "name": "n", "password": "p"}, headers={"Accept-Language": "ru"}
    )
    assert answer.status_code == 400
    assert answer.json == {"error": "invalid", "message": "Alias must not be empty."}


def test_an_error_page_is_in_the_readers_language(app: Flask) -> None:
    missing = app.test_client().get("/no/such/page", headers={"Accept-Language": "es"})
    assert missing.status_code == 404
    assert words(app, "es", "There is nothing at this address.") in missing.data.decode()
    assert page_language(missing.data) == ("es", "ltr")


def test_the_page_hands_its_scripts_the_catalogs_block_as_it_is(app: Flask) -> None:
    german = by_tag("de")
    assert german is not None
    body = app.test_client().get("/", headers={"Accept-Language": "de"}).data.decode()
    block = re.search(r'<script type="application/json" id="script-strings">(.*?)</script>', body, re.S)
    assert block and block.group(1) == catalogs(app).script_json(german)
    assert json.loads(block.group(1)) == catalogs(app).script_table(german)


@pytest.mark.parametrize("query", ["\xff", "x=\xe9", "%FF%FE"])
def test_a_query_that_is_not_utf8_still_gets_its_page(app: Flask, query: str) -> None:
    # A WSGI environ holds the raw bytes as latin-1: "\xff" is the byte 0xFF, which no UTF-8 decoder takes.
    answer = app.test_client().get("/", environ_overrides={"QUERY_STRING": query})
    assert answer.status_code == 200
    assert 'name="next" value="/?' in answer.data.decode()


def test_a_query_the_page_reads_that_is_not_utf8_is_a_clear_400(app: Flask) -> None:
    answer = app.test_client().get("/gone", environ_overrides={"QUERY_STRING": "reason=purged&x=\xe9"})
    assert answer.status_code == 400
    assert page_language(answer.data) == ("en", "ltr")


def test_a_language_the_browser_refuses_with_quality_0_is_not_chosen(app: Flask) -> None:
    answer = app.test_client().get("/", headers={"Accept-Language": "de;q=0, fr;q=0.5"})
    assert page_language(answer.data) == ("fr", "ltr")
    answer = app.test_client().get("/", headers={"Accept-Language": "de;q=0"})
    assert page_language(answer.data) == ("en", "ltr")
