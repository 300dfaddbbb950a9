"""History from peers in process: a member's page hands a newcomer what it shows, in a room that chose it.

Here are the handler's rules: the room must have opted in, only the newcomer's sockets hear it, the sharer is who
the store says, a standard room's html is cleaned again, an envelope is checked for its shape, a message the room
does not keep as the author named is not passed on, anything malformed is `invalid`, and it draws on the message
budget. The store's rule is the contract suite's (`tests/contract/test_history.py`); several processes, the real
server and its output are `tests/integration/test_history.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ephemeral.ratelimit import MESSAGES_PER_PARTICIPANT
from ephemeral.rooms import E2E, HISTORY_MAX, STANDARD
from tests.inprocess.conftest import Member, Room, message_in, open_room
from tests.inprocess.test_message_actions import app, clock
from tests.support.clock import FakeClock
from tests.support.e2e_shapes import envelope
from tests.support.hostile import ACK_ERRORS, FRAME_BUDGET, FUZZ, SOCKET_TEXT, SOCKET_VALUES, wire_size
from tests.support.inprocess import Person, Socket

EVENTS = ("message", "edited", "unsent", "reactions", "presence", "room", "purged", "history")
BURST = int(MESSAGES_PER_PARTICIPANT.burst)
__all__ = ["app", "clock"]  # fixtures shared with the message actions: the limits' clock moves only when told


@dataclass
class Talk:
    """Ann (host) and Bob said something; Cleo then came in. `said` is what Bob's page was sent of each message."""

    room: Room
    cleo: Member
    said: list[dict[str, Any]]

    @property
    def ann(self) -> Member:
        return self.room.members[0]

    @property
    def bob(self) -> Member:
        return self.room.members[1]


def talk(people: Callable[[], Person], mode: str, **rules: Any) -> Talk:
    room = open_room(people, mode, **rules)
    ann, bob = room.members
    for who, text in ((ann, "hello"), (bob, "hi **there**")):
        assert who.socket.call("message", message_in(mode, text))["ok"]
    said = [bob.socket.wait("message"), bob.socket.wait("message")]
    cleo = people()
    secret = {"verifier" if mode == E2E else "password": room.password}
    joined = cleo.post_json(f"/api/rooms/{room.room_id}/join", {"alias": "cleo", **secret}).json()
    socket = cleo.connect(room.room_id)
    socket.wait("welcome")
    for member in room.members:
        member.socket.wait_for("presence", lambda p: len(p["participants"]) == 3)
    for sock in (ann.socket, bob.socket, socket):
        for event in EVENTS:
            sock.pending(event)
    return Talk(room, Member(cleo, socket, "cleo", joined["participant_id"]), said)


def shared(message: dict[str, Any]) -> dict[str, Any]:
    """What a page hands on of a message it was sent."""
    return {key: message[key] for key in ("id", "from", "alias", "ts", "html", "e2e", "reply_to") if key in message}


def quiet(*sockets: Socket) -> None:
    for sock in sockets:
        assert {event: sock.pending(event) for event in EVENTS} == {event: [] for event in EVENTS}


@pytest.fixture
def history(people: Callable[[], Person], mode: str) -> Talk:
    return talk(people, mode, history=True)


def test_a_member_hands_the_newcomer_what_the_room_said(history: Talk, mode: str) -> None:
    offered = [shared(message) for message in history.said]
    ack = history.bob.socket.call("share_history", {"to": history.cleo.id, "messages": offered})
    assert ack == {"ok": True, "shared": 2}
    received = history.cleo.socket.wait("history")
    assert received == {"from": history.bob.id, "alias": "bob", "messages": offered}
    quiet(history.ann.socket, history.bob.socket, history.cleo.socket)


