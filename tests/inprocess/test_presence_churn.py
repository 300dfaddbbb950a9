"""A binding that connects and closes sockets over and over costs the rest of its room next to nothing.

Its connects are limited (`too_many_connects`, `connect_limit.py`), and what
the room hears is paced (`presence_pacing.py`): one update about a participant
per interval, a departure only after a grace. A socket of someone already
present, opened and closed, and a refresh, tell the room nothing at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ephemeral import protocol
from ephemeral.connect_limit import CONNECTS_PER_BINDING
from tests.inprocess.conftest import Room
from tests.support.inprocess import Person
from tests.support.payloads import aliases
from tests.support.people import Refused

CYCLES = 100


def lines(before: list[str], updates: list[Any]) -> list[str]:
    """The "joined"/"left" lines the web client shows for these presence updates (chat.js)."""
    shown = []
    for update in updates:
        now = aliases(update)
        shown += [f"{alias} joined" for alias in now if alias not in before]
        shown += [f"{alias} left" for alias in before if alias not in now]
        before = now
    return shown


def churn(person: Person, room_id: str, cycles: int) -> tuple[int, list[str]]:
    """Connect and close `cycles` times: how many got in, and the reasons of those refused."""
    connected, refusals = 0, []
    for _ in range(cycles):
        try:
            sock = person.connect(room_id)
        except Refused as refusal:
            refusals.append(str(refusal))
            continue
        connected += 1
        sock.client.disconnect()
    return connected, refusals


def test_a_hundred_connects_and_closes_of_one_binding_reach_every_reader_as_two_updates(
    room: Room, people: Callable[[], Person]
) -> None:
    cleo = people()
    assert cleo.join(room.room_id, alias="cleo").status_code == 200
    for reader in room.members:
        reader.socket.pending("presence")  # what the setup told them
    started = time.monotonic()
    connected, refusals = churn(cleo, room.room_id, CYCLES)
    elapsed = time.monotonic() - started
    # The bucket: its burst, and what refilled while the test ran (a slow machine may take seconds).
    assert connected <= CONNECTS_PER_BINDING.burst + elapsed * CONNECTS_PER_BINDING.per_second + 1
    assert refusals and set(refusals) == {protocol.REFUSED_TOO_MANY_CONNECTS}
    for reader in room.members:
        updates = reader.socket.pending("presence")  # runs the due flush: the room's presence after the churn
        # Cleo's first socket, told at once; then one flush, with the store's final word: gone.
        assert [aliases(update) for update in updates] == [["ann", "bob", "cleo"], ["ann", "bob"]]
        assert lines(["ann", "bob"], updates) == ["cleo joined", "cleo left"]
        assert reader.socket.pending("message") == []


def test_a_present_participants_extra_tabs_and_a_refresh_tell_the_room_nothing(
    room: Room, people: Callable[[], Person]
) -> None:
    ann, bob = room.members
    ann.socket.pending("presence")  # what the setup told her
    for _ in range(5):
        bob.person.connect(room.room_id).client.disconnect()  # another tab, opened and closed: Bob never left
    bob.socket.client.disconnect()  # the page unloads...
    again = bob.person.connect(room.room_id)  # ...and comes back within the grace
    assert again.wait("welcome")["you"]["id"] == bob.id
    assert ann.socket.pending("presence") == []  # the flush found Bob present: nothing to tell
    # A real departure is still told, once its grace is over.
    again.client.disconnect()
    assert [aliases(update) for update in ann.socket.pending("presence")] == [["ann"]]
