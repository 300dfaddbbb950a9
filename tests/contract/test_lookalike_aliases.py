"""Look-alike aliases collide in every store: one person per confusable skeleton, shown as typed.

Runs against the memory store and a real redis-server (`conftest.py`), where
the keys are checked and stored by the Lua scripts.
"""

from __future__ import annotations

from collections import Counter
from functools import partial

import pytest

from ephemeral.errors import AliasTaken
from ephemeral.rooms import Binding, RoomStore
from tests.contract.conftest import MakeRegistry
from tests.contract.test_room_store import RendezvousHasher, race

PASSWORD = "correct horse"


@pytest.mark.parametrize(
    ("taken", "attempt"),
    [
        pytest.param("alice", "\u0430lice", id="cyrillic-a"),
        pytest.param("\u0430lice", "alice", id="latin-after-cyrillic"),
        pytest.param("alice", "\uff21\uff2c\uff29\uff23\uff25", id="full-width-capitals"),
        pytest.param("alice", "\u0391LICE", id="greek-capital-alpha"),
        pytest.param("bob", "\u0412\u041e\u0412", id="cyrillic-capitals"),
        pytest.param("Sam", "Sarn", id="m-vs-r-n"),
        pytest.param("Z0e", "ZOE", id="zero-vs-o"),
        pytest.param("l1", "Il", id="one-vs-capital-i"),
        pytest.param("Ian", "lan", id="capital-i-vs-small-l"),
    ],
)
def test_a_lookalike_of_a_member_is_refused(registry: RoomStore, taken: str, attempt: str) -> None:
    room = registry.create("Book club", taken, PASSWORD)
    with pytest.raises(AliasTaken):
        registry.join(room.room_id, attempt, PASSWORD)


def test_different_names_sit_together(registry: RoomStore) -> None:
    room = registry.create("Book club", "alice", PASSWORD)
    assert registry.join(room.room_id, "alicia", PASSWORD).alias == "alicia"


def test_the_alias_is_shown_as_typed(registry: RoomStore) -> None:
    cyrillic = "\u0430lice"
    room = registry.create("Book club", cyrillic, PASSWORD)
    seat = registry.attach(room.room_id, room.token, "alice-1")
    assert room.alias == seat.you.alias == cyrillic
    assert [person.alias for person in registry.presence(room.room_id)] == [cyrillic]


def test_logout_frees_both_keys_of_an_alias(registry: RoomStore) -> None:
    """`Ian` holds two keys: capital I as typed looks like l, and folds to i."""
    room = registry.create("Book club", "Host", PASSWORD)
    ian = registry.join(room.room_id, "Ian", PASSWORD)
    for lookalike in ("ian", "lan"):
        with pytest.raises(AliasTaken):
            registry.join(room.room_id, lookalike, PASSWORD)
    registry.attach(room.room_id, ian.token, "ian-1")
    registry.logout("ian-1")
    assert [registry.join(room.room_id, alias, PASSWORD).alias for alias in ("ian", "lan")] == ["ian", "lan"]


def test_ten_joiners_race_for_one_lookalike_alias(make_registry: MakeRegistry) -> None:
    hasher = RendezvousHasher(parties=10)
    registry = make_registry(hasher=hasher, max_participants=20)
    room = registry.create("Book club", "Host", PASSWORD)
    spellings = ["alice", "\u0430lice", "ALICE", "\u0391LICE", "\u0430l\u0456ce"]  # the last: Cyrillic a and i

    outcomes = race([partial(registry.join, room.room_id, spellings[n % 5], PASSWORD) for n in range(10)])

    assert Counter(type(outcome).__name__ for outcome in outcomes) == {"Binding": 1, "AliasTaken": 9}
    assert sum(isinstance(outcome, Binding) for outcome in outcomes) == 1
