"""Who is who on the wire: participant ids and roles in every payload that names a person."""

from __future__ import annotations

from tests.support.payloads import notice


def test_welcome_names_you_and_everyone_present_by_id_and_role(any_room):
    room = any_room
    ann, bob = room.members
    tab = bob.person.connect(room.room_id)
    welcome = tab.wait("welcome")
    assert welcome["you"] == {"id": bob.id, "alias": "bob", "role": "member"}
    assert welcome["participants"] == [
        {"id": ann.id, "alias": "ann", "role": "host"},
        {"id": bob.id, "alias": "bob", "role": "member"},
    ]


def test_a_message_says_who_sent_it_by_id(room):
    ann, bob = room.members
    ack = bob.socket.send("hello")
    message = ann.socket.wait("message")
    assert (message["id"], message["from"], message["alias"]) == (ack["id"], bob.id, "bob")


def test_the_purger_is_named_by_id(any_room):
    ann, bob = any_room.members
    assert bob.socket.call("purge") == {"ok": True}
    purged = ann.socket.wait("purged")
    assert purged["by"] == {"id": bob.id, "alias": "bob"}
    assert notice(purged) == {"reason": "purged", "by": "bob"}
    assert not ann.socket.connected


def test_create_and_join_answer_the_participant_id(people):
    ann, bob = people(), people()
    created = ann.create(alias="ann").json()
    joined = bob.join(created["room_id"], alias="bob").json()
    assert created["participant_id"] != joined["participant_id"]
    assert ann.connect(created["room_id"]).wait("welcome")["you"]["id"] == created["participant_id"]


def test_a_second_tab_is_the_same_participant(any_room):
    ann = any_room.members[0]
    tab = ann.person.connect(any_room.room_id)
    assert tab.wait("welcome")["you"]["id"] == ann.id
    assert ann.socket.pending("presence") == []  # several tabs count once


def test_logging_out_ends_every_tab_and_the_next_event_is_unauthorized(any_room):
    ann, bob = any_room.members
    tab = bob.person.connect(any_room.room_id)
    assert bob.socket.call("logout") == {"ok": True}
    assert not bob.socket.connected and not tab.connected
    assert [p["alias"] for p in ann.socket.wait("presence")["participants"]] == ["ann"]
