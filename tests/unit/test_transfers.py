"""The ledger of files on their way through one process: order, ownership, and the bounds that ask for a retry."""

from __future__ import annotations

import pytest

from ephemeral.errors import Invalid, RateLimited
from ephemeral.file_fields import CHUNK_BYTES, Chunk, Offer, chunk_count
from ephemeral.transfers import Caps, Transfers
from tests.support.clock import FakeClock

SIZE = 3 * CHUNK_BYTES - 10


def offer(file_id: str = "f1", size: int = SIZE) -> Offer:
    return Offer(file_id, size, chunk_count(size), name="a", type="text/plain")


def piece(index: int, file_id: str = "f1", size: int = CHUNK_BYTES) -> Chunk:
    return Chunk(file_id, index, "", size)


def relay(ledger: Transfers, sender: str, chunk: Chunk) -> None:
    with ledger.relaying(sender, chunk):
        pass


def test_pieces_go_in_order_once_and_the_file_is_forgotten_after_its_last() -> None:
    ledger = Transfers()
    ledger.open("s1", "ann", "room", offer(), ["r1"])
    with pytest.raises(Invalid):
        relay(ledger, "s1", piece(1))
    for index in range(3):
        relay(ledger, "s1", piece(index))
    assert len(ledger) == 0 and ledger.held() == 0
    with pytest.raises(Invalid):
        relay(ledger, "s1", piece(0))


def test_only_the_socket_that_offered_a_file_feeds_it() -> None:
    ledger = Transfers()
    ledger.open("s1", "ann", "room", offer(), [])
    with pytest.raises(Invalid):
        relay(ledger, "s2", piece(0))
    relay(ledger, "s1", piece(0))


def test_an_id_already_on_its_way_from_that_socket_is_refused() -> None:
    ledger = Transfers()
    ledger.open("s1", "ann", "room", offer(), [])
    with pytest.raises(Invalid):
        ledger.open("s1", "ann", "room", offer(), [])
    ledger.open("s2", "bob", "room", offer(), [])  # another sender may pick the same id


@pytest.mark.parametrize(
    ("caps", "senders"),
    [
        (Caps(per_sender=2), [("s1", "room")] * 2),
        (Caps(per_room=2), [("s1", "room"), ("s2", "room")]),
        (Caps(per_process=2), [("s1", "room-a"), ("s2", "room-b")]),
    ],
)
def test_past_a_bound_on_files_at_once_the_offer_is_told_to_retry(caps: Caps, senders: list[tuple[str, str]]) -> None:
    ledger = Transfers(caps)
    for number, (sender, room) in enumerate(senders):
        ledger.open(sender, "p", room, offer(f"f{number}"), [])
    sender, room = senders[-1]
    with pytest.raises(RateLimited) as refused:
        ledger.open(sender, "p", room, offer("next"), [])
    assert refused.value.retry_after == 1
    ledger.cancel(*(senders[0][0], "f0"))
    ledger.open(sender, "p", room, offer("next"), [])  # a place came free


def test_bytes_held_past_a_bound_ask_for_the_same_piece_again() -> None:
    ledger = Transfers(Caps(held_per_room=CHUNK_BYTES + 1))
    ledger.open("s1", "ann", "room", offer("a"), [])
    ledger.open("s2", "bob", "room", offer("b"), [])
    with ledger.relaying("s1", piece(0, "a")):
        assert ledger.held() == CHUNK_BYTES
        with pytest.raises(RateLimited):
            relay(ledger, "s2", piece(0, "b"))
    relay(ledger, "s2", piece(0, "b"))  # nothing was taken: piece 0 again, once the room's bytes are through
    assert ledger.held() == 0


def test_a_closed_socket_drops_its_files_and_a_quiet_file_goes_by_itself() -> None:
    clock = FakeClock()
    ledger = Transfers(Caps(per_process=1), clock=clock)
    ledger.open("s1", "ann", "room", offer(), ["r1"])
    assert [t.readers for t in ledger.drop_sender("s1")] == [["r1"]]
    ledger.open("s1", "ann", "room", offer(), [])
    clock.advance(61)
    ledger.open("s2", "bob", "room", offer(), [])  # the quiet one no longer holds the process's one place
    with pytest.raises(Invalid):
        relay(ledger, "s1", piece(0))
