"""Files in process: offered to the room, relayed piece by piece to the sockets that were there, never kept.

Here are the handlers' rules: who gets a file (the room's other sockets at the offer, not a later one), what an
offer and a piece must be (refused with an ack error, the file going on unharmed), names made safe, the
bounds and the retry they ask for, a broadcast room's members, and a sender who stops or leaves. The store's
rule is the contract suite's (`tests/contract/test_files.py`); big files, several processes, memory and disk
are `tests/integration/test_files.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ephemeral import create_app
from ephemeral.file_fields import CHUNK_BYTES, NAME_MAX, SEALED_EXTRA
from ephemeral.rooms import E2E, STANDARD
from ephemeral.transfers import FILES_PER_SENDER
from tests.inprocess.conftest import Room, open_room
from tests.support.files import b64, new_file_id, offer_of, pieces, received
from tests.support.hostile import ACK_ERRORS
from tests.support.inprocess import BackgroundTasks, Person

DATA = bytes(range(256)) * (CHUNK_BYTES * 2 // 256) + b"tail"  # three pieces, the last one short


def test_a_file_reaches_the_others_whole_and_the_sender_hears_no_echo(any_room: Room) -> None:
    ann, bob = any_room.members
    file_id = ann.socket.send_file(any_room.mode, DATA)
    offered = bob.socket.wait("file")
    assert offered["id"] == file_id and offered["from"] == ann.id and offered["alias"] == "ann"
    assert (offered["size"], offered["chunks"]) == (len(DATA), 3)
    assert received(any_room.mode, offered, bob.socket.pending("file_chunk")) == DATA
    assert ann.socket.pending("file") == [] and ann.socket.pending("file_chunk") == []


def test_a_standard_offer_says_name_and_type_and_a_sealed_one_says_neither(any_room: Room) -> None:
    ann, bob = any_room.members
    ann.socket.send_file(any_room.mode, b"x")
    offered = bob.socket.wait("file")
    if any_room.mode == E2E:
        assert "name" not in offered and "type" not in offered and isinstance(offered["e2e"], str)
    else:
        assert (offered["name"], offered["type"]) == ("photo.jpg", "image/jpeg") and "e2e" not in offered


def test_who_joins_after_the_offer_gets_none_of_the_file(people: Callable[[], Person]) -> None:
    room = open_room(people, STANDARD)
    ann, bob = room.members
    offer, ack = ann.socket.offer(STANDARD, DATA)
    assert ack["ok"]
    cleo = people()
    assert cleo.join(room.room_id, alias="cleo").status_code == 200
    late = cleo.connect(room.room_id)
    late.wait("welcome")
    for index, text in pieces(STANDARD, DATA):
        assert ann.socket.chunk(offer["id"], index, text) == {"ok": True}
    assert received(STANDARD, bob.socket.wait("file"), bob.socket.pending("file_chunk")) == DATA
    assert late.pending("file") == [] and late.pending("file_chunk") == []


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ann\\secret.pdf", "secret.pdf"),
        ("invoice\u202egpj.exe", "invoice gpj.exe"),
        ("a\x00b\x1bc\nd.txt", "a b c d.txt"),
        ("x" * 10_000, "x" * NAME_MAX),
        ("...", "file"),
        ('what?<is>"this"|*.txt', "what__is__this___.txt"),
    ],
)
def test_a_name_is_made_safe_to_show_and_save(room: Room, name: str, shown: str) -> None:
    ann, bob = room.members
    assert ann.socket.offer(STANDARD, b"x", name=name)[1]["ok"]
    assert bob.socket.wait("file")["name"] == shown


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("IMAGE/PNG", "image/png"),
        ("text/html; charset=utf-8", "application/octet-stream"),
        (7, "application/octet-stream"),
    ],
)
def test_a_type_is_kept_only_as_type_and_subtype(room: Room, kind: Any, said: str) -> None:
    ann, bob = room.members
    assert ann.socket.offer(STANDARD, b"x", kind=kind)[1]["ok"]
    assert bob.socket.wait("file")["type"] == said


def test_a_file_over_the_limit_is_refused_before_any_byte(people: Callable[[], Person], mode: str) -> None:
    ann, bob = open_room(people, mode).members
    offer = offer_of(mode, b"", size=10 * 1024 * 1024 + 1)
    assert ann.socket.call("file_offer", offer)["error"] == "too_large"
    assert bob.socket.pending("file") == []


BAD_OFFERS = [
    {"size": 0},
    {"size": -1},
    {"size": "12"},
    {"size": 1.0},
    {"size": True},
    {"id": "short"},
    {"id": "a" * 22 + "="},
    {"id": None},
]


@pytest.mark.parametrize("bad", BAD_OFFERS, ids=[str(b) for b in BAD_OFFERS])
def test_a_malformed_offer_is_invalid_and_tells_no_one(any_room: Room, bad: dict[str, Any]) -> None:
    ann, bob = any_room.members
    offer = {**offer_of(any_room.mode, b"abc"), **bad}
    assert ann.socket.call("file_offer", offer)["error"] == "invalid"
    assert bob.socket.pending("file") == []


def test_an_offer_in_the_other_rooms_shape_is_invalid(any_room: Room) -> None:
    ann, _ = any_room.members
    other = STANDARD if any_room.mode == E2E else E2E
    assert ann.socket.call("file_offer", offer_of(other, b"abc"))["error"] == "invalid"


@pytest.mark.parametrize("payload", [None, [], "file", 7, {"e2e": 5, "id": 1, "size": 1}])
def test_any_offer_payload_gets_an_ack(any_room: Room, payload: Any) -> None:
    assert any_room.members[0].socket.call("file_offer", payload)["error"] in ACK_ERRORS


def _bad_pieces(mode: str, file_id: str) -> list[dict[str, Any]]:
    extra = SEALED_EXTRA if mode == E2E else 0
    good = b64(DATA[:CHUNK_BYTES] + bytes(extra))
    return [
        {"id": file_id, "index": 1, "data": b64(DATA[CHUNK_BYTES : 2 * CHUNK_BYTES] + bytes(extra))},  # out of order
        {"id": file_id, "index": 0, "data": good + "AAAA"},  # too long
        {"id": file_id, "index": 0, "data": good[:-4]},  # too short
        {"id": file_id, "index": 0, "data": "!" + good[1:]},  # not base64url
        {"id": file_id, "index": 0, "data": 7},
        {"id": file_id, "index": -1, "data": good},
        {"id": file_id, "index": "0", "data": good},
        {"id": new_file_id(), "index": 0, "data": good},  # no such file
        {"id": file_id, "index": 3, "data": good},  # past the last piece
    ]


def test_a_bad_piece_is_refused_and_the_file_goes_on_whole(any_room: Room) -> None:
    ann, bob = any_room.members
    offer, ack = ann.socket.offer(any_room.mode, DATA)
    assert ack["ok"]
    for bad in _bad_pieces(any_room.mode, offer["id"]):
        assert ann.socket.call("file_chunk", bad)["error"] == "invalid", bad
    assert bob.socket.pending("file_chunk") == []
    for index, text in pieces(any_room.mode, DATA):
        assert ann.socket.chunk(offer["id"], index, text) == {"ok": True}
    assert received(any_room.mode, bob.socket.wait("file"), bob.socket.pending("file_chunk")) == DATA


def test_pieces_of_someone_elses_file_or_a_finished_one_are_refused(any_room: Room) -> None:
    ann, bob = any_room.members
    offer, _ = ann.socket.offer(any_room.mode, DATA)
    first = next(pieces(any_room.mode, DATA))
    assert bob.socket.chunk(offer["id"], *first)["error"] == "invalid"  # bob cannot feed ann's file
    for index, text in pieces(any_room.mode, DATA):
        assert ann.socket.chunk(offer["id"], index, text) == {"ok": True}
    assert ann.socket.chunk(offer["id"], *first)["error"] == "invalid"  # finished: nothing more of it
    assert len(bob.socket.pending("file_chunk")) == 3


def test_a_piece_for_another_rooms_file_is_refused(people: Callable[[], Person]) -> None:
    here, there = open_room(people, STANDARD), open_room(people, STANDARD)
    offer, _ = there.members[0].socket.offer(STANDARD, DATA)
    first = next(pieces(STANDARD, DATA))
    assert here.members[0].socket.chunk(offer["id"], *first)["error"] == "invalid"
    assert here.members[1].socket.pending("file_chunk") == [] and there.members[1].socket.pending("file_chunk") == []


def test_past_the_files_one_may_send_at_once_the_sender_is_told_to_retry(room: Room) -> None:
    ann, bob = room.members
    for _ in range(FILES_PER_SENDER):
        assert ann.socket.offer(STANDARD, DATA)[1]["ok"]
    refused = ann.socket.offer(STANDARD, DATA)[1]
    assert refused["error"] == "rate_limited" and refused["retry_after"] >= 1
    assert len(bob.socket.pending("file")) == FILES_PER_SENDER
    assert bob.socket.call("file_offer", offer_of(STANDARD, DATA))["ok"]  # others are not held up by ann


def test_a_member_of_a_broadcast_room_cannot_send_a_file(people: Callable[[], Person]) -> None:
    room = open_room(people, STANDARD, kind="broadcast")
    ann, bob = room.members
    assert bob.socket.offer(STANDARD, b"x")[1]["error"] == "forbidden"
    assert ann.socket.offer(STANDARD, b"x")[1]["ok"]


def test_the_sender_stops_a_file_and_its_readers_are_told(any_room: Room) -> None:
    ann, bob = any_room.members
    offer, _ = ann.socket.offer(any_room.mode, DATA)
    assert ann.socket.chunk(offer["id"], *next(pieces(any_room.mode, DATA))) == {"ok": True}
    assert ann.socket.cancel_file(offer["id"]) == {"ok": True}
    assert bob.socket.wait("file_cancel") == {"from": ann.id, "id": offer["id"], "reason": "cancelled"}
    assert ann.socket.chunk(offer["id"], 1, b64(DATA[CHUNK_BYTES : 2 * CHUNK_BYTES]))["error"] == "invalid"
    assert ann.socket.cancel_file(offer["id"])["error"] == "invalid"


def test_a_sender_who_leaves_stops_their_files(room: Room) -> None:
    ann, bob = room.members
    offer, _ = ann.socket.offer(STANDARD, DATA)
    ann.socket.client.disconnect()
    assert bob.socket.wait("file_cancel") == {"from": ann.id, "id": offer["id"], "reason": "gone"}


def test_a_server_without_files_refuses_every_offer(tasks: BackgroundTasks) -> None:
    app = create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4, "MAX_FILE_BYTES": 0}, environ={})
    ann, bob = open_room(lambda: Person(app, tasks), STANDARD).members
    assert ann.socket.offer(STANDARD, b"x")[1]["error"] == "invalid"
    assert bob.socket.pending("file") == []


def test_a_readers_progress_goes_to_the_senders_sockets_alone_and_is_never_acked(people: Callable[[], Person]) -> None:
    room = open_room(people, STANDARD)
    ann, bob = room.members
    other = open_room(people, STANDARD)
    offer, _ = ann.socket.offer(STANDARD, DATA)
    progress = {"from": ann.id, "id": offer["id"], "index": 7}
    assert bob.socket.client.emit("file_progress", progress) is None  # no ack, as typing
    bob.socket.pending("file")
    assert ann.socket.pending("file_progress") == [{"by": bob.id, "id": offer["id"], "index": 7}]
    assert bob.socket.pending("file_progress") == []
    # A reader in another room names ann: nothing reaches her.
    other.members[1].socket.client.emit("file_progress", progress)
    assert ann.socket.pending("file_progress") == []


@pytest.mark.parametrize(
    "bad",
    [None, [], {"id": "x", "index": 1}, {"from": 5, "index": 1}, {"index": -1}, {"index": True}, {"index": "7"}],
)
def test_malformed_progress_is_dropped_without_a_word(room: Room, bad: Any) -> None:
    ann, bob = room.members
    offer, _ = ann.socket.offer(STANDARD, DATA)
    payload = {"from": ann.id, "id": offer["id"], "index": 1, **bad} if isinstance(bad, dict) else bad
    assert bob.socket.client.emit("file_progress", payload) is None
    assert ann.socket.pending("file_progress") == []
