"""Message actions in process: reply, edit, unsend, react and typing, in a standard and a server-blind room.

Here are the handlers: what each socket is told, the acks, the validation tables, the budgets, and that each
action costs one store call. The store's own rules (trimming, races, Redis) are the contract suite's; the real
server, several processes and the server's output are `tests/integration/test_message_actions.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from ephemeral import create_app
from ephemeral.ratelimit import MESSAGES_PER_PARTICIPANT, TYPING_PER_PARTICIPANT
from ephemeral.rooms import E2E, MESSAGES_KEPT, REACTIONS
from ephemeral.services import Services
from tests.inprocess.conftest import Member, Room, message_in, open_room
from tests.support.clock import FakeClock
from tests.support.e2e_shapes import envelope
from tests.support.hostile import FUZZ, SOCKET_TEXT, SOCKET_VALUES
from tests.support.inprocess import BackgroundTasks, Person, Socket

THUMBS, HEART, FIRE = REACTIONS[0], REACTIONS[1], REACTIONS[7]
EVENTS = ("message", "edited", "unsent", "reactions", "typing", "presence", "room", "purged")
BURST = int(MESSAGES_PER_PARTICIPANT.burst)


@pytest.fixture
def clock() -> FakeClock:
    """The limits' clock: a budget refills only when a test moves it."""
    return FakeClock()


@pytest.fixture
def app(tasks: BackgroundTasks, clock: FakeClock) -> Iterator[Flask]:
    built = create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4}, environ={}, clock=clock)
    yield built
    tasks.run()


def quiet(*sockets: Socket) -> None:
    """Nothing more arrived on these sockets, and each is still open."""
    for sock in sockets:
        assert {event: sock.pending(event) for event in EVENTS} == {event: [] for event in EVENTS}
        assert sock.connected


def settled(room: Room) -> Room:
    for member in room.members:
        for event in EVENTS:
            member.socket.pending(event)
    return room


def said(room: Room, who: Member, text: str = "hello", **fields: Any) -> str:
    """`who` sends a message that every member receives; its id."""
    ack = who.socket.call("message", {**message_in(room.mode, text), **fields})
    assert ack["ok"], ack
    for member in room.members:
        assert member.socket.wait("message")["id"] == ack["id"]
    return str(ack["id"])


def new_text(mode: str, text: str = "changed") -> dict[str, Any]:
    """The text part of a good `edit`: text, or a new envelope."""
    return message_in(mode, text)


def body_of(event: dict[str, Any]) -> dict[str, Any]:
    return {key: event[key] for key in ("html", "e2e") if key in event}


# -- reply -----------------------------------------------------------------------------------------------------------


def test_a_reply_carries_the_id_it_answers_and_a_plain_message_none(any_room: Room) -> None:
    ann, bob = settled(any_room).members
    first = ann.socket.call("message", message_in(any_room.mode))["id"]
    assert "reply_to" not in bob.socket.wait("message")
    ann.socket.pending("message")
    ack = bob.socket.call("message", {**message_in(any_room.mode, "answer"), "reply_to": first})
    assert ack["ok"]
    for member in any_room.members:
        relayed = member.socket.wait("message")
        assert (relayed["id"], relayed["from"], relayed["reply_to"]) == (ack["id"], bob.id, first)


def test_a_null_reply_to_is_a_plain_message(any_room: Room) -> None:
    ann, bob = settled(any_room).members
    assert ann.socket.call("message", {**message_in(any_room.mode), "reply_to": None})["ok"]
    assert "reply_to" not in bob.socket.wait("message")


def test_a_reply_to_a_message_the_room_does_not_keep_is_invalid_and_relays_nothing(any_room: Room) -> None:
    ann, bob = settled(any_room).members
    unsent = said(any_room, ann)
    assert ann.socket.unsend(unsent)["ok"]
    settled(any_room)
    for reply_to in ["never-sent-id", "", 7, ["x"], {"id": unsent}, "x" * 10_000, unsent]:
        ack = bob.socket.call("message", {**message_in(any_room.mode), "reply_to": reply_to})
        assert (ack["ok"], ack["error"]) == (False, "invalid"), reply_to
        quiet(ann.socket, bob.socket)


# -- edit ------------------------------------------------------------------------------------------------------------


