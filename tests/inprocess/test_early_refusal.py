"""A join or creation a limit refuses is answered before the app reads it: no hash, no page, no cookie.

A guessing storm from many addresses is mostly refused attempts, so what a
refusal costs is what the storm costs everyone else. These tests watch the app
while it refuses: bcrypt runs (`hashes_run`), templates rendered (Flask's
`template_rendered` signal) and the session cookie (`Set-Cookie`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask, template_rendered

from ephemeral import create_app
from ephemeral.early_refusal import target
from ephemeral.errors import RateLimited
from ephemeral.hash_gate import BUSY
from ephemeral.ratelimit import Limit
from tests.support.inprocess import Answer, BackgroundTasks, Person

ONE_GUESS_THEN_DAYS = Limit(burst=1, per_second=1e-6)
GUESS = {"alias": "eve", "password": "wrong"}


@dataclass
class Watch:
    """What the app did while a test looked: hashes run, templates rendered."""

    app: Flask
    hashes_before: int = 0
    templates: list[str] = field(default_factory=list)

    def __enter__(self) -> Watch:
        self.hashes_before = self.app.extensions["ephemeral"].hasher.hashes_run
        template_rendered.connect(self._rendered, self.app)
        return self

    def __exit__(self, *exc: object) -> None:
        template_rendered.disconnect(self._rendered, self.app)

    def _rendered(self, sender: Flask, template: Any, **extra: Any) -> None:
        self.templates.append(template.name)

    @property
    def hashes(self) -> int:
        hashes: int = self.app.extensions["ephemeral"].hasher.hashes_run - self.hashes_before
        return hashes


@pytest.fixture
def app(tasks: BackgroundTasks) -> Iterator[Flask]:
    """One wrong guess spends a room's budget for days."""
    overrides = {"ASYNC_MODE": "threading", "BCRYPT_COST": 4, "WRONG_PASSWORD_LIMIT_PER_ROOM": ONE_GUESS_THEN_DAYS}
    yield create_app(overrides, environ={})
    tasks.run()


@pytest.fixture
def stormed(app: Flask, tasks: BackgroundTasks) -> str:
    """A room whose wrong-password budget a guesser has spent."""
    room_id: str = Person(app, tasks).create(password="right").json()["room_id"]
    assert Person(app, tasks).post_json(f"/api/rooms/{room_id}/join", GUESS).status_code == 403
    return room_id


def _assert_cheap_429(answer: Answer, watch: Watch, words: str = RateLimited.text) -> None:
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) >= 1
    assert "Set-Cookie" not in answer.headers
    assert answer.headers["Content-Security-Policy"]  # the security headers still wrap it
    assert words in answer.text
    assert watch.hashes == 0
    assert watch.templates == []


def test_a_guess_from_a_new_address_at_a_stormed_room_is_refused_unread(
    app: Flask, tasks: BackgroundTasks, stormed: str
) -> None:
    guesser = Person(app, tasks)  # an address the room has never seen
    with Watch(app) as watch:
        answer = guesser.post_json(f"/api/rooms/{stormed}/join", GUESS)
        # A body that is not even JSON gets the same answer: the limit decided before anything was read.
        unread = guesser.post_raw(f"/api/rooms/{stormed}/join", b"\xff not json", "text/plain")
    _assert_cheap_429(answer, watch)
    assert answer.json() == {"error": "rate_limited", "message": RateLimited.text}
    assert (unread.status_code, unread.json()) == (429, answer.json())


def test_the_right_password_waits_out_the_storm_too(app: Flask, tasks: BackgroundTasks, stormed: str) -> None:
    """Nothing tells a right password apart before hashing: the room's limit holds for everyone."""
    with Watch(app) as watch:
        answer = Person(app, tasks).join(stormed, password="right")
    _assert_cheap_429(answer, watch)


def test_the_join_form_is_refused_with_a_page_rendered_at_start_and_no_cookie(
    app: Flask, tasks: BackgroundTasks, stormed: str
) -> None:
    visitor = Person(app, tasks)
    page = visitor.get(f"/r/{stormed}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None and "Set-Cookie" in page.headers  # the visitor holds a session
    form = {"csrf_token": token.group(1), "alias": "eve", "password": "wrong"}
    with Watch(app) as watch:
        answer = Answer(visitor.http.post(f"/r/{stormed}", data=form))
        # A bot with no session and no token: refused the same way, and given no session either.
        bot = Answer(Person(app, tasks).http.post(f"/r/{stormed}", data={"alias": "eve", "password": "x"}))
    _assert_cheap_429(answer, watch)
    _assert_cheap_429(bot, watch)
    assert answer.headers["Content-Type"].startswith("text/html")
    assert 'href=""' in answer.text  # "Try again" opens the join form anew


def test_an_address_that_spent_its_budget_is_refused_unread_at_any_room(app: Flask, tasks: BackgroundTasks) -> None:
    guesser = Person(app, tasks)
    rooms = [Person(app, tasks).create(password="right").json()["room_id"] for _ in range(11)]
    statuses = [guesser.post_json(f"/api/rooms/{room_id}/join", GUESS).status_code for room_id in rooms[:10]]
    assert statuses == [403] * 10  # the address's burst, one guess per room
    with Watch(app) as watch:
        answer = guesser.post_json(f"/api/rooms/{rooms[10]}/join", GUESS)
        unread = guesser.post_raw(f"/api/rooms/{rooms[10]}/join", b"\xff not json", "text/plain")
    _assert_cheap_429(answer, watch)
    assert unread.status_code == 429


def test_a_process_over_its_bcrypt_budget_refuses_joins_and_creations_unread(
    app: Flask, tasks: BackgroundTasks
) -> None:
    room_id = Person(app, tasks).create(password="right").json()["room_id"]
    gate = app.extensions["ephemeral"].hasher.gate
    gate.charge(cpu_seconds=1000)  # as if bcrypt had run flat out for a long while
    visitor = Person(app, tasks)
    with Watch(app) as watch:
        answers = [
            visitor.join(room_id, password="right"),
            visitor.create(),
            Answer(visitor.http.post("/", data={"alias": "ann", "name": "room", "password": "right"})),
        ]
    for answer in answers:
        _assert_cheap_429(answer, watch, BUSY)
        assert int(answer.headers["Retry-After"]) > gate.limits.max_wait


def test_what_no_limit_refuses_reaches_the_app(app: Flask, tasks: BackgroundTasks) -> None:
    room_id = Person(app, tasks).create(password="right").json()["room_id"]
    with Watch(app) as watch:
        answer = Person(app, tasks).join(room_id, password="right")
    assert answer.status_code == 200
    assert watch.hashes == 1


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", (False, None)),
        ("/api/rooms", (True, None)),
        ("/api/rooms/abc/join", (True, "abc")),
        ("/r/abc", (False, "abc")),
        ("/r/abc/share", None),
        ("/r/", None),
        ("/api/rooms//join", None),
        ("/api/rooms/a/b/join", None),
        ("/api/rooms/abc", None),
        ("/healthz", None),
        ("/socket.io/", None),
    ],
)
def test_only_join_and_create_routes_are_looked_at(path: str, expected: tuple[bool, str | None] | None) -> None:
    assert target(path) == expected
