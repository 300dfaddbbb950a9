"""Logout, purge and expiry: everyone told, every socket closed, old cookies dead."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from tests.conftest import each_mode_and_store_once
from tests.support.payloads import aliases, notice
from tests.support.people import EVENT_TIMEOUT, Person, Refused, Socket


def _assert_cookie_dead(person, server, room_id, cookie):
    page = requests.get(f"{server.url}/r/{room_id}", headers={"Cookie": cookie}, timeout=10)
    assert 'id="chat"' not in page.text
    with pytest.raises(Refused, match=r"^unauthorized$"):
        person.connect(room_id, cookie=cookie)


def test_logout_revokes_binding_and_frees_alias(room, server):
    ann, bob = room.members
    old_cookie = bob.person.cookie_header()
    ack = bob.socket.call("logout")
    assert ack["ok"] is True
    bob.socket.wait("disconnect")
    assert ann.socket.wait_for("presence", lambda p: aliases(p) == ["ann"])
    _assert_cookie_dead(bob.person, server, room.room_id, old_cookie)
    # The alias is free again, and the room goes on.
    assert Person(server.url).join(room.room_id, alias="bob", password=room.password).status_code == 200
    assert ann.socket.send("still here")["ok"]


def test_logout_closes_every_tab_of_that_participant(room):
    _ann, bob = room.members
    second_tab = bob.person.connect(room.room_id)
    second_tab.wait("welcome")
    assert bob.socket.call("logout")["ok"]
    second_tab.wait("disconnect")
    bob.socket.wait("disconnect")


def test_purge_wipes_everyone_and_destroys_room(room, server):
    _ann, bob = room.members
    cookies = [m.person.cookie_header() for m in room.members]
    ack = bob.socket.call("purge")
    assert ack == {"ok": True}
    for member in room.members:
        assert notice(member.socket.wait("purged")) == {"reason": "purged", "by": "bob"}
        member.socket.wait("disconnect")
    joined = Person(server.url).join(room.room_id, alias="carol", password=room.password)
    assert joined.status_code == 404
    assert requests.get(f"{server.url}/r/{room.room_id}", timeout=10).status_code == 404
    for member, cookie in zip(room.members, cookies, strict=True):
        _assert_cookie_dead(member.person, server, room.room_id, cookie)


SENDS_AT_MOST = 10_000  # only a purge that never closes bob's socket lets him send them all


def _after_purged(sock: Socket) -> tuple[list[str], list[Any]]:
    """What a socket logged after `purged`: the event names, and the acks to its own sends."""
    names = [name for name, _ in sock.log]
    assert "purged" in names, names
    after = sock.log[names.index("purged") + 1 :]
    return [name for name, _ in after if name != "ack"], [ack for name, ack in after if name == "ack"]


def test_no_message_after_purged(room):
    """bob keeps sending while ann purges: after `purged` nobody reads a message, and bob's later sends are refused."""
    ann, bob = room.members
    acks: list[Any] = []

    def keep_sending() -> None:
        for number in range(SENDS_AT_MOST):
            acks.append(bob.socket.emit_or_closed("message", {"text": f"racing {number}"}))
            if acks[-1] is None:  # closed under the send
                return

    sender = threading.Thread(target=keep_sending)
    sender.start()
    try:
        for _ in range(3):  # the purge lands while bob is talking
            ann.socket.wait_for("message", lambda m: m["alias"] == "bob")
        assert ann.socket.call("purge")["ok"]
    finally:
        sender.join(6 * EVENT_TIMEOUT)
    assert not sender.is_alive(), "bob was still sending"
    assert acks[-1] is None, "bob's socket stayed open through every send"
    for member in room.members:
        assert member.socket.closed.wait(EVENT_TIMEOUT)
        events, refusals = _after_purged(member.socket)
        assert events == ["disconnect"], member.socket.log[-10:]
        # bob sends one at a time: the one send in flight as `purged` arrived may have been spoken before the
        # purge (on Redis its ack can trail the notice); every send made after he saw `purged` is refused.
        assert [ack for ack in refusals[1:] if ack["ok"]] == []


@each_mode_and_store_once
def test_unknown_expired_and_purged_answer_alike(own_server):
    """On a server of its own with a three-second TTL, a gone room answers the same whatever ended it.

    Each async mode's reaper and each store's expiry once (gevent in memory, eventlet on Redis): a server per
    test is most of the cost, and the pairing of mode and store changes nothing the test reads.
    """
    # Long enough to purge one room before it ends on a loaded machine.
    srv = own_server({"EPHEMERAL_ROOM_TTL": "3"})
    ann = Person(srv.url)
    expired = ann.create().json()["room_id"]
    purged = ann.create().json()["room_id"]
    sock = ann.connect(purged)
    sock.wait("welcome")
    assert sock.call("purge")["ok"]
    sock.wait("purged")
    answers = set()
    for room_id in ("Q" * 22, expired, purged):
        # An expired room answers 404 once its second is up; wait on that, not on a sleep.
        response = _poll_until_gone(srv, room_id)
        page = requests.get(f"{srv.url}/r/{room_id}", timeout=10)
        answers.add((response.status_code, response.text, page.status_code, page.text))
    assert len(answers) == 1


def _poll_until_gone(srv, room_id, timeout=10.0):
    import time

    deadline = time.monotonic() + timeout
    while True:
        response = Person(srv.url).join(room_id, alias="x", password="nope")
        if response.status_code == 404 or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


@each_mode_and_store_once
def test_expiry_purges_room(own_server, people):
    """At the end of its TTL a room tells everyone `expired`, closes every socket and refuses the old cookie.

    Each async mode's reaper and each store's expiry once (gevent in memory, eventlet on Redis), as above.
    """
    # A room on the session's shared server: a server of a test's own, even on Redis, leaves it alone.
    shared_room = people().create().json()["room_id"]
    # Long enough to seat two people before it ends on a loaded machine.
    srv = own_server({"EPHEMERAL_ROOM_TTL": "5"})
    ann, bob = Person(srv.url), Person(srv.url)
    created = ann.create().json()
    room_id = created["room_id"]
    assert bob.join(room_id).status_code == 200
    sockets = [ann.connect(room_id), bob.connect(room_id)]
    for sock in sockets:
        sock.wait("welcome")
    cookie = ann.cookie_header()
    for sock in sockets:
        assert notice(sock.wait("purged", timeout=15)) == {"reason": "expired", "by": None}
        sock.wait("disconnect")
    assert Person(srv.url).join(room_id).status_code == 404
    _assert_cookie_dead(ann, srv, room_id, cookie)
    assert people().join(shared_room).status_code == 200