def test_the_author_edits_and_the_whole_room_gets_the_new_text(any_room: Room) -> None:
    ann, bob = settled(any_room).members
    message_id = said(any_room, ann)
    sent = new_text(any_room.mode, "**changed**")
    assert ann.socket.call("edit", {"id": message_id, **sent}) == {"ok": True}
    for member in any_room.members:
        edited = member.socket.wait("edited")
        assert set(edited) == {"id", "from", "edited_ts", "e2e" if any_room.mode == E2E else "html"}
        assert (edited["id"], edited["from"]) == (message_id, ann.id)
        assert isinstance(edited["edited_ts"], int)
        expected = {"e2e": sent["e2e"]} if any_room.mode == E2E else {"html": "<p><strong>changed</strong></p>"}
        assert body_of(edited) == expected
    quiet(ann.socket, bob.socket)


@pytest.mark.parametrize("text", ["<script>alert(1)</script>**b**", "[x](javascript:alert(1)) `c`", "> q\n\n- a"])
def test_an_edit_is_rendered_and_cleaned_exactly_as_a_message(room: Room, text: str) -> None:
    ann, bob = settled(room).members
    message_id = said(room, ann)
    assert ann.socket.edit(message_id, text)["ok"]
    assert ann.socket.send(text)["ok"]
    assert bob.socket.wait("edited")["html"] == bob.socket.wait("message")["html"]


@pytest.mark.parametrize("event", ["edit", "unsend"])
def test_only_the_author_may_edit_or_unsend_and_a_refusal_changes_nothing(any_room: Room, event: str) -> None:
    ann, bob = settled(any_room).members
    message_id = said(any_room, ann)
    payload = {"id": message_id, **(new_text(any_room.mode) if event == "edit" else {})}
    refused = bob.socket.call(event, payload)
    assert (refused["ok"], refused["error"]) == (False, "forbidden")
    quiet(ann.socket, bob.socket)
    assert ann.socket.call(event, payload) == {"ok": True}  # still kept, still ann's
    assert bob.socket.wait("edited" if event == "edit" else "unsent")["id"] == message_id


def test_a_host_may_not_edit_or_unsend_a_members_message(any_room: Room) -> None:
    """Authorship is the rule, not the role."""
    ann, bob = settled(any_room).members
    message_id = said(any_room, bob)
    assert ann.socket.call("edit", {"id": message_id, **new_text(any_room.mode)})["error"] == "forbidden"
    assert ann.socket.unsend(message_id)["error"] == "forbidden"
    quiet(ann.socket, bob.socket)


def test_another_tab_of_the_author_may_edit(any_room: Room) -> None:
    """The author is the participant, not the socket."""
    ann, bob = settled(any_room).members
    message_id = said(any_room, ann)
    tab = ann.person.connect(any_room.room_id)
    tab.wait("welcome")
    assert tab.call("edit", {"id": message_id, **new_text(any_room.mode)}) == {"ok": True}
    assert bob.socket.wait("edited")["from"] == ann.id


# -- unsend ----------------------------------------------------------------------------------------------------------


def test_an_unsent_message_is_gone_for_every_later_action(any_room: Room, clock: FakeClock) -> None:
    ann, bob = settled(any_room).members
    message_id = said(any_room, ann)
    assert bob.socket.react(message_id, THUMBS)["ok"]
    settled(any_room)
    assert ann.socket.unsend(message_id) == {"ok": True}
    for member in any_room.members:
        assert member.socket.wait("unsent") == {"id": message_id}
    later = {
        "edit": (ann.socket.call("edit", {"id": message_id, **new_text(any_room.mode)}), "forbidden"),
        "unsend": (ann.socket.unsend(message_id), "forbidden"),
        "react": (bob.socket.react(message_id, THUMBS), "invalid"),
        "reply": (bob.socket.call("message", {**message_in(any_room.mode), "reply_to": message_id}), "invalid"),
    }
    assert {name: ack["error"] for name, (ack, _) in later.items()} == {name: code for name, (_, code) in later.items()}
    quiet(ann.socket, bob.socket)


# -- react -----------------------------------------------------------------------------------------------------------


def test_reactions_toggle_and_count_in_the_order_people_reacted(any_room: Room) -> None:
    ann, bob = settled(any_room).members
    message_id = said(any_room, ann)
    steps = [
        (bob, THUMBS, {THUMBS: [bob.id]}),
        (ann, THUMBS, {THUMBS: [bob.id, ann.id]}),
        (ann, FIRE, {THUMBS: [bob.id, ann.id], FIRE: [ann.id]}),
        (bob, THUMBS, {THUMBS: [ann.id], FIRE: [ann.id]}),  # a second time takes it back
        (ann, THUMBS, {FIRE: [ann.id]}),
        (ann, FIRE, {}),
    ]
    for who, emoji, after in steps:
        assert who.socket.react(message_id, emoji) == {"ok": True, "reactions": after}
        for member in any_room.members:
            assert member.socket.wait("reactions") == {"id": message_id, "reactions": after}
    quiet(ann.socket, bob.socket)


