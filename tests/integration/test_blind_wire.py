"""Wire and logs: in a server-blind room no answer or frame the server sends carries a message, the password, the
room name or the link secret, and no line it writes carries those or anything else about the people in it.

Every HTTP answer (headers and body) and every raw Engine.IO frame each member's socket received is kept and
searched, as is the server's whole output, in both async modes. The members are Python clients with the
page's crypto (`tests/support/e2e_client.py`); the path runs through creation, the join page, the key
parameters, refused joins, the share card and the chat page, twenty messages both ways, refused envelopes, a
logout and a purge.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
import requests
from ephemeral_client import crypto

from tests.support import e2e_client
from tests.support.e2e_client import Member, RoomKeys
from tests.support.needles import found_in, hidden, spelled
from tests.support.people import Person
from tests.support.server import running_server

MESSAGES = 20


def answer_text(answer: requests.Response) -> str:
    """An HTTP answer as it came: status, headers and body."""
    headers = "".join(f"{name}: {value}\n" for name, value in answer.headers.items())
    return f"{answer.status_code}\n{headers}\n{answer.text}"


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_no_packet_and_no_line_of_output_holds_what_a_server_blind_room_hides(tmp_path: Path, async_mode: str) -> None:
    marker, name, password = (f"{kind}{secrets.token_hex(8)}" for kind in ("say", "name", "pass"))
    ann_alias, bob_alias = (f"{who}{secrets.token_hex(4)}" for who in ("ann", "bob"))
    keys = RoomKeys.new(password + " \u00fc")
    answers: list[requests.Response] = []
    members: list[Member] = []
    sealed: list[str] = []  # what the server saw of the room, which it must not write down either
    with running_server(tmp_path, async_mode) as srv:
        ann, bob = Person(srv.url), Person(srv.url)
        try:
            created = e2e_client.create(ann, ann_alias, name + " \u2615", keys)
            answers.append(created)
            assert created.status_code == 201, created.text
            room_id = created.json()["room_id"]
            answers.append(ann.http.get(f"{srv.url}/r/{room_id}/share", timeout=10))  # the creator's share card
            assert answers[-1].status_code == 200
            answers.append(bob.http.get(f"{srv.url}/r/{room_id}", timeout=10))  # the join page
            assert answers[-1].status_code == 200
            bob_keys = e2e_client.keys_from_door(bob, room_id, keys.password, keys.link_secret)
            answers.append(e2e_client.door(bob, room_id))
            wrong = RoomKeys.derive(keys.password + "x", keys.link_secret, keys.salt)
            answers.append(e2e_client.join(bob, room_id, bob_alias, wrong))
            assert answers[-1].status_code == 403
            answers.append(bob.post_json(f"/api/rooms/{room_id}/join", {"alias": bob_alias, "password": password}))
            assert answers[-1].status_code == 400
            answers.append(e2e_client.join(bob, room_id, bob_alias, bob_keys))
            assert answers[-1].status_code == 200
            answers.append(bob.http.get(f"{srv.url}/r/{room_id}", timeout=10))  # now the chat page
            assert answers[-1].status_code == 200

            one, other = Member.connect(ann, room_id, keys), Member.connect(bob, room_id, bob_keys)
            members += [one, other]
            for n in range(MESSAGES):
                sender = (one, other)[n % 2]
                envelope = sender.seal(f"<p>message {n}: {marker} \U0001f642</p>")
                assert sender.wire.call("message", {"e2e": envelope})["ok"] is True
                sealed += [envelope["sid"], envelope["iv"], envelope["ct"][:40]]
            for member in members:
                assert all(marker in message["t"] for message in member.opened(MESSAGES))
            refused = [
                {"text": marker},
                {"e2e": {**one.seal(marker), "ct": crypto.b64url_encode(marker.encode() * 16)}},
                {"e2e": one.seal(marker), "text": marker},
            ]
            for payload in refused:
                assert one.wire.call("message", payload)["ok"] is False
            assert other.wire.call("logout", {})["ok"] is True
            assert one.wire.call("purge", {})["ok"] is True
            one.wire.wait_events("purged", 1)
            assert srv.stop() == 0
        finally:
            for member in members:
                member.close()
            for person in (ann, bob):
                person.close()

    # What the server sent: every answer, and every frame either member's socket read.
    wire = "\n".join([*map(answer_text, answers), *(frame for m in members for frame in m.wire.frames)])
    assert any(sealed[2] in frame for frame in other.wire.frames)  # the capture holds the messages...
    hides = {
        **hidden("message", marker),
        **hidden("password", password),
        **hidden("room name", name),
        **spelled("link secret", crypto.b64url_encode(keys.link_secret)),
    }
    assert found_in(wire.encode("utf-8"), hides) == []  # ...and nothing they hide
    output = srv.output()
    assert "serving on port" in output  # the capture works: the server did write here
    about_people = {
        **hides,
        "room id": room_id.encode(),
        "ann's alias": ann_alias.encode(),
        "bob's alias": bob_alias.encode(),
        "ann's address": ann.address.encode(),
        "bob's address": bob.address.encode(),
        "ann's id": one.participant_id.encode(),
        "bob's id": other.participant_id.encode(),
        "verifier": keys.verifier.encode(),
        "wrong verifier": wrong.verifier.encode(),
        "kdf salt": crypto.b64url_encode(keys.salt).encode(),
        "name_ct": created.json()["name_ct"].encode(),
        **{f"envelope part {n}": part.encode() for n, part in enumerate(sealed)},
    }
    assert found_in(output.encode("utf-8"), about_people) == []
    assert not re.search(r"Traceback|File \".*\", line", output)
