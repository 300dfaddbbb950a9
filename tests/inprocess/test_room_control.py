"""Room control in process: what a host may do, what a member is refused, and the rules a room is made with.

Every rule holds alike in a standard and a server-blind room (`any_room`). The
store's own rules are the contract suite's; here are the handlers, the HTTP
answers and what each socket is told. The real server, Redis and several
processes are in `tests/integration/test_room_control.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from ephemeral import create_app, socketio
from ephemeral.config import Settings
from ephemeral.errors import Invalid
from ephemeral.room_rules import rules_from
from ephemeral.rooms import E2E
from ephemeral.rooms.model import Rules
from tests.inprocess.conftest import Member, Room, message_in, open_room
from tests.support.e2e_shapes import b64url
from tests.support.inprocess import Answer, BackgroundTasks, Person, Socket, upkeep
from tests.support.payloads import aliases
from tests.support.people import Refused

ROOM_TTL, MAX_PARTICIPANTS = 3600, 50  # the in-process app's defaults
DEFAULT_STATE = {
    **{"kind": "group", "locked": False, "purge": "anyone", "ttl": ROOM_TTL, "seats": MAX_PARTICIPANTS},
    **{"disappear": 0, "vanish": False, "history": False},
}


def roles(payload: dict[str, Any]) -> dict[str, str]:
    """Alias -> role, from a `welcome` or `presence`."""
    return {who["alias"]: who["role"] for who in payload["participants"]}


def join(person: Person, room: Room, alias: str, secret: str | None = None) -> Answer:
    """Join `room` with its password (or verifier), or with `secret` instead."""
    key = "verifier" if room.mode == E2E else "password"
    return person.post_json(f"/api/rooms/{room.room_id}/join", {"alias": alias, key: secret or room.password})


def wrong_secret(room: Room) -> str:
    return b64url(32) if room.mode == E2E else "not the password"


def seated(person: Person, room: Room, alias: str) -> Member:
    """A third person joined and connected; everyone already in has seen them arrive."""
    joined = join(person, room, alias)
    assert joined.status_code == 200, joined.text
    sock = person.connect(room.room_id)
    sock.wait("welcome")
    for member in room.members:
        member.socket.wait_for("presence", lambda p: alias in aliases(p))
    return Member(person, sock, alias, joined.json()["participant_id"])


EVENTS = ("presence", "room", "purged", "message")


def settled(room: Room) -> Room:
    """The room once everyone has read what its setup told them."""
    for member in room.members:
        for event in EVENTS:
            member.socket.pending(event)
    return room


def quiet(*sockets: Socket) -> None:
    """Nothing more arrived: no presence, room, purge or message, and every socket is still open."""
    for sock in sockets:
        assert [sock.pending(event) for event in EVENTS] == [[], [], [], []]
        assert sock.connected


# -- a member may not ------------------------------------------------------------------------------------------------

MEMBER_TRIES: dict[str, Callable[[Room], dict[str, Any]]] = {
    "kick": lambda room: {"id": room.members[0].id},
    "lock": lambda room: {"locked": True},
    "promote": lambda room: {"id": room.members[1].id},
    "step_down": lambda room: {},
}


@pytest.mark.parametrize("event", list(MEMBER_TRIES))
def test_every_host_event_from_a_member_is_forbidden_and_changes_nothing(
    any_room: Room, people: Callable[[], Person], event: str
) -> None:
    ann, bob = settled(any_room).members
    ack = bob.socket.call(event, MEMBER_TRIES[event](any_room))
    assert (ack["ok"], ack["error"]) == (False, "forbidden")
    quiet(ann.socket, bob.socket)
    tab = bob.person.connect(any_room.room_id)
    welcome = tab.wait("welcome")
    assert roles(welcome) == {"ann": "host", "bob": "member"}
    assert welcome["room"] == DEFAULT_STATE
    assert join(people(), any_room, "cleo").status_code == 200  # not locked


@pytest.mark.parametrize(("event", "payload"), [("kick", {}), ("promote", {"id": 7}), ("lock", {"locked": "yes"})])
def test_a_member_is_forbidden_whatever_the_payload(room: Room, event: str, payload: Any) -> None:
    """The role is decided first: a member learns nothing about what a good payload would be."""
    _ann, bob = settled(room).members
    assert bob.socket.call(event, payload)["error"] == "forbidden"


def test_a_host_acts_no_faster_than_they_may_write(room: Room) -> None:
    """Every lock tells the whole room: host actions count against the message budget (a burst of 20)."""
    ann, _bob = settled(room).members
    for turn in range(200):  # refilled at 5 a second: far more calls than that drain it
        ack = ann.socket.call("lock", {"locked": turn % 2 == 0})
        if not ack["ok"]:
            break
    assert (ack["error"], turn >= 20) == ("rate_limited", True)


BAD_PAYLOADS: list[tuple[str, Any]] = [
    ("kick", None),
    ("kick", {}),
    ("kick", {"id": 7}),
    ("kick", {"id": ""}),
    ("kick", {"id": "x" * 65}),
    ("kick", {"id": "no-such-participant"}),
    ("promote", {"id": ["a"]}),
    ("promote", {"id": "no-such-participant"}),
    ("lock", {}),
    ("lock", {"locked": 1}),
    ("lock", {"locked": "true"}),
    ("lock", ["locked"]),
]


def test_a_host_event_without_a_good_payload_is_invalid(room: Room) -> None:
    """One room for the whole table: each refusal changes nothing, so the next row meets the same room."""
    ann, bob = settled(room).members
    for event, payload in BAD_PAYLOADS:
        ack = ann.socket.client.emit(event, payload, callback=True)
        assert (ack["ok"], ack["error"]) == (False, "invalid"), (event, payload)
        quiet(ann.socket, bob.socket)


def test_a_host_cannot_kick_themselves(room: Room) -> None:
    ann, bob = settled(room).members
    assert ann.socket.kick(ann.id)["error"] == "invalid"
    quiet(ann.socket, bob.socket)


# -- kick ------------------------------------------------------------------------------------------------------------


def test_a_kicked_person_is_told_on_every_tab_then_disconnected_and_the_room_sees_them_go(any_room: Room) -> None:
    ann, bob = settled(any_room).members
    tab = bob.person.connect(any_room.room_id)
    tab.wait("welcome")
    assert ann.socket.kick(bob.id) == {"ok": True}
    for sock in (bob.socket, tab):
        assert sock.wait("purged") == {"reason": "removed", "by": {"id": ann.id, "alias": "ann"}}
        assert sock.pending("presence") == []  # told only that they were removed
        assert not sock.connected
    assert aliases(ann.socket.wait("presence")) == ["ann"]
    quiet(ann.socket)


def test_a_kicked_binding_opens_neither_a_socket_nor_the_chat_page(any_room: Room) -> None:
    ann, bob = any_room.members
    assert ann.socket.kick(bob.id) == {"ok": True}
    with pytest.raises(Refused, match=r"^unauthorized$"):
        bob.person.connect(any_room.room_id)
    page = bob.person.get(f"/r/{any_room.room_id}")
    assert page.status_code == 200
    assert 'id="join-form"' in page.text and 'id="chat"' not in page.text


def test_a_kicked_person_may_join_again_as_someone_new_only_while_unlocked(any_room: Room) -> None:
    ann, bob = any_room.members
    assert ann.socket.kick(bob.id) == {"ok": True}
    assert ann.socket.lock(True)["ok"]
    refused = join(bob.person, any_room, "bob")
    assert (refused.status_code, refused.json()["error"]) == (423, "locked")
    assert ann.socket.lock(False)["ok"]
    again = join(bob.person, any_room, "bob")  # the alias is free again
    assert again.status_code == 200, again.text
    assert again.json()["participant_id"] not in (ann.id, bob.id)


def test_a_host_may_kick_another_host(room: Room, people: Callable[[], Person]) -> None:
    ann, bob = room.members
    cleo = seated(people(), room, "cleo")
    assert ann.socket.promote(bob.id) == {"ok": True}
    assert bob.socket.kick(ann.id) == {"ok": True}
    assert ann.socket.wait("purged")["by"] == {"id": bob.id, "alias": "bob"}
    assert roles(cleo.socket.wait_for("presence", lambda p: "ann" not in aliases(p))) == {
        "bob": "host",
        "cleo": "member",
    }


# -- lock ------------------------------------------------------------------------------------------------------------


def test_a_lock_tells_the_room_and_joins_get_locked_only_with_the_right_password(
    any_room: Room, people: Callable[[], Person]
) -> None:
    ann, bob = any_room.members
    locked = {**DEFAULT_STATE, "locked": True}
    assert ann.socket.lock(True) == {"ok": True, "room": locked}
    for member in any_room.members:
        assert member.socket.wait("room") == locked
    outsider = people()
    wrong = join(outsider, any_room, "cleo", wrong_secret(any_room))
    assert (wrong.status_code, wrong.json()["error"]) == (403, "wrong_password")
    right = join(outsider, any_room, "cleo")
    assert (right.status_code, right.json()["error"]) == (423, "locked")
    assert ann.socket.lock(False) == {"ok": True, "room": DEFAULT_STATE}
    assert bob.socket.wait("room") == DEFAULT_STATE
    assert join(outsider, any_room, "cleo").status_code == 200


def test_people_already_in_a_locked_room_stay_and_may_open_tabs(room: Room) -> None:
    ann, bob = room.members
    assert ann.socket.lock(True)["ok"]
    assert bob.person.connect(room.room_id).wait("welcome")["room"]["locked"] is True
    assert bob.socket.send("still here")["ok"]


def test_the_join_form_of_a_locked_room_says_so_after_the_password(room: Room, people: Callable[[], Person]) -> None:
    ann = room.members[0]
    assert ann.socket.lock(True)["ok"]
    cleo, path = people(), f"/r/{room.room_id}"
    wrong = cleo.post_form(path, {"alias": "cleo", "password": "wrong"})
    assert wrong.status_code == 403 and "This room is locked" not in wrong.text
    right = cleo.post_form(path, {"alias": "cleo", "password": room.password})
    assert right.status_code == 423
    assert "This room is locked" in right.text


# -- promote and step down -------------------------------------------------------------------------------------------


def test_promote_and_step_down_reach_the_room_at_once(any_room: Room) -> None:
    ann, bob = any_room.members
    assert ann.socket.promote(bob.id) == {"ok": True}
    assert roles(ann.socket.wait("presence")) == {"ann": "host", "bob": "host"}
    assert ann.socket.promote(bob.id) == {"ok": True}  # already one: no change, still ok
    assert ann.socket.step_down() == {"ok": True}
    assert roles(bob.socket.wait_for("presence", lambda p: roles(p)["ann"] == "member")) == {
        "ann": "member",
        "bob": "host",
    }
    assert ann.socket.lock(True)["error"] == "forbidden"  # a member now


def test_the_last_host_stepping_down_hands_over_to_the_earliest_present(
    room: Room, people: Callable[[], Person]
) -> None:
    ann = room.members[0]
    seated(people(), room, "cleo")
    assert ann.socket.step_down() == {"ok": True}
    assert roles(ann.socket.wait_for("presence", lambda p: roles(p)["ann"] == "member")) == {
        "ann": "member",
        "bob": "host",
        "cleo": "member",
    }


def test_the_last_host_alone_cannot_step_down(people: Callable[[], Person]) -> None:
    ann = people()
    room_id = ann.create(alias="ann").json()["room_id"]
    sock = ann.connect(room_id)
    sock.wait("welcome")
    assert sock.step_down()["error"] == "invalid"
    assert roles(ann.connect(room_id).wait("welcome")) == {"ann": "host"}


def test_the_host_logging_out_hands_over_at_once(any_room: Room) -> None:
    ann, bob = settled(any_room).members
    assert ann.socket.call("logout") == {"ok": True}
    assert roles(bob.socket.wait("presence")) == {"bob": "host"}
    assert bob.socket.lock(True)["ok"]


@pytest.fixture
def graceless(tasks: BackgroundTasks, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """An app that hands hosting over at its next upkeep (`EPHEMERAL_HOST_GRACE=0`); paced presence without waits."""
    monkeypatch.setattr(socketio, "sleep", lambda _seconds=0: None)
    built = create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4, "HOST_GRACE": 0}, environ={})
    yield built
    tasks.run()


def test_a_room_whose_host_is_gone_gets_one_at_the_next_upkeep(graceless: Flask, tasks: BackgroundTasks) -> None:
    room = open_room(lambda: Person(graceless, tasks), "standard")
    ann, bob = room.members
    ann.socket.client.disconnect()  # the host's connection dropped: no logout
    assert roles(bob.socket.wait_for("presence", lambda p: aliases(p) == ["bob"])) == {"bob": "member"}
    upkeep(graceless)
    assert roles(bob.socket.wait("presence")) == {"bob": "host"}
    back = ann.person.connect(room.room_id)  # the absent host kept the role
    assert roles(back.wait("welcome")) == {"ann": "host", "bob": "host"}


# -- kinds and the purge policy --------------------------------------------------------------------------------------


def test_a_pair_room_locks_itself_at_its_second_person(mode: str, people: Callable[[], Person]) -> None:
    room = open_room(people, mode, kind="pair")
    ann, bob = room.members
    pair = {**DEFAULT_STATE, "kind": "pair", "seats": 2, "locked": True}
    assert ann.socket.wait("room") == pair
    assert bob.socket.pending("welcome") == [] and bob.person.connect(room.room_id).wait("welcome")["room"] == pair
    third = join(people(), room, "cleo")
    assert (third.status_code, third.json()["error"]) == (423, "locked")
    assert ann.socket.kick(bob.id)["ok"] and ann.socket.lock(False)["ok"]
    again = join(people(), room, "cleo")
    assert again.status_code == 200 and again.json()["room"] == pair


def test_a_pair_room_joined_through_the_form_tells_the_one_already_in(people: Callable[[], Person]) -> None:
    ann = people()
    room_id = ann.create(alias="ann", kind="pair").json()["room_id"]
    sock = ann.connect(room_id)
    assert sock.wait("welcome")["room"]["locked"] is False
    joined = people().post_form(f"/r/{room_id}", {"alias": "bob", "password": "secret"})
    assert joined.status_code == 303, joined.text
    assert sock.wait("room")["locked"] is True


def test_the_answers_and_welcome_carry_the_room_state(people: Callable[[], Person]) -> None:
    ann, bob = people(), people()
    switches = {"vanish": True, "history": True}
    created = ann.create(alias="ann", kind="broadcast", purge="hosts", ttl=600, seats=3, disappear=30, **switches)
    created = created.json()
    state = {**DEFAULT_STATE, "kind": "broadcast", "purge": "hosts", "ttl": 600, "seats": 3}
    state |= {"disappear": 30, **switches}
    assert created["room"] == state
    assert bob.join(created["room_id"], alias="bob").json()["room"] == state
    assert ann.connect(created["room_id"]).wait("welcome")["room"] == state


def test_a_broadcast_room_relays_only_its_hosts(mode: str, people: Callable[[], Person]) -> None:
    room = settled(open_room(people, mode, kind="broadcast"))
    ann, bob = room.members
    refused = bob.socket.call("message", message_in(mode))
    assert (refused["ok"], refused["error"]) == (False, "forbidden")
    quiet(ann.socket, bob.socket)
    assert ann.socket.call("message", message_in(mode))["ok"]
    assert bob.socket.wait("message")["from"] == ann.id


def test_only_hosts_may_purge_a_room_that_says_so(mode: str, people: Callable[[], Person]) -> None:
    room = settled(open_room(people, mode, purge="hosts"))
    ann, bob = room.members
    assert bob.socket.call("purge")["error"] == "forbidden"
    quiet(ann.socket, bob.socket)
    assert ann.socket.call("purge") == {"ok": True}
    assert bob.socket.wait("purged")["reason"] == "purged"


# -- the rules a room is made with -----------------------------------------------------------------------------------


SETTINGS = Settings(room_ttl=ROOM_TTL, max_participants=MAX_PARTICIPANTS)


@pytest.mark.parametrize(
    ("values", "minutes", "rules"),
    [
        ({}, False, Rules()),
        ({"kind": None, "purge": None, "ttl": None, "seats": None}, False, Rules()),
        ({"kind": "pair"}, False, Rules(kind="pair", seats=2)),
        ({"kind": "pair", "seats": 2}, False, Rules(kind="pair", seats=2)),
        ({"kind": "broadcast", "purge": "hosts"}, False, Rules(kind="broadcast", purge="hosts")),
        ({"ttl": 1, "seats": 2}, False, Rules(ttl=1, seats=2)),
        ({"ttl": ROOM_TTL, "seats": MAX_PARTICIPANTS}, False, Rules(ttl=ROOM_TTL, seats=MAX_PARTICIPANTS)),
        ({"lifetime": 5}, False, Rules()),  # minutes are the form's
        ({"kind": "", "purge": "", "lifetime": "", "seats": ""}, True, Rules()),
        ({"kind": "pair", "purge": "hosts"}, True, Rules(kind="pair", purge="hosts", seats=2)),
        ({"lifetime": "15", "seats": "4"}, True, Rules(ttl=900, seats=4)),
        ({"lifetime": "60"}, True, Rules(ttl=ROOM_TTL)),
        ({"ttl": "5"}, True, Rules()),  # seconds are the API's
        ({"disappear": 30, "vanish": True}, False, Rules(disappear=30, vanish=True)),
        ({"disappear": 0, "vanish": False}, False, Rules()),
        ({"disappear": None, "vanish": None}, False, Rules()),
        ({"disappear": "3600", "vanish": "on"}, True, Rules(disappear=3600, vanish=True)),
        ({"disappear": "", "vanish": ""}, True, Rules()),
        ({"history": True}, False, Rules(history=True)),
        ({"history": "on"}, True, Rules(history=True)),
        ({"history": None}, False, Rules()),
    ],
)
def test_rules_are_read_from_the_api_and_the_form(values: dict[str, Any], minutes: bool, rules: Rules) -> None:
    assert rules_from(values, SETTINGS, minutes=minutes) == rules


@pytest.mark.parametrize(
    ("values", "minutes"),
    [
        ({"kind": "trio"}, False),
        ({"kind": "Group"}, False),
        ({"kind": 1}, False),
        ({"kind": ["pair"]}, False),
        ({"kind": ""}, False),
        ({"purge": "nobody"}, False),
        ({"purge": True}, False),
        ({"ttl": 0}, False),
        ({"ttl": -60}, False),
        ({"ttl": ROOM_TTL + 1}, False),
        ({"ttl": True}, False),
        ({"ttl": 60.0}, False),
        ({"ttl": "60"}, False),
        ({"seats": 1}, False),
        ({"seats": MAX_PARTICIPANTS + 1}, False),
        ({"seats": False}, False),
        ({"seats": 2.5}, False),
        ({"seats": "3"}, False),
        ({"kind": "pair", "seats": 3}, False),
        ({"kind": "pair", "seats": 1}, False),
        ({"kind": "trio"}, True),
        ({"purge": "nobody"}, True),
        ({"lifetime": "0"}, True),
        ({"lifetime": "61"}, True),
        ({"lifetime": "1.5"}, True),
        ({"lifetime": "-5"}, True),
        ({"lifetime": " 5"}, True),
        ({"lifetime": "five"}, True),
        ({"lifetime": "9" * 30}, True),
        ({"seats": "1"}, True),
        ({"seats": "51"}, True),
        ({"kind": "pair", "seats": "3"}, True),
        ({"disappear": 31}, False),
        ({"disappear": "30"}, False),
        ({"disappear": True}, False),
        ({"disappear": 30.0}, False),
        ({"vanish": 1}, False),
        ({"vanish": "on"}, False),
        ({"disappear": "5"}, True),
        ({"disappear": "30 "}, True),
        ({"vanish": "true"}, True),
        ({"vanish": "off"}, True),
        ({"history": 1}, False),
        ({"history": "on"}, False),
        ({"history": "yes"}, True),
    ],
)
def test_rules_the_server_does_not_allow_are_invalid(values: dict[str, Any], minutes: bool) -> None:
    with pytest.raises(Invalid):
        rules_from(values, SETTINGS, minutes=minutes)


def test_a_form_lifetime_is_refused_where_the_server_keeps_rooms_under_a_minute() -> None:
    with pytest.raises(Invalid):
        rules_from({"lifetime": "1"}, Settings(room_ttl=59), minutes=True)
    assert rules_from({"ttl": 59}, Settings(room_ttl=59), minutes=False) == Rules(ttl=59)


@pytest.mark.parametrize("rules", [{"ttl": True}, {"kind": "pair", "seats": 3}])
def test_the_api_refuses_bad_rules_and_makes_nothing(app: Flask, people: Callable[[], Person], rules: dict) -> None:
    answer = people().create(**rules)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid")
    assert app.extensions["ephemeral"].registry.live_rooms() == 0


def test_the_create_form_takes_the_rules(people: Callable[[], Person]) -> None:
    ann = people()
    fields = {"kind": "broadcast", "purge": "hosts", "lifetime": "15", "seats": "4", "disappear": "300", "vanish": "on"}
    fields["history"] = "on"
    made = ann.post_form("/", {"alias": "ann", "name": "room", "password": "secret", **fields})
    assert made.status_code == 303, made.text
    room_id = made.headers["Location"].split("/")[-2]
    state = {"kind": "broadcast", "locked": False, "purge": "hosts", "ttl": 900, "seats": 4, "disappear": 300}
    state |= {"vanish": True, "history": True}
    assert ann.connect(room_id).wait("welcome")["room"] == state


def test_the_create_form_refuses_bad_rules_with_the_form_again(app: Flask, people: Callable[[], Person]) -> None:
    fields = {"alias": "ann", "name": "room", "password": "secret", "kind": "pair", "seats": "3", "lifetime": "15"}
    refused = people().post_form("/", fields)
    assert refused.status_code == 400
    assert 'id="create-form"' in refused.text and "A pair room has 2 seats." in refused.text
    assert app.extensions["ephemeral"].registry.live_rooms() == 0


@pytest.mark.parametrize("reason", ["removed", "closed"])
def test_the_gone_page_says_why(people: Callable[[], Person], reason: str) -> None:
    page = people().get(f"/gone?reason={reason}")
    assert page.status_code == 200
    assert {"removed": "A host removed you", "closed": "operator closed this room"}[reason] in page.text
