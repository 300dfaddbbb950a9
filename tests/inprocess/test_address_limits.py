"""Per-address limits key a client as it can act: an IPv4 address, or a whole IPv6 /64.

Directly, and behind a trusted proxy that names the client in X-Forwarded-For.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from ephemeral import create_app
from ephemeral.hash_gate import GateLimits
from ephemeral.ratelimit import WRONG_PASSWORD_PER_ADDRESS, Limit
from tests.support.inprocess import BackgroundTasks, Person

WRONG_BURST = int(WRONG_PASSWORD_PER_ADDRESS.burst)


@dataclass
class Guesser:
    """Wrong joins from any address, told to the app directly or by its trusted proxy."""

    app: Flask
    tasks: BackgroundTasks
    behind_proxy: bool

    def room(self) -> str:
        return Person(self.app, self.tasks).create(password="right").json()["room_id"]

    def wrong_join(self, address: str, room_id: str) -> int:
        person = Person(self.app, self.tasks)
        headers = {}
        if self.behind_proxy:
            headers["X-Forwarded-For"] = address  # the proxy itself is the person's own loopback address
        else:
            person.http.environ_base["REMOTE_ADDR"] = address
        body = {"alias": "eve", "password": "wrong"}
        return person.post_json(f"/api/rooms/{room_id}/join", body, headers=headers).status_code


@pytest.fixture(params=["direct", "behind-proxy"])
def guesser(request: pytest.FixtureRequest, tasks: BackgroundTasks) -> Iterator[Guesser]:
    behind_proxy = request.param == "behind-proxy"
    settings = {"ASYNC_MODE": "threading", "BCRYPT_COST": 4, "TRUSTED_PROXIES": int(behind_proxy)}
    yield Guesser(create_app(settings, environ={}), tasks, behind_proxy)
    tasks.run()


def test_an_ipv6_guesser_shares_one_budget_across_its_64(guesser: Guesser) -> None:
    room_id = guesser.room()
    guesses = [guesser.wrong_join(f"2001:db8:1:2::{n:x}", room_id) for n in range(WRONG_BURST)]
    assert guesses == [403] * WRONG_BURST
    assert guesser.wrong_join("2001:db8:1:2:ffff:ffff:ffff:ffff", room_id) == 429
    # Someone in the next /64 has a budget of their own.
    assert guesser.wrong_join("2001:db8:1:3::1", room_id) == 403


def test_ipv4_mapped_ipv6_counts_as_the_ipv4_address(guesser: Guesser) -> None:
    room_id = guesser.room()
    guesses = [guesser.wrong_join("::ffff:198.51.100.7", room_id) for _ in range(WRONG_BURST)]
    assert guesses == [403] * WRONG_BURST
    assert guesser.wrong_join("198.51.100.7", room_id) == 429
    assert guesser.wrong_join("198.51.100.8", room_id) == 403


def test_limits_set_in_the_environment_apply(tasks: BackgroundTasks) -> None:
    """A self-hoster behind one NAT, or with a public instance, tunes the limits by variable."""
    environ = {
        "EPHEMERAL_WRONG_PASSWORD_LIMIT_PER_ADDRESS": "3/60",
        "EPHEMERAL_MESSAGE_LIMIT_PER_PARTICIPANT": "2/60",
        "EPHEMERAL_BCRYPT_QUEUE": "4",
        "EPHEMERAL_BCRYPT_BUDGET": "6/60",
        "EPHEMERAL_BCRYPT_THREADS": "2",
        "EPHEMERAL_BCRYPT_WAIT": "9",
        "EPHEMERAL_RATE_LIMIT_KEYS": "5000",
    }
    app = create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4}, environ=environ)
    guesser = Guesser(app, tasks, behind_proxy=False)
    room_id = guesser.room()
    assert [guesser.wrong_join("198.51.100.9", room_id) for _ in range(4)] == [403, 403, 403, 429]

    ann = Person(app, tasks)
    created = ann.create(alias="ann", password="right").json()
    socket = ann.connect(created["room_id"])
    assert [socket.send(f"m{n}")["ok"] for n in range(3)] == [True, True, False]

    svc = app.extensions["ephemeral"]
    assert svc.hasher.gate.limits == GateLimits(running=2, waiting=4, max_wait=9, budget=Limit(6, 0.1))
    assert svc.limits.create_by_address._max_keys == 5000
    tasks.run()
