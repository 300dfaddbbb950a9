"""The password is checked first: without it, a join learns nothing of who is in the room or how many.

A wrong password answers `wrong_password` even when the alias is taken or the
room is full; only the right one hears `alias_taken` or `room_full`. Memory and
Redis alike (`conftest.py`).
"""

from __future__ import annotations

import pytest

from ephemeral.errors import AliasTaken, RoomFull, WrongPassword
from ephemeral.rooms import Binding, RoomStore
from tests.contract.conftest import MAX_PARTICIPANTS, new_room

PASSWORD = "correct horse"


@pytest.fixture
def ann(registry: RoomStore, mode: str) -> Binding:
    """Ann creates "Book club", in each mode."""
    return new_room(registry, mode, "Book club", "Ann", PASSWORD)


@pytest.mark.parametrize("alias", ["Ann", "ANN", "\u0410nn"], ids=["same", "case", "cyrillic-a"])
def test_a_wrong_password_with_a_taken_alias_is_a_wrong_password(registry: RoomStore, ann: Binding, alias: str) -> None:
    with pytest.raises(WrongPassword):
        registry.join(ann.room_id, alias, "wrong")
    with pytest.raises(AliasTaken):  # the alias is taken indeed: the right password hears it
        registry.join(ann.room_id, alias, PASSWORD)


def test_a_wrong_password_on_a_full_room_is_a_wrong_password(registry: RoomStore, ann: Binding) -> None:
    for n in range(MAX_PARTICIPANTS - 1):
        registry.join(ann.room_id, f"Guest {n}", PASSWORD)
    for alias in ("Late", "Ann"):  # full, and full with a taken alias
        with pytest.raises(WrongPassword):
            registry.join(ann.room_id, alias, "wrong")
    with pytest.raises(RoomFull):  # full indeed: the right password hears it
        registry.join(ann.room_id, "Late", PASSWORD)
