"""Any payload a client can put on `message`, `logout` and `purge` gets a clean ack, in process.

The strategies are shared with the real-server hostile-input suite; packets are encoded
and decoded as on the wire. Frames themselves (raw, binary, oversized) stay
with the real server in `tests/integration/test_hostile_input.py`.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given

from tests.support.hostile import (
    FEW,
    FRAME_BUDGET,
    FUZZ,
    SOCKET_TEXT,
    SOCKET_VALUES,
    assert_ack,
    field_dicts,
    wire_size,
)
from tests.support.payloads import notice

pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
CHATTERS = 40  # each has its own message budget, so most examples reach validation


def test_message_payloads_get_a_clean_ack(people):
    owner = people()
    room_id = owner.create(alias="chatter-0", password="pw").json()["room_id"]
    chatters = [owner] + [people() for _ in range(1, CHATTERS)]
    for n, person in enumerate(chatters[1:], start=1):
        assert person.join(room_id, alias=f"chatter-{n}", password="pw").status_code == 200
    sockets = [person.connect(room_id) for person in chatters]
    speakers = itertools.cycle(sockets)

    @FUZZ
    @given(
        payload=(field_dicts(["text"], SOCKET_TEXT, SOCKET_VALUES) | SOCKET_VALUES).filter(
            lambda v: wire_size(v) < FRAME_BUDGET
        )
    )
    def message(payload):
        assert_ack(next(speakers).call("message", payload))

    message()
    assert all(sock.connected for sock in sockets)
    assert sockets[0].send("still talking")["ok"]


def test_logout_ignores_any_payload(people):
    room_id = people().create(alias="stays", password="secret").json()["room_id"]

    @FEW
    @given(payload=SOCKET_VALUES)
    def logout(payload):
        person = people()
        assert person.join(room_id, alias="leaver", password="secret").status_code == 200
        sock = person.connect(room_id)
        assert sock.call("logout", payload) == {"ok": True}
        assert not sock.connected

    logout()


def test_purge_ignores_any_payload(people):
    @FEW
    @given(payload=SOCKET_VALUES)
    def purge(payload):
        person = people()
        sock = person.connect(person.create(alias="purger").json()["room_id"])
        assert sock.call("purge", payload) == {"ok": True}
        assert notice(sock.wait("purged")) == {"reason": "purged", "by": "purger"}
        assert not sock.connected

    purge()
