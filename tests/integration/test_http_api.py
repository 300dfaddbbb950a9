"""The JSON API and pages against the real server process."""

from __future__ import annotations

import re

import requests

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
    assert set(body) == {"room_id", "mode", "name", "alias", "participant_id", "expires_at", "url", "room"}
    assert body["mode"] == "standard"
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


# A full room and a full server: tests/inprocess/test_server_limits.py.


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


def test_security_headers_reach_the_browser(server):
    """Every path's headers are checked in process; this one proves the real server sends them."""
    response = requests.get(server.url + "/", timeout=10)
    assert response.headers["Cache-Control"].startswith("no-store")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_pages_have_no_inline_script_or_style(people, server):
    ann = people()
    room_id = ann.create().json()["room_id"]
    for path in ("/", f"/r/{room_id}", "/gone?reason=purged"):
        # In Arabic the page carries its scripts' words: a JSON block, data the browser never runs.
        html = ann.http.get(server.url + path, timeout=10, headers={"Accept-Language": "ar"}).text
        assert html.count('<script type="application/json" id="script-strings">') == 1, path
        assert not re.search(r'<script(?![^>]*\b(src=|type="application/json"))', html), path
        assert "<style" not in html and " style=" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path


def test_method_not_allowed_is_not_500(server):
    response = requests.delete(server.url + "/api/rooms", timeout=10)
    assert response.status_code == 405
