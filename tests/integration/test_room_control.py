"""Room control on the real server: kicked people stay out, locks and kinds refuse who they must, hosting passes on.

Each test runs on the shared server of every deployment (gevent and eventlet,
rooms in memory and in Redis); the last two run several processes on one Redis,
where a kick must reach a socket on another process and hosting must pass on
when the host's process dies. The handlers' every case is in
`tests/inprocess/test_room_control.py`; the store's rules in the contract suite.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.test_multiprocess import processes  # noqa: F401 - the fixture, shared
from tests.support.payloads import aliases
from tests.support.people import Person, Refused, Socket

# A dead process is found by the others' heartbeat (a few seconds), then the grace below runs.
HANDOVER_TIMEOUT = 30.0
LOCKED_WORDS = "This room is locked"


def roles(payload: dict[str, Any]) -> dict[str, str]:
    return {who["alias"]: who["role"] for who in payload["participants"]}


def connected(person: Person, room_id: str, url: str | None = None) -> Socket:
    sock = person.connect(room_id, url=url)
    sock.wait("welcome")
    return sock


def a_room(people: Callable[[], Person], **rules: Any) -> tuple[str, str, Socket]:
    """A room made by ann with `rules`: its id, ann's participant id, and ann's socket."""
    ann = people()
    created = ann.create(alias="ann", **rules)
    assert created.status_code == 201, created.text
    return created.json()["room_id"], created.json()["participant_id"], connected(ann, created.json()["room_id"])


def test_a_kicked_person_is_shut_out_and_may_rejoin_only_while_unlocked(people: Callable[[], Person]) -> None:
    room_id, ann_id, ann = a_room(people)
    bob = people()
    bob_id = bob.join(room_id).json()["participant_id"]
    bob_socket = connected(bob, room_id)
    ann.wait_for("presence", lambda p: aliases(p) == ["ann", "bob"])
    cookie = bob.cookie_header()
    assert ann.kick(bob_id) == {"ok": True}
    assert bob_socket.wait("purged") == {"reason": "removed", "by": {"id": ann_id, "alias": "ann"}}
    bob_socket.wait("disconnect")
    ann.wait_for("presence", lambda p: aliases(p) == ["ann"])
    page = bob.http.get(f"{bob.base_url}/r/{room_id}")  # with the cookie the kick made worthless
    assert page.status_code == 200
    assert 'id="join-form"' in page.text and 'id="chat"' not in page.text
    with pytest.raises(Refused, match=r"^unauthorized$"):
        bob.connect(room_id, cookie=cookie)
    assert ann.lock(True)["ok"]
    refused = bob.join(room_id)
    assert (refused.status_code, refused.json()["error"]) == (423, "locked")
    assert ann.lock(False)["ok"]
    assert bob.join(room_id).json()["participant_id"] not in (ann_id, bob_id)


def test_a_locked_room_tells_only_the_right_password_that_it_is_locked(people: Callable[[], Person]) -> None:
    room_id, _, ann = a_room(people)
    assert ann.lock(True)["room"]["locked"] is True
    assert ann.wait("room")["locked"] is True  # the room is told, the locker too
    cleo, path = people(), f"/r/{room_id}"
    wrong = cleo.join(room_id, alias="cleo", password="wrong")
    assert (wrong.status_code, wrong.json()["error"]) == (403, "wrong_password")
    right = cleo.join(room_id, alias="cleo")
    assert (right.status_code, right.json()["error"]) == (423, "locked")
    for password, status in (("wrong", 403), ("secret", 423)):
        form = {"csrf_token": cleo.form_token(path), "alias": "cleo", "password": password}
        answer = cleo.http.post(cleo.base_url + path, data=form, allow_redirects=False)
        assert answer.status_code == status
        assert (LOCKED_WORDS in answer.text) is (status == 423)


def test_a_pair_room_locks_at_its_second_person_and_refuses_the_third(people: Callable[[], Person]) -> None:
    room_id, _, ann = a_room(people, kind="pair")
    joined = people().join(room_id)
    assert joined.status_code == 200 and joined.json()["room"]["locked"] is True
    pair = {"kind": "pair", "locked": True, "purge": "anyone", "ttl": 3600, "seats": 2, "disappear": 0}
    pair |= {"vanish": False, "history": False}
    assert ann.wait("room") == pair
    third = people().join(room_id, alias="cleo")
    assert (third.status_code, third.json()["error"]) == (423, "locked")


def test_disappearing_messages_and_vanish_on_leave_are_told_to_everyone_who_comes(
    people: Callable[[], Person],
) -> None:
    """The room keeps its creator's choice for every later answer: the screens act on it, the server only tells it."""
    room_id, _, ann = a_room(people, disappear=300, vanish=True, history=True)
    bob = people()
    joined = bob.join(room_id, alias="bob").json()["room"]
    welcome = bob.connect(room_id).wait("welcome")["room"]
    assert [joined["disappear"], joined["vanish"], welcome["disappear"], welcome["vanish"]] == [300, True, 300, True]
    assert joined["history"] is welcome["history"] is True
    assert ann.call("lock", {"locked": True})["room"]["disappear"] == 300