def test_every_reaction_of_the_set_is_accepted(room: Room, clock: FakeClock) -> None:
    ann, _bob = settled(room).members
    message_id = said(room, ann)
    for emoji in REACTIONS:
        assert ann.socket.react(message_id, emoji)["ok"], emoji
    assert list(ann.socket.react(message_id, HEART)["reactions"]) == [e for e in REACTIONS if e != HEART]


# -- broadcast rooms -------------------------------------------------------------------------------------------------


def test_a_broadcast_reader_may_react_but_not_speak_reply_or_type(mode: str, people: Callable[[], Person]) -> None:
    room = settled(open_room(people, mode, kind="broadcast"))
    ann, bob = room.members
    assert ann.socket.call("message", message_in(mode))["ok"]
    message_id = bob.socket.wait("message")["id"]
    ann.socket.pending("message")
    reply = bob.socket.call("message", {**message_in(mode), "reply_to": message_id})
    assert (reply["ok"], reply["error"]) == (False, "forbidden")
    assert bob.socket.typing(True) is None
    quiet(ann.socket, bob.socket)
    assert bob.socket.react(message_id, HEART) == {"ok": True, "reactions": {HEART: [bob.id]}}
    assert ann.socket.wait("reactions")["reactions"] == {HEART: [bob.id]}
    assert ann.socket.typing(True) is None
    assert bob.socket.wait("typing") == {"from": ann.id, "on": True}


# -- validation ------------------------------------------------------------------------------------------------------

STANDARD_REFUSALS: list[tuple[str, Any, str]] = [
    ("edit", None, "invalid"),
    ("edit", ["id"], "invalid"),
    ("edit", {"text": "no id"}, "invalid"),
    ("edit", {"id": 7, "text": "x"}, "invalid"),
    ("edit", {"id": "MINE"}, "invalid"),
    ("edit", {"id": "MINE", "text": 5}, "invalid"),
    ("edit", {"id": "MINE", "text": "   "}, "invalid"),
    ("edit", {"id": "MINE", "text": "x" * 4001}, "too_large"),
    ("edit", {"id": "MINE", "e2e": "ENVELOPE"}, "invalid"),
    ("edit", {"id": "MINE", "e2e": "ENVELOPE", "text": "both"}, "invalid"),
    ("edit", {"id": "unknown-id", "text": "x"}, "forbidden"),
    ("edit", {"id": "x" * 100_000, "text": "x"}, "forbidden"),
    ("unsend", None, "invalid"),
    ("unsend", {}, "invalid"),
    ("unsend", {"id": ["MINE"]}, "invalid"),
    ("unsend", {"id": "unknown-id"}, "forbidden"),
    ("react", None, "invalid"),
    ("react", {"id": "MINE"}, "invalid"),
    ("react", {"id": "MINE", "emoji": "🦄"}, "invalid"),
    ("react", {"id": "MINE", "emoji": "❤"}, "invalid"),  # the heart without its variation selector
    ("react", {"id": "MINE", "emoji": THUMBS + THUMBS}, "invalid"),
    ("react", {"id": "MINE", "emoji": [THUMBS]}, "invalid"),
    ("react", {"id": "unknown-id", "emoji": THUMBS}, "invalid"),
    ("react", {"id": {"MINE": 1}, "emoji": THUMBS}, "invalid"),
]
BLIND_REFUSALS: list[tuple[str, Any, str]] = [
    ("edit", {"id": "MINE", "text": "plain text"}, "invalid"),
    ("edit", {"id": "MINE", "e2e": "ENVELOPE", "text": "both"}, "invalid"),
    ("edit", {"id": "MINE"}, "invalid"),
    ("edit", {"id": "MINE", "e2e": envelope(v=2)}, "invalid"),
    ("edit", {"id": "MINE", "e2e": {**envelope(), "extra": 1}}, "invalid"),
    ("edit", {"id": "MINE", "e2e": envelope(blocks=200)}, "too_large"),
    ("edit", {"id": 7, "e2e": "ENVELOPE"}, "invalid"),
    ("edit", {"id": "unknown-id", "e2e": "ENVELOPE"}, "forbidden"),
    ("unsend", {"id": "unknown-id"}, "forbidden"),
    ("react", {"id": "MINE", "emoji": "🦄"}, "invalid"),
]


