"""Message actions on the real server: reply, edit, react, typing and unsend, from one process to another.

Each test runs on the shared server of every deployment (gevent and eventlet, rooms in memory and in Redis). With
Redis, bob talks to a second process on the same Redis (one gevent process for both Redis deployments), so every
action made on one process must reach a socket on the other; in memory both are the one process. The server's
output, and Redis, hold none of the text. The handlers' every case is in `tests/inprocess/test_message_actions.py`;
the store's rules in the contract suite.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from ephemeral.rooms import E2E, MODES, REACTIONS
from tests.support.e2e_shapes import create_body, envelope
from tests.support.people import Person, Socket
from tests.support.redis import RedisServer
from tests.support.server import RunningServer, start_server

THUMBS = REACTIONS[0]
# Unique to this run, so finding it anywhere means this test's text got there.
MARK = "zq7actions" + secrets.token_hex(4)


@pytest.fixture(scope="session")
def redis_peer(shared_redis: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One more process on the Redis of the shared servers, for both Redis deployments: started once."""
    running = start_server(tmp_path_factory.mktemp("peer"), "gevent", shared_redis.env())
    yield running
    running.stop()


@pytest.fixture
def peer(
    deployment: tuple[str, dict[str, str]], server: RunningServer, request: pytest.FixtureRequest
) -> RunningServer:
    """Another process on the shared server's Redis (gevent, whatever the server's mode); in memory, the server."""
    _, env = deployment
    return request.getfixturevalue("redis_peer") if env else server


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def said(mode: str, text: str) -> dict[str, Any]:
    """What a message or an edit sends in a room of `mode`: the text, or an envelope (random bytes: nothing to read)."""
    return {"e2e": envelope()} if mode == E2E else {"text": text}


def seated_pair(
    mode: str, server: RunningServer, peer: RunningServer, people_at: Callable[[str], Person]
) -> tuple[Socket, str, Socket, str]:
    """Ann on the server, bob on the peer, in a new room of `mode`; each has seen the other arrive."""
    ann, bob = people_at(server.url), people_at(peer.url)
    if mode == E2E:
        body = create_body(alias="ann")
        created = ann.post_json("/api/rooms", body).json()
        joined = bob.post_json(f"/api/rooms/{created['room_id']}/join", {"alias": "bob", "verifier": body["verifier"]})
    else:
        created = ann.create(alias="ann", name="actions", password="secret").json()
        joined = bob.join(created["room_id"], alias="bob")
    room_id = created["room_id"]
    ann_socket, bob_socket = ann.connect(room_id), bob.connect(room_id)
    for sock in (ann_socket, bob_socket):
        sock.wait_for("presence", lambda p: len(p["participants"]) == 2)
    return ann_socket, created["participant_id"], bob_socket, joined.json()["participant_id"]


def test_every_action_reaches_the_room_on_every_process(
    mode: str, server: RunningServer, peer: RunningServer, people_at: Callable[[str], Person]
) -> None:
    ann, ann_id, bob, bob_id = seated_pair(mode, server, peer, people_at)
    first = ann.call("message", said(mode, MARK + " first"))["id"]
    assert bob.wait("message")["id"] == first

    reply = bob.call("message", {**said(mode, MARK + " reply"), "reply_to": first})
    assert reply["ok"], reply
    relayed = ann.wait_for("message", lambda m: m["id"] == reply["id"])
    assert (relayed["from"], relayed["reply_to"]) == (bob_id, first)

    edit = said(mode, MARK + " **edited**")
    assert ann.call("edit", {"id": first, **edit}) == {"ok": True}
    edited = bob.wait("edited")
    assert (edited["id"], edited["from"]) == (first, ann_id)
    if mode == E2E:
        assert edited["e2e"] == edit["e2e"]
    else:
        assert edited["html"] == f"<p>{MARK} <strong>edited</strong></p>"
    refused = bob.call("edit", {"id": first, **edit})
    assert (refused["ok"], refused["error"]) == (False, "forbidden")

    assert bob.react(first, THUMBS) == {"ok": True, "reactions": {THUMBS: [bob_id]}}
    assert ann.wait("reactions") == {"id": first, "reactions": {THUMBS: [bob_id]}}

    ann.typing(True)
    assert bob.wait("typing") == {"from": ann_id, "on": True}

    assert ann.unsend(first) == {"ok": True}
    for sock in (ann, bob):
        assert sock.wait("unsent") == {"id": first}
    assert bob.react(first, THUMBS)["error"] == "invalid"
    # Ann's own edit and nothing more: bob's was refused, and relayed nothing before the unsend.
    assert [event for event, _ in ann.log if event in ("edited", "unsent")] == ["edited", "unsent"]


def test_no_text_of_an_action_reaches_the_servers_output_or_redis(
    deployment: tuple[str, dict[str, str]],
    server: RunningServer,
    peer: RunningServer,
    people_at: Callable[[str], Person],
) -> None:
    """Every action in a standard room, with the marker in its text and in the payloads the server refuses."""
    ann, _, bob, _ = seated_pair("standard", server, peer, people_at)
    first = ann.send(MARK + " said")["id"]
    bob.wait("message")
    assert bob.reply(first, MARK + " answered")["ok"]
    assert ann.edit(first, MARK + " changed")["ok"]
    assert bob.edit(first, MARK + " not mine")["error"] == "forbidden"
    assert ann.call("edit", {"id": MARK, "text": MARK})["error"] == "forbidden"
    assert ann.call("react", {"id": first, "emoji": MARK})["error"] == "invalid"
    assert ann.call("message", {"text": MARK, "reply_to": MARK})["error"] == "invalid"
    assert ann.react(first, THUMBS)["ok"]
    ann.client.emit("typing", {"on": MARK})
    ann.typing(True)
    bob.wait("typing")
    assert "changed" in bob.wait("edited")["html"]  # the text went through the server
    _, env = deployment
    if env:
        held = _redis_text(env["EPHEMERAL_REDIS_URL"])
        assert first in held  # the store does keep the message's id: the scan sees what it should
        assert MARK not in held
    assert ann.unsend(first)["ok"]
    for running in {server.url: server, peer.url: peer}.values():
        assert MARK not in running.output()


def _redis_text(url: str) -> str:
    """Every key and value in the deployment's Redis, as one text."""
    held: list[str] = []
    with redis.Redis.from_url(url, decode_responses=True) as client:
        for key in client.scan_iter(count=1000):
            held.append(f"{key} {_values(client, key)!r}")
    return "\n".join(held)


def _values(client: redis.Redis, key: str) -> Any:
    kind = client.type(key)
    if kind == "string":
        return client.get(key)
    if kind == "hash":
        return client.hgetall(key)
    if kind == "list":
        return client.lrange(key, 0, -1)
    if kind == "set":
        return client.smembers(key)
    return client.zrange(key, 0, -1) if kind == "zset" else None
