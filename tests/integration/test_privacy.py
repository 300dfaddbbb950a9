"""Nothing a user typed, no room id and no client address reaches the server's output."""

from __future__ import annotations

import re

import requests

from tests.support.people import Person

MARK = "zq7marker"
ALIAS = MARK + "alias"
SECOND_ALIAS = MARK + "bob"
ROOM_NAME = MARK + "room"
PASSWORD = MARK + "password"
MESSAGE = MARK + "message"
ADDRESS = "127.0.0.213"


def _exercise(srv) -> list[str]:
    """One session touching every path that sees user data, good and bad; returns the ids it saw."""
    ann = Person(srv.url, address=ADDRESS)
    created = ann.create(alias=ALIAS, name=ROOM_NAME, password=PASSWORD).json()
    room_id = created["room_id"]
    bob = Person(srv.url, address=ADDRESS)
    assert bob.join(room_id, alias=SECOND_ALIAS, password=PASSWORD).status_code == 200
    # Failing requests carry the markers too.
    assert bob.join(room_id, alias=SECOND_ALIAS, password=PASSWORD + "x").status_code == 403
    assert bob.join(room_id, alias=ALIAS, password=PASSWORD).status_code == 409
    assert ann.create(alias=ALIAS + "\x00", name=ROOM_NAME, password=PASSWORD).status_code == 400
    assert ann.post_json("/api/rooms", [ALIAS, PASSWORD]).status_code == 400
    assert ann.http.post(srv.url + "/api/rooms", data=MESSAGE, timeout=10).status_code == 415
    assert ann.http.get(f"{srv.url}/r/{MARK}room-path", timeout=10).status_code == 404
    assert ann.http.get(f"{srv.url}/{MARK}/nowhere", timeout=10).status_code == 404
    assert (
        ann.http.post(f"{srv.url}/r/{room_id}", data={"alias": ALIAS, "password": PASSWORD}, timeout=10).status_code
        == 403
    )
    requests.get(f"{srv.url}/healthz", headers={"X-Forwarded-For": ADDRESS, "User-Agent": MARK}, timeout=10)

    ann_socket = ann.connect(room_id)
    bob_socket = bob.connect(room_id)
    ann_socket.wait("welcome")
    bob_socket.wait("welcome")
    assert ann_socket.send(f"**{MESSAGE}**")["ok"]
    assert bob_socket.wait_for("message", lambda m: MESSAGE in m["html"])
    assert not ann_socket.call("message", {"text": MESSAGE * 1000})["ok"]
    assert not ann_socket.call("message", [MESSAGE])["ok"]
    ann_socket.client.emit(MARK + "event", {"text": MESSAGE})
    assert bob_socket.call("logout")["ok"]
    assert ann_socket.call("purge")["ok"]
    ann_socket.wait("purged")
    ann.close()
    bob.close()
    return [room_id]


def test_no_user_data_in_server_output(own_server):
    srv = own_server()
    room_ids = _exercise(srv)
    assert srv.alive()
    assert srv.stop() == 0
    output = srv.output()
    assert "serving on port" in output  # the capture works: the server did write here
    leaks = [needle for needle in (MARK, ADDRESS, *room_ids) if needle in output]
    assert leaks == [], f"server output contains user data: {leaks}"
    assert not re.search(r"Traceback|File \".*\", line", output)
