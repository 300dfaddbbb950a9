"""Socket.IO contract: connect, welcome, presence, messages, isolation, acks."""

from __future__ import annotations

import pytest

from tests.support.payloads import aliases
from tests.support.people import Refused


def test_welcome_carries_room_and_self(people):
    ann = people()
    created = ann.create(alias="ann", name="Plans").json()
    welcome = ann.connect(created["room_id"]).wait("welcome")
    assert welcome["room_id"] == created["room_id"]
    assert welcome["name"] == "Plans"
    assert welcome["alias"] == "ann"
    assert aliases(welcome) == ["ann"]
    assert welcome["expires_at"] == created["expires_at"]


def test_message_reaches_everyone_with_server_fields(room):
    ann, _bob = room.members
    ack = ann.socket.call("message", {"text": "**hello**", "alias": "bob", "id": "x", "ts": 1, "room": "other"})
    assert ack["ok"] is True and ack["id"]
    for member in room.members:
        message = member.socket.wait("message")
        assert message["alias"] == "ann"  # from the binding, not the payload
        assert message["id"] == ack["id"]
        assert message["html"] == "<p><strong>hello</strong></p>"
        assert isinstance(message["ts"], int) and message["ts"] > 1_600_000_000_000


def test_markup_in_a_message_is_shown_as_text(room):
    ann, bob = room.members
    typed = '<a href="javascript:alert(1)" onclick="x()">hi</a><script>bad()</script>'
    assert ann.socket.send(typed)["ok"]
    html = bob.socket.wait("message")["html"]
    assert html == "<p>" + typed.replace("<", "&lt;").replace(">", "&gt;") + "</p>"


def test_markdown_links_are_safe(room):
    ann, bob = room.members
    assert ann.socket.send("[bad](javascript:alert(1)) [good](https://example.org/)")["ok"]
    html = bob.socket.wait("message")["html"]
    assert html == (
        '<p>[bad](javascript:alert(1)) <a href="https://example.org/" rel="noopener noreferrer nofollow">good</a></p>'
    )


# The size limit and the flood limit: tests/inprocess/test_messages.py.
# Unknown event names, down to the frames: tests/integration/test_identity.py.


def test_rooms_never_see_each_others_events(people):
    first, second = people(), people()
    room_a = first.create(alias="a1").json()["room_id"]
    room_b = second.create(alias="b1").json()["room_id"]
    sock_a = first.connect(room_a)
    sock_b = second.connect(room_b)
    sock_a.wait("welcome")
    sock_b.wait("welcome")
    assert sock_a.send("only for A")["ok"]
    assert sock_a.wait("message")["html"] == "<p>only for A</p>"
    assert sock_b.send("only for B")["ok"]
    assert sock_b.wait("message")["html"] == "<p>only for B</p>"
    # B's own message arrived after A's would have: nothing from A is queued for B.
    assert sock_b.pending("message") == []
    assert sock_a.pending("message") == []


def test_presence_counts_a_participant_once(room, people):
    ann, bob = room.members
    second_tab = ann.person.connect(room.room_id)
    assert aliases(second_tab.wait("welcome")) == ["ann", "bob"]
    second_tab.close()
    bob.socket.close()
    remaining = ann.socket.wait_for("presence", lambda p: "bob" not in aliases(p))
    assert aliases(remaining) == ["ann"]


def test_binding_for_room_a_does_not_open_room_b(people):
    ann, bob = people(), people()
    room_a = ann.create().json()["room_id"]
    room_b = bob.create().json()["room_id"]
    with pytest.raises(Refused, match=r"^unauthorized$"):
        ann.connect(room_b)
    assert ann.connect(room_a).wait("welcome")["room_id"] == room_a


def test_stranger_and_forged_cookie_refused(people):
    ann = people()
    room_id = ann.create().json()["room_id"]
    with pytest.raises(Refused, match=r"^unauthorized$"):
        people().connect(room_id)
    forged = ann.cookie_header()[:-3] + "abc"
    with pytest.raises(Refused, match=r"^unauthorized$"):
        people().connect(room_id, cookie=forged)


@pytest.mark.parametrize(("origin", "allowed"), [("https://evil.example", False), ("null", False), (None, True)])
def test_socket_origin_check(people, origin, allowed):
    ann = people()
    room_id = ann.create().json()["room_id"]
    if allowed:
        assert ann.connect_with_auth({"room": room_id}, origin=ann.base_url).wait("welcome")
    else:
        with pytest.raises(Refused, match=r"^unauthorized$"):
            ann.connect_with_auth({"room": room_id}, origin=origin)


def test_one_cookie_holds_several_rooms(people):
    ann = people()
    first = ann.create(name="one").json()["room_id"]
    second = ann.create(name="two").json()["room_id"]
    assert ann.connect(first).wait("welcome")["name"] == "one"
    assert ann.connect(second).wait("welcome")["name"] == "two"


def test_reconnect_gets_no_history(room):
    ann, bob = room.members
    assert ann.socket.send("said before")["ok"]
    bob.socket.wait("message")
    again = bob.person.connect(room.room_id)
    again.wait("welcome")
    assert ann.socket.send("said after")["ok"]
    assert again.wait("message")["html"] == "<p>said after</p>"
