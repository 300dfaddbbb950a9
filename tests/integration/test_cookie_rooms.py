"""The 17th room of one cookie on the real server, in both async modes, rooms in memory and in Redis.

Gevent in memory and eventlet on Redis: each async mode and each store once, as the limit lives in the cookie and
the store's bindings, and no pairing of the two changes it.
"""

from __future__ import annotations

from ephemeral.bindings import MAX_BINDINGS
from tests.conftest import each_mode_and_store_once


@each_mode_and_store_once
def test_the_17th_room_is_refused_and_the_first_can_still_be_left(people):
    me, rooms = people(), []
    for k in range(MAX_BINDINGS):
        if k < 5:  # the rest joined: creations are limited per address
            rooms.append(me.create(alias="me", name=f"mine {k}").json()["room_id"])
        else:
            room_id = people().create(alias="host").json()["room_id"]
            assert me.join(room_id, alias="me").status_code == 200
            rooms.append(room_id)
    other = people().create(alias="host").json()["room_id"]

    refused = me.join(other, alias="me")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "too_many_rooms"
    assert me.create(alias="me").json()["error"] == "too_many_rooms"

    first = me.connect(rooms[0])
    assert first.wait("welcome")["alias"] == "me"
    assert first.call("logout") == {"ok": True}
    assert people().join(rooms[0], alias="me").status_code == 200  # the seat and alias are free
    assert me.join(other, alias="me").status_code == 200
