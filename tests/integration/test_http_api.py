"""The JSON API and pages against the real server process."""

from __future__ import annotations

import re

import pytest
import requests

from tests.support.people import Person

ROOM_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


def test_healthz(server):
    response = requests.get(server.url + "/healthz", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_create_returns_room_and_cookie(people):
    ann = people()
    response = ann.create(alias="  Ann  ", name="Plans", password="pw")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"room_id", "name", "alias", "expires_at", "url"}
    assert ROOM_ID.match(body["room_id"])
    assert body["alias"] == "Ann"  # trimmed: the value validated is the value stored
    assert body["name"] == "Plans"
    assert body["url"].endswith("/r/" + body["room_id"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_same_name_makes_different_rooms(people):
    first = people().create(name="same").json()["room_id"]
    second = people().create(name="same").json()["room_id"]
    assert first != second


def test_join_with_password(people):
    room_id = people().create(password="open sesame").json()["room_id"]
    response = people().join(room_id, alias="bob", password="open sesame")
    assert response.status_code == 200
    assert response.json()["alias"] == "bob"
    assert response.json()["room_id"] == room_id


@pytest.mark.parametrize(
    ("alias", "password", "status", "code"),
    [
        ("bob", "wrong", 403, "wrong_password"),
        ("ANN", "secret", 409, "alias_taken"),
        ("\uff41\uff4e\uff4e", "secret", 409, "alias_taken"),  # full-width "ann"
        ("ann ", "secret", 409, "alias_taken"),
        ("", "secret", 400, "invalid"),
        ("a\u200bnn", "secret", 400, "invalid"),
        ("a\u202enn", "secret", 400, "invalid"),
        ("a\x00nn", "secret", 400, "invalid"),
        ("x" * 33, "secret", 400, "invalid"),
        ("bob", "", 400, "invalid"),
        ("bob", "p" * 1025, 400, "invalid"),
    ],
)
def test_join_errors(people, alias, password, status, code):
    room_id = people().create(alias="ann", password="secret").json()["room_id"]
    response = people().join(room_id, alias=alias, password=password)
    assert response.status_code == status
    assert response.json()["error"] == code
    assert response.json()["message"]


def test_room_full(own_server):
    srv = own_server({"EPHEMERAL_MAX_PARTICIPANTS": "2"})
    room_id = Person(srv.url).create().json()["room_id"]
    assert Person(srv.url).join(room_id, alias="b").status_code == 200
    response = Person(srv.url).join(room_id, alias="c")
    assert response.status_code == 409
    assert response.json()["error"] == "room_full"


def test_capacity(own_server):
    srv = own_server({"EPHEMERAL_MAX_ROOMS": "2"})
    person = Person(srv.url)
    assert person.create(name="a").status_code == 201
    assert person.create(name="b").status_code == 201
    response = person.create(name="c")
    assert response.status_code == 503
    assert response.json()["error"] == "capacity"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ('{"alias": "a", "name": "n", "password": "p"}', "text/plain", 415, "unsupported_media_type"),
        ("alias=a&name=n&password=p", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("{not json", "application/json", 400, "invalid"),
        ("[1, 2]", "application/json", 400, "invalid"),
        ('"text"', "application/json", 400, "invalid"),
        ("{}", "application/json", 400, "invalid"),
        ('{"alias": 1, "name": "n", "password": "p"}', "application/json", 400, "invalid"),
        ('{"alias": "a", "name": ["n"], "password": "p"}', "application/json", 400, "invalid"),
        ('{"alias": "a", "name": "n", "password": null}', "application/json", 400, "invalid"),
        ('{"alias": "a", "name": "' + "n" * 65 + '", "password": "p"}', "application/json", 400, "invalid"),
        ('{"alias": "\\ud800", "name": "n", "password": "p"}', "application/json", 400, "invalid"),
        ('{"alias": "a", "name": "n", "password": "\\udfff"}', "application/json", 400, "invalid"),
        ('{"alias": "a", "name": "n", "password": "' + "x" * 40_000 + '"}', "application/json", 400, "invalid"),
    ],
)
def test_bad_create_bodies(people, body, content_type, status, code):
    response = people().http.post(
        people().base_url + "/api/rooms", data=body.encode(), headers={"Content-Type": content_type}, timeout=10
    )
    assert response.status_code == status
    assert response.json()["error"] == code


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1:1"])
def test_foreign_origin_refused(people, origin):
    ann = people()
    response = ann.post_json("/api/rooms", {"alias": "a", "name": "n", "password": "p"}, headers={"Origin": origin})
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_same_origin_accepted(people, server):
    response = people().post_json(
        "/api/rooms", {"alias": "a", "name": "n", "password": "p"}, headers={"Origin": server.url}
    )
    assert response.status_code == 201


def test_unknown_room_join_is_404(people):
    response = people().join("A" * 22)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_wrong_passwords_are_rate_limited(people):
    room_id = people().create(password="right").json()["room_id"]
    guesser = people()
    statuses = [guesser.join(room_id, alias="eve", password=f"guess{i}").status_code for i in range(12)]
    assert statuses[:10] == [403] * 10
    limited = guesser.join(room_id, alias="eve", password="right")
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    # Another address is not punished for this one's guesses.
    assert people().join(room_id, alias="friend", password="right").status_code == 200


def test_room_page_states(people, server):
    ann = people()
    room_id = ann.create(name="Sunday plans").json()["room_id"]
    chat = ann.http.get(f"{server.url}/r/{room_id}", timeout=10)
    assert chat.status_code == 200
    assert 'id="chat"' in chat.text and "Sunday plans" in chat.text
    stranger = people().http.get(f"{server.url}/r/{room_id}", timeout=10)
    assert stranger.status_code == 200
    assert 'id="chat"' not in stranger.text and 'name="password"' in stranger.text
    assert "Sunday plans" not in stranger.text  # no password, no room name


def test_unknown_room_page_is_404(people, server):
    for room_id in ("A" * 22, "nope", "x" * 300):
        response = people().http.get(f"{server.url}/r/{room_id}", timeout=10)
        assert response.status_code == 404
        assert "This room is gone" in response.text


@pytest.mark.parametrize("path", ["/", "/healthz", "/r/" + "A" * 22, "/gone", "/nope", "/static/css/app.css"])
def test_security_headers_everywhere(server, path):
    response = requests.get(server.url + path, timeout=10)
    assert response.headers["Cache-Control"].startswith("no-store")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src


def test_pages_have_no_inline_script_or_style(people, server):
    ann = people()
    room_id = ann.create().json()["room_id"]
    for path in ("/", f"/r/{room_id}", "/gone?reason=purged"):
        html = ann.http.get(server.url + path, timeout=10).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert "<style" not in html and " style=" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path


def test_method_not_allowed_is_not_500(server):
    response = requests.delete(server.url + "/api/rooms", timeout=10)
    assert response.status_code == 405