def test_a_broadcast_room_refuses_a_members_message(people: Callable[[], Person]) -> None:
    room_id, _, ann = a_room(people, kind="broadcast")
    bob = people()
    assert bob.join(room_id).status_code == 200
    bob_socket = connected(bob, room_id)
    refused = bob_socket.send("may I?")
    assert (refused["ok"], refused["error"]) == (False, "forbidden")
    assert ann.send("news")["ok"]
    for sock in (ann, bob_socket):  # in order: a relayed "may I?" would have come first
        assert sock.wait("message")["html"] == "<p>news</p>"


def test_the_host_logging_out_hands_hosting_over_at_once(people: Callable[[], Person]) -> None:
    room_id, _, ann = a_room(people)
    bob = people()
    assert bob.join(room_id).status_code == 200
    bob_socket = connected(bob, room_id)
    assert ann.call("logout") == {"ok": True}
    assert roles(bob_socket.wait_for("presence", lambda p: aliases(p) == ["bob"])) == {"bob": "host"}
    assert bob_socket.lock(True)["ok"]


# -- several processes on one Redis ----------------------------------------------------------------------------------


def test_a_kick_reaches_another_process_and_hosting_outlives_the_hosts_process(processes, people_at) -> None:  # noqa: F811
    """Two claims on one pair of processes, as starting processes is most of the cost.

    Ann hosts on A; bob is on B and on A, cleo on B. Ann kicks bob: his socket on
    B is told and closed too. Then A dies (SIGKILL): B finds it dead by its
    heartbeat, and after the grace (1 s here) cleo, the one present, hosts. The
    room vanishes a leaver's messages: the presence without ann is what cleo's
    screen removes ann's messages on.
    """
    a, b = processes(2, {"EPHEMERAL_HOST_GRACE": "1"})
    ann, bob, cleo = people_at(a.url), people_at(b.url), people_at(b.url)
    created = ann.create(alias="ann", vanish=True).json()
    room_id = created["room_id"]
    ann_socket = connected(ann, room_id)
    bob_id = bob.join(room_id).json()["participant_id"]
    bob_sockets = connected(bob, room_id), connected(bob, room_id, url=a.url)
    assert cleo.join(room_id, alias="cleo").status_code == 200
    cleo_socket = cleo.connect(room_id)
    assert cleo_socket.wait("welcome")["room"]["vanish"] is True
    ann_socket.wait_for("presence", lambda p: aliases(p) == ["ann", "bob", "cleo"])
    assert ann_socket.kick(bob_id) == {"ok": True}
    for sock in bob_sockets:
        assert sock.wait("purged") == {"reason": "removed", "by": {"id": created["participant_id"], "alias": "ann"}}
        sock.wait("disconnect")
    cleo_socket.wait_for("presence", lambda p: aliases(p) == ["ann", "cleo"])
    for server in (a, b):
        with pytest.raises(Refused, match=r"^unauthorized$"):
            bob.connect(room_id, url=server.url)
    a.process.send_signal(signal.SIGKILL)
    a.process.wait()
    handed = cleo_socket.wait_for("presence", lambda p: roles(p).get("cleo") == "host", timeout=HANDOVER_TIMEOUT)
    assert roles(handed) == {"cleo": "host"}
    assert cleo_socket.lock(True)["ok"]
