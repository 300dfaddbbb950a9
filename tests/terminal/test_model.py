"""The chat's state, driven with the room's events as the server sends them and a clock the test moves."""

from __future__ import annotations

import time
from typing import Any

from ephemeral_client import crypto
from ephemeral_client.model import Chat
from ephemeral_client.sealed import SealedRoom

ROOM = "r" * 22
ANN = {"id": "ann-id", "alias": "ann", "role": "host"}
BOB = {"id": "bob-id", "alias": "bob", "role": "member"}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def welcomed(rules: dict[str, Any], sealed: SealedRoom | None = None) -> tuple[Chat, Clock]:
    clock = Clock()
    chat = Chat(ROOM, "plans", sealed, clock=clock)
    welcome = {"you": BOB, "participants": [ANN, BOB], "expires_in": 600, "room": rules, "name": "plans"}
    chat.on_event("welcome", welcome)
    return chat, clock


def shown(chat: Chat) -> list[str]:
    return ["".join(text for _, text in entry.body) for entry in chat.entries]


def message(number: int, html: str, sender: dict[str, str] = ANN) -> dict[str, Any]:
    return {"id": f"m{number}", "from": sender["id"], "alias": sender["alias"], "html": html, "ts": 0}


def test_the_countdown_follows_expires_in_on_the_local_clock() -> None:
    chat, clock = welcomed({})
    assert chat.seconds_left() == 600
    clock.now += 599.5
    assert chat.seconds_left() == 1


def test_disappearing_messages_go_that_long_after_they_reached_this_screen() -> None:
    chat, clock = welcomed({"disappear": 30})
    chat.on_event("message", message(1, "<p>first</p>"))
    clock.now += 20
    chat.on_event("message", message(2, "<p>second</p>"))
    clock.now += 10
    assert chat.forget_due()
    assert "first" not in shown(chat) and "second" in shown(chat)


def test_vanish_on_leave_takes_a_leavers_messages_from_the_screen() -> None:
    chat, _ = welcomed({"vanish": True})
    chat.on_event("message", message(1, "<p>from ann</p>"))
    chat.on_event("message", message(2, "<p>from bob</p>", BOB))
    chat.on_event("presence", {"participants": [BOB]})
    assert "from ann" not in shown(chat) and "from bob" in shown(chat)
    assert "ann left" in shown(chat)


def test_an_edit_replaces_the_text_and_an_unsend_leaves_a_marker() -> None:
    chat, _ = welcomed({})
    chat.on_event("message", message(1, "<p>typo</p>"))
    chat.on_event("edited", {"id": "m1", "from": "bob-id", "html": "<p>forged</p>", "edited_ts": 0})
    assert "typo" in shown(chat)  # only the author the server named may change it
    chat.on_event("edited", {"id": "m1", "from": "ann-id", "html": "<p>fixed</p>", "edited_ts": 0})
    assert "fixed" in shown(chat)
    chat.on_event("unsent", {"id": "m1"})
    assert "Message removed" in shown(chat) and "fixed" not in shown(chat)


def sealed_pair() -> tuple[SealedRoom, SealedRoom]:
    key = crypto.derive_keys("pw", crypto.new_salt(), crypto.ITER_MIN, crypto.new_link_secret()).message_key
    return SealedRoom(ROOM, key), SealedRoom(ROOM, key)


def relayed(sender: SealedRoom, number: int, text: str, who: dict[str, str] = ANN) -> dict[str, Any]:
    return {
        "id": f"m{number}",
        "from": who["id"],
        "alias": who["alias"],
        "ts": 0,
        "e2e": sender.seal(text, who["id"], who["alias"]),
    }


def test_a_server_blind_message_is_opened_and_a_replay_or_a_false_alias_refused() -> None:
    ann_side, bob_side = sealed_pair()
    chat, _ = welcomed({}, bob_side)
    first = relayed(ann_side, 1, "**sealed**")
    chat.on_event("message", first)
    assert "sealed" in shown(chat)
    chat.on_event("message", {**first, "id": "m9"})  # the same envelope again
    assert any("already seen or came out of order" in line for line in shown(chat))
    chat.on_event("message", {**relayed(ann_side, 2, "as someone else"), "alias": "bob", "from": "ann-id"})
    assert any("the name inside is someone else's" in line for line in shown(chat))
    assert not any("as someone else" in line for line in shown(chat))


def test_a_server_blind_edit_opens_only_for_its_message_and_author() -> None:
    ann_side, bob_side = sealed_pair()
    chat, _ = welcomed({}, bob_side)
    chat.on_event("message", relayed(ann_side, 1, "before"))
    edit = crypto.seal_edit(ann_side.message_key, ROOM, "ann-id", "m1", ann_side.sid, ann_side.n,
                            {"a": "ann", "t": "<p>after</p>", "ts": int(time.time() * 1000)})  # fmt: skip
    chat.on_event("edited", {"id": "m1", "from": "ann-id", "e2e": edit, "edited_ts": 0})
    assert "after" in shown(chat) and "before" not in shown(chat)


def test_history_is_taken_once_and_only_from_the_member_expected() -> None:
    chat, _ = welcomed({"history": True})
    item = {"id": "h1", "from": "ann-id", "alias": "ann", "ts": 0, "html": "<p>earlier</p>"}
    chat.on_event("history", {"from": "someone-else", "alias": "eve", "messages": [item]})
    assert "earlier" not in shown(chat)
    chat.on_event("history", {"from": "ann-id", "alias": "ann", "messages": [item]})
    chat.on_event("history", {"from": "ann-id", "alias": "ann", "messages": [{**item, "id": "h2"}]})
    assert shown(chat).count("earlier") == 1
    assert any("Shared by ann, not verified by the server" in line for line in shown(chat))
