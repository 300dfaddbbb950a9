"""The session cookie: `__Host-ephemeral` over https, `ephemeral` over http; each scheme reads only its own.

Three ways a request arrives: plain http, https seen by the app itself, and
https told by a trusted proxy's `X-Forwarded-Proto`. Sockets behind a proxy
are the real server's (`integration/test_proxy.py`): Flask-SocketIO's test
client hands its environ to Socket.IO without the app's middleware.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ephemeral import create_app
from tests.support.inprocess import BackgroundTasks, Person
from tests.support.people import Refused

NAMES = {False: "ephemeral", True: "__Host-ephemeral"}
HOWS = ("http", "https", "forwarded-https")


class HttpsClient(FlaskClient):
    """A browser reaching the app over https: the app sees the scheme itself, as behind its own TLS."""

    def _request_from_builder_args(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        kwargs.setdefault("base_url", "https://localhost/")
        return super()._request_from_builder_args(args, kwargs)


@dataclass
class Site:
    app: Flask
    tasks: BackgroundTasks
    how: str

    @property
    def secure(self) -> bool:
        return self.how != "http"

    def person(self) -> Person:
        person = Person(self.app, self.tasks)
        if self.how == "forwarded-https":
            person.http.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
        return person


@pytest.fixture(params=HOWS)
def site(request: pytest.FixtureRequest, tasks: BackgroundTasks) -> Iterator[Site]:
    proxied = request.param == "forwarded-https"
    app = create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4, "TRUSTED_PROXIES": int(proxied)}, environ={})
    if request.param == "https":
        app.test_client_class = HttpsClient
    yield Site(app, tasks, request.param)
    tasks.run()


def attributes(set_cookie: str) -> tuple[str, dict[str, str]]:
    """The cookie's name and its attributes, names lower-cased."""
    pair, *rest = set_cookie.split(";")
    found = {}
    for attribute in rest:
        key, _, value = attribute.strip().partition("=")
        found[key.lower()] = value
    return pair.partition("=")[0], found


def share_status(person: Person, room_id: str) -> int:
    """200 for a member (the share card), 303 to the join page for anyone else."""
    response: TestResponse = person.http.get(f"/r/{room_id}/share")
    return response.status_code


def test_the_cookie_is_named_and_marked_by_the_scheme(site: Site) -> None:
    ann = site.person()
    created = ann.create()
    assert created.status_code == 201
    [set_cookie] = created.headers.getlist("Set-Cookie")
    name, marked = attributes(set_cookie)
    assert name == NAMES[site.secure]
    # What a browser requires of a `__Host-` cookie: Secure, Path=/, no Domain.
    assert ("secure" in marked) is site.secure
    assert marked["path"] == "/"
    assert "domain" not in marked
    assert "httponly" in marked
    assert marked["samesite"] == "Lax"
    room_id = created.json()["room_id"]
    assert share_status(ann, room_id) == 200
    if site.how != "forwarded-https":
        assert ann.connect(room_id).wait("welcome")["room_id"] == room_id


def test_a_cookie_under_the_other_schemes_name_opens_nothing(site: Site) -> None:
    ann = site.person()
    room_id = ann.create().json()["room_id"]
    cookie = ann.http.get_cookie(NAMES[site.secure])
    assert cookie is not None
    eve = site.person()
    eve.http.set_cookie(NAMES[not site.secure], cookie.value)
    assert share_status(eve, room_id) == 303
    if site.how != "forwarded-https":
        with pytest.raises(Refused, match=r"^unauthorized$"):
            eve.connect(room_id)
    # The same value under this scheme's name is a valid binding: only the name refused it.
    eve.http.set_cookie(NAMES[site.secure], cookie.value)
    assert share_status(eve, room_id) == 200
