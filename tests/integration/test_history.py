"""History from peers on the real server: a member on one process hands a newcomer on another what it shows.

Each test runs on the shared server of every deployment. With Redis the newcomer is on a second process on the
same Redis (`redis_peer`), so the history must find its sockets there; in memory both are the one process. A room
that did not opt in relays nothing, and neither the server's output nor Redis holds any shared text. The handler's
every case is in `tests/inprocess/test_history.py`; the store's rule in `tests/contract/test_history.py`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ephemeral.rooms import E2E
from tests.integration.test_message_actions import _redis_text, mode, peer, redis_peer, said
from tests.support.e2e_shapes import create_body
from tests.support.people import Person, Socket
from tests.support.server import RunningServer

__all__ = ["mode", "peer", "redis_peer"]  # fixtures shared with the message actions
MARK = "zq7history" + secrets.token_hex(4)  # unique to this run: found anywhere, it came from here


@dataclass
class Arrival:
    """Ann talked on the server; Cleo then came in on the peer. `said` is what Ann's page was sent."""

    ann: Socket
    cleo: Socket
    cleo_id: str
    said: list[dict[str, Any]]


def arrival(
    mode: str, server: RunningServer, peer: RunningServer, people_at: Callable[[str], Person], **rules: Any
) -> Arrival:
    ann, cleo = people_at(server.url), people_at(peer.url)
    if mode == E2E:
        body = create_body(alias="ann", **rules)
        created = ann.post_json("/api/rooms", body).json()
        secret = {"verifier": body["verifier"]}
    else:
        created = ann.create(alias="ann", name="history", password="secret", **rules).json()
        secret = {"password": "secret"}
    room_id = created["room_id"]
    ann_socket = ann.connect(room_id)
    ann_socket.wait("welcome")
    for text in ("first", "second"):
        assert ann_socket.call("message", said(mode, f"{MARK} {text}"))["ok"]
    heard = [ann_socket.wait("message"), ann_socket.wait("message")]
    joined = cleo.post_json(f"/api/rooms/{room_id}/join", {"alias": "cleo", **secret}).json()
    cleo_socket = cleo.connect(room_id)
    cleo_socket.wait("welcome")
    ann_socket.wait_for("presence", lambda p: len(p["participants"]) == 2)
    return Arrival(ann_socket, cleo_socket, joined["participant_id"], heard)


def handed(message: dict[str, Any]) -> dict[str, Any]:
    return {key: message[key] for key in ("id", "from", "alias", "ts", "html", "e2e") if key in message}


def test_a_newcomer_on_another_process_is_handed_what_the_room_said(
    mode: str, server: RunningServer, peer: RunningServer, people_at: Callable[[str], Person]
) -> None:
    room = arrival(mode, server, peer, people_at, history=True)
    offered = [handed(message) for message in room.said]
    assert room.ann.call("share_history", {"to": room.cleo_id, "messages": offered}) == {"ok": True, "shared": 2}
    received = room.cleo.wait("history")
    assert (received["alias"], received["messages"]) == ("ann", offered)
    assert "history" not in [event for event, _ in room.ann.log]


def test_a_room_that_did_not_opt_in_relays_no_history(
    mode: str, server: RunningServer, peer: RunningServer, people_at: Callable[[str], Person]
) -> None:
    room = arrival(mode, server, peer, people_at)
    refused = room.ann.call("share_history", {"to": room.cleo_id, "messages": [handed(room.said[0])]})
    assert (refused["ok"], refused["error"]) == (False, "forbidden")
    after = room.ann.call("message", said(mode, "after"))["id"]
    room.cleo.wait_for("message", lambda m: m["id"] == after)  # anything relayed before it has arrived
    assert "history" not in [event for event, _ in room.cleo.log]


def test_no_shared_text_reaches_the_servers_output_or_redis(
    deployment: tuple[str, dict[str, str]],
    server: RunningServer,
    peer: RunningServer,
    people_at: Callable[[str], Person],
) -> None:
    room = arrival("standard", server, peer, people_at, history=True)
    forged = {**handed(room.said[0]), "html": f"<p>{MARK} forged</p>", "alias": MARK[:30]}
    offered = [forged, {**handed(room.said[1]), "id": MARK}]  # the second names no message the room keeps
    assert room.ann.call("share_history", {"to": room.cleo_id, "messages": offered})["shared"] == 1
    assert MARK in room.cleo.wait("history")["messages"][0]["html"]  # it went through the server
    refused = room.ann.call("share_history", {"to": MARK, "messages": [{"id": MARK, "html": MARK}]})
    assert refused["error"] == "invalid"
    _, env = deployment
    if env:
        assert MARK not in _redis_text(env["EPHEMERAL_REDIS_URL"])
    for running in {server.url: server, peer.url: peer}.values():
        assert MARK not in running.output()
