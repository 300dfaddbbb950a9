"""Behind a trusted reverse proxy, the public origin is the one that counts, for sockets too."""

from __future__ import annotations

import pytest

from tests.support.people import Person, Refused
from tests.support.server import running_server

PUBLIC = "https://chat.example"
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "chat.example", "X-Forwarded-For": "203.0.113.9"}


def test_trusted_proxy_origin_opens_sockets_and_secures_the_cookie(tmp_path):
    with running_server(tmp_path, env={"EPHEMERAL_TRUSTED_PROXIES": "1"}) as srv:
        ann = Person(srv.url)
        created = ann.post_json(
            "/api/rooms", {"alias": "ann", "name": "n", "password": "p"}, headers={"Origin": PUBLIC, **FORWARDED}
        )
        assert created.status_code == 201
        assert created.json()["url"].startswith(PUBLIC + "/r/")
        assert "Secure" in created.headers["Set-Cookie"]
        assert created.headers["Strict-Transport-Security"].startswith("max-age=")
        # Over https the cookie is `__Host-ephemeral`; the plain name opens no socket there.
        value = created.cookies["__Host-ephemeral"]
        auth = {"room": created.json()["room_id"]}
        with pytest.raises(Refused, match=r"^unauthorized$"):
            ann.connect_with_auth(auth, headers=FORWARDED, cookie=f"ephemeral={value}", origin=PUBLIC)
        sock = ann.connect_with_auth(auth, headers=FORWARDED, cookie=f"__Host-ephemeral={value}", origin=PUBLIC)
        assert sock.wait("welcome")["alias"] == "ann"


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(tmp_path):
    with running_server(tmp_path) as srv:
        ann = Person(srv.url)
        created = ann.create()
        assert "Secure" not in created.headers["Set-Cookie"]
        assert "Strict-Transport-Security" not in created.headers
        with pytest.raises(Refused, match=r"^unauthorized$"):
            ann.connect_with_auth({"room": created.json()["room_id"]}, headers=FORWARDED, origin=PUBLIC)