def test_a_room_that_did_not_opt_in_refuses_history(people: Callable[[], Person], mode: str) -> None:
    plain = talk(people, mode)
    for sharer in (plain.ann, plain.bob):  # the host too
        ack = sharer.socket.call("share_history", {"to": plain.cleo.id, "messages": [shared(plain.said[0])]})
        assert (ack["ok"], ack["error"]) == (False, "forbidden")
    quiet(plain.ann.socket, plain.bob.socket, plain.cleo.socket)


def test_the_sharer_is_who_the_store_says_whatever_the_payload_claims(history: Talk) -> None:
    payload = {"to": history.cleo.id, "messages": [shared(history.said[0])], "from": history.ann.id, "alias": "ann"}
    assert history.bob.socket.call("share_history", payload)["ok"]
    assert {k: v for k, v in history.cleo.socket.wait("history").items() if k != "messages"} == {
        "from": history.bob.id,
        "alias": "bob",
    }


@pytest.mark.parametrize("mode", [STANDARD])
def test_a_standard_rooms_html_is_cleaned_again(history: Talk) -> None:
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script><a href="javascript:alert(3)">b</a> <em>ok</em>'
    offered = {**shared(history.said[0]), "html": hostile}
    assert history.bob.socket.call("share_history", {"to": history.cleo.id, "messages": [offered]})["ok"]
    html = history.cleo.socket.wait("history")["messages"][0]["html"]
    assert "<em>ok</em>" in html
    for trace in ("onerror", "<script", "alert(2)", "javascript:"):
        assert trace not in html


def test_only_what_the_room_keeps_from_the_author_named_is_passed_on(history: Talk, mode: str) -> None:
    first, second = history.said
    assert history.bob.socket.call("unsend", {"id": second["id"]})["ok"]
    for sock in (history.ann.socket, history.bob.socket, history.cleo.socket):
        assert sock.wait("unsent") == {"id": second["id"]}
    invented = {**shared(first), "id": "invented-id"}
    offered = [shared(first), shared(second), invented]  # the second was unsent; nobody said the third
    ack = history.bob.socket.call("share_history", {"to": history.cleo.id, "messages": offered})
    assert ack == {"ok": True, "shared": 1}
    assert history.cleo.socket.wait("history")["messages"] == [shared(first)]
    misattributed = {**shared(first), "from": history.bob.id, "alias": "bob"}  # ann said it, not bob
    ack = history.bob.socket.call("share_history", {"to": history.cleo.id, "messages": [misattributed]})
    assert ack == {"ok": True, "shared": 0}
    quiet(history.ann.socket, history.bob.socket, history.cleo.socket)  # nothing to hand on: nothing sent


def test_fields_a_message_may_not_carry_are_dropped_and_the_known_ones_kept(history: Talk) -> None:
    extra = {"edited": True, "reply_to": "some-id", "left": 12_000, "onclick": "x", "shared": "ann", "role": "host"}
    assert history.bob.socket.call(
        "share_history", {"to": history.cleo.id, "messages": [{**shared(history.said[0]), **extra}]}
    )["ok"]
    relayed = history.cleo.socket.wait("history")["messages"][0]
    assert set(relayed) - set(shared(history.said[0])) == {"edited", "reply_to", "left"}


def bad_payloads(talk: Talk, mode: str) -> list[Any]:
    good = shared(talk.said[0])
    wrong_body = {"html": "<p>hi</p>"} if mode == E2E else {"e2e": envelope()}
    over = [{**good, "id": f"m{n}"} for n in range(HISTORY_MAX + 1)]
    messages = [
        None,
        "text",
        {"id": good["id"]},
        [good, good],  # twice
        over,
        [None],
        [{**good, "id": ""}],
        [{**good, "id": 7}],
        [{**good, "from": None}],
        [{**good, "alias": ""}],
        [{**good, "alias": "a\u200bb"}],
        [{**good, "ts": -1}],
        [{**good, "ts": True}],
        [{**good, "ts": "1"}],
        [{**good, **wrong_body}],
        [{key: value for key, value in good.items() if key not in ("html", "e2e")}],
        [{**good, "edited": "yes"}],
        [{**good, "reply_to": 5}],
        [{**good, "left": 3_600_001}],
    ]
    if mode == E2E:
        messages.append([{**good, "e2e": {**good["e2e"], "n": -1}}])
    else:
        messages.append([{**good, "html": "<script>x</script>"}])  # nothing left once cleaned
    payloads: list[Any] = [None, [], "x", {"to": talk.cleo.id}]
    payloads += [{"to": talk.cleo.id, "messages": value} for value in messages]
    payloads += [{"to": to, "messages": [good]} for to in (None, 5, "nobody", talk.bob.id)]
    return payloads


