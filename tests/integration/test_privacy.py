"""Nothing a user typed, no room id and no client address reaches the server's output, reports and the operator's
calls included."""

from __future__ import annotations

import re

import requests

from tests.conftest import each_mode_and_store_once
from tests.support.files import traces
from tests.support.people import Person

MARK = "zq7marker"
ALIAS = MARK + "alias"
SECOND_ALIAS = MARK + "bob"
ROOM_NAME = MARK + "room"
PASSWORD = MARK + "password"
MESSAGE = MARK + "message"
ADDRESS = "127.0.0.213"
ADMIN_TOKEN = MARK + "admin-token-" + "0" * 32  # a secret too
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


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
    # Files: one whole, with a name and bytes carrying the mark, and refused offers and pieces naming it.
    content = (MESSAGE * 40).encode()
    file_id = ann_socket.send_file("standard", content, name=f"{MARK}.pdf", kind="application/pdf")
    assert bob_socket.wait("file")["name"] == f"{MARK}.pdf"
    assert not ann_socket.call("file_offer", {"id": MARK, "size": 5, "name": MESSAGE})["ok"]
    assert not ann_socket.chunk(file_id, 9, MESSAGE)["ok"]
    bob_socket.client.emit("file_progress", {"from": MARK, "id": file_id, "index": 0})
    # Reports, and the operator's answers: a reason off the list, an unknown room, a wrong token, the list.
    assert bob.post_json(f"/api/rooms/{room_id}/report", {"reason": MESSAGE}).status_code == 400
    assert bob.post_json(f"/api/rooms/{room_id}/report", {"reason": "harassment"}).status_code == 202
    assert bob.post_json(f"/api/rooms/{MARK}room-path/report", {"reason": "spam"}).status_code == 202
    wrong = {"Authorization": f"Bearer {PASSWORD}"}
    assert ann.http.get(f"{srv.url}/api/admin/reports", headers=wrong, timeout=10).status_code == 401
    listed = ann.http.get(f"{srv.url}/api/admin/reports", headers=ADMIN, timeout=10)
    assert [room["room_id"] for room in listed.json()["rooms"]] == [room_id]
    assert bob_socket.call("logout")["ok"]
    assert ann_socket.call("purge")["ok"]
    ann_socket.wait("purged")
    # A room the operator closes, with its people in it.
    closed_id = ann.create(alias=ALIAS, name=ROOM_NAME, password=PASSWORD).json()["room_id"]
    closed_socket = ann.connect(closed_id)
    closed_socket.wait("welcome")
    assert closed_socket.send(MESSAGE)["ok"]
    closing = ann.http.post(f"{srv.url}/api/admin/rooms/{closed_id}/close", headers=ADMIN, timeout=10)
    assert closing.status_code == 200
    assert closed_socket.wait("purged") == {"reason": "closed", "by": None}
    ann.close()
    bob.close()
    return [room_id, closed_id]


@each_mode_and_store_once
def test_no_user_data_in_server_output(own_server):
    """A server of its own runs every path that sees user data; its whole output holds none of it.

    Each async mode's server writes its own lines (its WSGI server's, its logging) and each store its own; which
    mode is paired with which store changes no line, so gevent in memory and eventlet on Redis cover them.
    """
    srv = own_server({"EPHEMERAL_ADMIN_TOKEN": ADMIN_TOKEN})
    room_ids = _exercise(srv)
    assert srv.alive()
    assert srv.stop() == 0
    output = srv.output()
    assert "serving on port" in output  # the capture works: the server did write here
    in_base64 = [trace.decode() for trace in traces(MARK)]  # a file's pieces travel as base64url
    leaks = [needle for needle in (MARK, ADDRESS, *room_ids, *in_base64) if needle in output]
    assert leaks == [], f"server output contains user data: {leaks}"
    assert not re.search(r"Traceback|File \".*\", line", output)
