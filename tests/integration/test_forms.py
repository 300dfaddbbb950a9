"""The HTML forms: CSRF token required; Origin: null from Chromium still works."""

from __future__ import annotations

import re


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "form without a CSRF token"
    return match.group(1)


def test_create_and_join_through_forms(people, server):
    ann = people()
    token = _csrf(ann.http.get(server.url + "/", timeout=10).text)
    created = ann.http.post(
        server.url + "/",
        data={"csrf_token": token, "alias": "ann", "name": "Form room", "password": "pw"},
        headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
        allow_redirects=False,
        timeout=10,
    )
    assert created.status_code == 303
    room_path = created.headers["Location"]
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]{22}/share", created.headers["Location"])
    room_path = room_path.removesuffix("/share")
    assert 'id="chat"' in ann.http.get(server.url + room_path, timeout=10).text

    bob = people()
    join_token = _csrf(bob.http.get(server.url + room_path, timeout=10).text)
    wrong = bob.http.post(
        server.url + room_path, data={"csrf_token": join_token, "alias": "bob", "password": "nope"}, timeout=10
    )
    assert wrong.status_code == 403
    assert "not right" in wrong.text
    joined = bob.http.post(
        server.url + room_path,
        data={"csrf_token": join_token, "alias": "bob", "password": "pw"},
        allow_redirects=False,
        timeout=10,
    )
    assert joined.status_code == 303
    assert 'id="chat"' in bob.http.get(server.url + room_path, timeout=10).text


def test_form_without_csrf_token_is_refused(people, server):
    ann = people()
    ann.http.get(server.url + "/", timeout=10)
    response = ann.http.post(server.url + "/", data={"alias": "a", "name": "n", "password": "p"}, timeout=10)
    assert response.status_code == 403


def test_cross_site_form_post_is_refused(people, server):
    ann = people()
    token = _csrf(ann.http.get(server.url + "/", timeout=10).text)
    response = ann.http.post(
        server.url + "/",
        data={"csrf_token": token, "alias": "a", "name": "n", "password": "p"},
        headers={"Sec-Fetch-Site": "cross-site"},
        timeout=10,
    )
    assert response.status_code == 403


def test_form_errors_keep_inputs_but_not_password(people, server):
    ann = people()
    token = _csrf(ann.http.get(server.url + "/", timeout=10).text)
    response = ann.http.post(
        server.url + "/",
        data={"csrf_token": token, "alias": "x" * 40, "name": "Kept name", "password": "hunter2"},
        timeout=10,
    )
    assert response.status_code == 400
    assert "at most 32 characters" in response.text
    assert 'value="Kept name"' in response.text
    assert "hunter2" not in response.text


def test_share_card_is_for_participants_only(people, server):
    ann = people()
    created = ann.create(name="Share me", password="hunter2").json()
    share = ann.http.get(f"{server.url}/r/{created['room_id']}/share", timeout=10)
    assert share.status_code == 200
    assert created["url"] in share.text
    assert "<svg" in share.text and 'class="qr"' in share.text
    assert "hunter2" not in share.text
    stranger = people().http.get(f"{server.url}/r/{created['room_id']}/share", allow_redirects=False, timeout=10)
    assert stranger.status_code == 303
    assert stranger.headers["Location"].endswith(f"/r/{created['room_id']}")
    gone = people().http.get(f"{server.url}/r/{'Z' * 22}/share", timeout=10)
    assert gone.status_code == 404