def test_a_bad_action_gets_its_error_and_changes_nothing(any_room: Room, clock: FakeClock) -> None:
    """One room for the whole table: each refusal relays nothing, and the message stays editable by its author."""
    ann, bob = settled(any_room).members
    mine = said(any_room, ann)
    table = BLIND_REFUSALS if any_room.mode == E2E else STANDARD_REFUSALS
    for event, payload, code in table:
        clock.advance(60)  # a full budget for each row: the table is longer than a burst
        filled = _filled(payload, mine)
        ack = ann.socket.client.emit(event, filled, callback=True)
        assert (ack["ok"], ack["error"]) == (False, code), (event, payload)
        quiet(ann.socket, bob.socket)
    assert ann.socket.call("edit", {"id": mine, **new_text(any_room.mode)}) == {"ok": True}


ACTIONS = ("message", "edit", "unsend", "react")
# Action payloads: mostly the right fields, each good or hostile, sometimes any JSON at all.
FIELD = st.one_of(SOCKET_TEXT, SOCKET_VALUES, st.sampled_from(["MINE", "ENVELOPE", *REACTIONS]))
ACTION_PAYLOADS = st.one_of(
    st.dictionaries(st.sampled_from(["id", "text", "e2e", "emoji", "reply_to", "on"]), FIELD, max_size=5),
    SOCKET_VALUES,
)


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
def test_any_action_payload_gets_a_clean_ack_and_any_typing_none(any_room: Room, clock: FakeClock) -> None:
    ann, bob = settled(any_room).members
    mine = said(any_room, ann)

    @settings(FUZZ, max_examples=60)
    @given(event=st.sampled_from((*ACTIONS, "typing")), payload=ACTION_PAYLOADS)
    def action(event: str, payload: Any) -> None:
        clock.advance(60)
        ack = ann.socket.client.emit(event, _filled(payload, mine), callback=True)
        if event == "typing":
            assert ack is None
        elif ack["ok"] is False:
            assert set(ack) <= {"ok", "error", "message", "retry_after"}, ack
            assert ack["error"] in ("invalid", "too_large", "forbidden"), ack
        else:
            assert set(ack) <= {"ok", "id", "reactions"}, ack

    action()
    assert ann.socket.connected and bob.socket.connected
    assert ann.socket.call("message", message_in(any_room.mode))["ok"]


def _filled(payload: Any, mine: str) -> Any:
    """The row's payload with `MINE` as the message's id and `ENVELOPE` as a good envelope."""
    if not isinstance(payload, dict):
        return payload
    swap = {"MINE": mine, "ENVELOPE": envelope()}
    return {key: swap.get(value, value) if isinstance(value, str) else value for key, value in payload.items()}


def test_an_action_of_a_socket_whose_binding_is_gone_is_unauthorized(any_room: Room) -> None:
    """Logged out, the socket still open for a moment: its actions are refused by the store."""
    ann, bob = settled(any_room).members
    message_id = said(any_room, bob)
    assert bob.socket.client.emit("logout", {}, callback=True) == {"ok": True}  # its sockets not yet closed
    for event, payload in [
        ("message", {**message_in(any_room.mode), "reply_to": message_id}),
        ("edit", {"id": message_id, **new_text(any_room.mode)}),
        ("unsend", {"id": message_id}),
        ("react", {"id": message_id, "emoji": THUMBS}),
    ]:
        assert bob.socket.client.emit(event, payload, callback=True)["error"] == "unauthorized", event
    assert [ann.socket.pending(event) for event in ("message", "edited", "unsent", "reactions")] == [[], [], [], []]