def test_anything_malformed_is_invalid_and_reaches_nobody(history: Talk, mode: str, clock: FakeClock) -> None:
    for payload in bad_payloads(history, mode):
        clock.advance(60)  # the budget is not what refuses
        ack = history.bob.socket.call("share_history", payload)
        assert (ack["ok"], ack["error"]) == (False, "invalid"), payload
    quiet(history.ann.socket, history.bob.socket, history.cleo.socket)


def test_history_draws_on_the_message_budget(history: Talk, mode: str) -> None:
    bob = history.bob.socket
    for _ in range(BURST - 3):  # bob said one message already
        assert bob.call("message", message_in(mode))["ok"]
    payload = {"to": history.cleo.id, "messages": [shared(history.said[0])]}
    assert bob.call("share_history", payload)["ok"]
    assert bob.call("message", message_in(mode))["ok"]
    ack = bob.call("share_history", payload)
    assert (ack["ok"], ack["error"]) == (False, "rate_limited")
    assert len(history.cleo.socket.pending("history")) == 1


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
def test_any_payload_gets_a_clean_ack_and_the_newcomer_only_well_formed_history(
    history: Talk, mode: str, clock: FakeClock
) -> None:
    """Hostile payloads, near misses of a good message included: an ack, never an error, and nothing malformed on."""
    good = shared(history.said[0])
    names = st.sampled_from([*good, "edited", "reply_to", "left", "role"])
    changed = st.builds(lambda name, value: {**good, name: value}, names, SOCKET_VALUES | SOCKET_TEXT)
    dropped = names.map(lambda name: {key: value for key, value in good.items() if key != name})
    message = changed | dropped
    to = st.one_of(st.just(history.cleo.id), SOCKET_VALUES)
    payloads = st.one_of(
        st.fixed_dictionaries({"to": st.just(history.cleo.id), "messages": st.lists(message, min_size=1, max_size=2)}),
        st.fixed_dictionaries({"to": to, "messages": st.lists(message | SOCKET_VALUES, max_size=3)}),
        SOCKET_VALUES,
    ).filter(lambda value: wire_size(value) < FRAME_BUDGET)

    passed_on: list[int] = []

    @FUZZ
    @given(payload=payloads)
    def share(payload: Any) -> None:
        clock.advance(60)
        ack = history.bob.socket.call("share_history", payload)
        if ack.get("ok") is True:
            assert set(ack) == {"ok", "shared"} and 0 <= ack["shared"] <= len(payload["messages"])
            passed_on.append(ack["shared"])
        else:
            assert ack.get("ok") is False and ack["error"] in ACK_ERRORS, ack

    share()
    assert sum(passed_on) > 0  # some examples were good enough to be handed on
    for handed in history.cleo.socket.pending("history"):
        assert (handed["from"], handed["alias"]) == (history.bob.id, "bob")
        for relayed in handed["messages"]:
            assert relayed["id"] == good["id"] and relayed["from"] == good["from"]
            assert set(relayed) <= {"id", "from", "alias", "ts", "html", "e2e", "edited", "reply_to", "left"}
            kinds = {"alias": str, "ts": int, "html": str, "e2e": dict, "edited": bool, "reply_to": str, "left": int}
            assert all(type(relayed[key]) is kind for key, kind in kinds.items() if key in relayed), relayed
    assert history.bob.socket.call("message", message_in(mode))["ok"]  # still talking