# -- budgets ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["react", "edit", "unsend"])
def test_actions_draw_on_the_message_budget(any_room: Room, clock: FakeClock, action: str) -> None:
    ann, bob = settled(any_room).members
    message_ids = [said(any_room, ann, f"m{n}") for n in range(BURST // 2)]
    payloads = {
        "react": lambda n: {"id": message_ids[0], "emoji": THUMBS},
        "edit": lambda n: {"id": message_ids[0], **new_text(any_room.mode)},
        "unsend": lambda n: {"id": message_ids[n]},
    }
    acks = [ann.socket.call(action, payloads[action](n)) for n in range(BURST - len(message_ids))]
    assert all(ack["ok"] for ack in acks)
    settled(any_room)
    for event, payload in [(action, payloads[action](0)), ("message", message_in(any_room.mode))]:
        refused = ann.socket.call(event, payload)
        assert (refused["error"], refused["retry_after"]) == ("rate_limited", 1), event
    quiet(ann.socket, bob.socket)
    clock.advance(1)
    assert ann.socket.call("message", message_in(any_room.mode))["ok"]


def test_a_refused_message_records_nothing(room: Room, clock: FakeClock) -> None:
    """A flood past the budget leaves the room's kept messages alone: bob's refused messages push out none of ann's."""
    ann, bob = settled(room).members
    first = said(room, ann)
    acks = [bob.socket.send(f"flood {n}") for n in range(MESSAGES_KEPT + BURST)]
    assert sum(ack["ok"] for ack in acks) == BURST
    assert ann.socket.react(first, THUMBS)["ok"]  # still kept
    assert ann.socket.reply(first, "still here")["ok"]


# -- typing ----------------------------------------------------------------------------------------------------------


def test_typing_reaches_the_others_only_and_is_never_acked(any_room: Room, people: Callable[[], Person]) -> None:
    ann, bob = settled(any_room).members
    assert ann.socket.typing(True) is None
    assert bob.socket.wait("typing") == {"from": ann.id, "on": True}
    asked = ann.socket.client.emit("typing", {"on": False}, callback=True)  # an ack asked for: none comes
    assert asked is None
    assert bob.socket.wait("typing") == {"from": ann.id, "on": False}
    quiet(ann.socket, bob.socket)


BAD_TYPING = [None, {}, {"on": 1}, {"on": "true"}, {"on": None}, [True], "on", {"off": True}, {"on": [True]}]


def test_a_bad_typing_payload_is_dropped_without_a_word(any_room: Room, caplog: pytest.LogCaptureFixture) -> None:
    ann, bob = settled(any_room).members
    for payload in BAD_TYPING:
        assert ann.socket.client.emit("typing", payload, callback=True) is None, payload
        quiet(ann.socket, bob.socket)
    assert [record for record in caplog.records if record.levelno >= logging.WARNING] == []
    assert ann.socket.typing(True) is None  # the socket goes on, its budget untouched by what was dropped
    assert bob.socket.wait("typing")["on"] is True


def test_typing_past_its_budget_is_dropped_and_spares_the_message_budget(any_room: Room, clock: FakeClock) -> None:
    ann, bob = settled(any_room).members
    burst = int(TYPING_PER_PARTICIPANT.burst)
    for n in range(burst + 10):
        assert ann.socket.typing(n % 2 == 0) is None
    assert len(bob.socket.pending("typing")) == burst
    clock.advance(1 / TYPING_PER_PARTICIPANT.per_second)
    assert ann.socket.typing(True) is None
    assert bob.socket.pending("typing") == [{"from": ann.id, "on": True}]
    acks = [ann.socket.call("message", message_in(any_room.mode)) for _ in range(BURST)]
    assert all(ack["ok"] for ack in acks)  # typing took nothing from the messages


def test_typing_of_a_socket_whose_binding_is_gone_is_dropped(any_room: Room) -> None:
    ann, bob = settled(any_room).members
    assert bob.socket.client.emit("logout", {}, callback=True) == {"ok": True}
    assert bob.socket.client.emit("typing", {"on": True}, callback=True) is None
    assert ann.socket.pending("typing") == []


# -- cost ------------------------------------------------------------------------------------------------------------


def test_each_message_and_action_is_one_store_call(any_room: Room, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reply, an edit, an unsend or a reaction costs the store what a plain message does: one call (in Redis, one
    round trip); a typing note one lookup."""
    ann, bob = settled(any_room).members
    registry = app.extensions["ephemeral"].registry
    calls: list[str] = []
    for name in ("speaker", "speak", "edit", "unsend", "react", "presence", "exists"):
        method = getattr(registry, name)
        monkeypatch.setattr(registry, name, _counted(calls, name, method))
    first = said(any_room, ann)
    steps: list[tuple[str, Callable[[], Any], list[str]]] = [
        ("message", lambda: ann.socket.call("message", message_in(any_room.mode)), ["speak"]),
        ("reply", lambda: bob.socket.call("message", {**message_in(any_room.mode), "reply_to": first}), ["speak"]),
        ("edit", lambda: ann.socket.call("edit", {"id": first, **new_text(any_room.mode)}), ["edit"]),
        ("react", lambda: bob.socket.react(first, THUMBS), ["react"]),
        ("unsend", lambda: ann.socket.unsend(first), ["unsend"]),
        ("typing", lambda: ann.socket.typing(True), ["speaker"]),
    ]
    for label, step, expected in steps:
        calls.clear()
        answer = step()
        assert answer is None or answer["ok"], (label, answer)
        assert calls == expected, label


def _counted(calls: list[str], name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return method(*args, **kwargs)

    return counted


def test_the_services_keep_a_typing_budget(app: Flask) -> None:
    svc: Services = app.extensions["ephemeral"]
    assert svc.limits.typing_by_participant.limit == TYPING_PER_PARTICIPANT
