"""Message actions in the store: who said which message id, replies, edit and unsend by the author only, reactions.

Every test runs on the memory store and on a real redis-server (`conftest.py`). The store keeps ids, never
text; `Kept` looks inside each store (the memory room, the Redis keys) to show what it holds and that nothing
outlives a message or a room. Races run one registry per process on Redis, the one registry in memory, on
threads started at one barrier; they assert what must hold whatever the interleaving, never when.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pytest

from ephemeral.errors import Forbidden, Invalid, Unauthorized
from ephemeral.rooms import (
    BROADCAST,
    GROUP,
    HOST,
    MEMBER,
    MESSAGES_KEPT,
    REACTIONS,
    Binding,
    MemoryRegistry,
    Reactions,
    RoomStore,
    Rules,
    Speaker,
)
from ephemeral.rooms.memory_room import Room as MemoryRoom
from ephemeral.rooms.model import NO_REACTION_TARGET, NO_REPLY_TARGET, NOT_A_REACTION, NOT_YOURS
from tests.contract.conftest import Clock, MakeRegistry, new_room
from tests.contract.test_room_control_races import at_once
from tests.support.redis import RedisServer

PASSWORD = "correct horse"
THUMBS, HEART, FIRE = REACTIONS[0], REACTIONS[1], REACTIONS[-1]
ROUNDS = 30
REACTORS = 6  # people toggling one message's reactions at once
SEATS = REACTORS + 1
NOT_IDS = [None, 42, "", "x" * 65, ["m"], "never-sent"]  # what a client may name that no kept message is
# Not one of `REACTIONS`: another emoji, nothing, not text, two, the heart without its emoji presentation, padded.
NOT_REACTIONS = ["🙂", "", None, 1, THUMBS * 2, "\N{HEAVY BLACK HEART}", [THUMBS], " " + THUMBS]


@dataclass(frozen=True)
class Room:
    """Ann hosts; Bob and Cleo joined; each has one socket open, `<alias>-1`."""

    ann: Binding
    bob: Binding
    cleo: Binding

    @property
    def room_id(self) -> str:
        return self.ann.room_id


def open_room(registry: RoomStore, mode: str = "standard", rules: Rules | None = None) -> Room:
    ann = new_room(registry, mode, "Book club", "Ann", PASSWORD, rules)
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    cleo = registry.join(ann.room_id, "Cleo", PASSWORD)
    for person in (ann, bob, cleo):
        registry.attach(ann.room_id, person.token, f"{person.alias.lower()}-1")
    return Room(ann, bob, cleo)


@pytest.fixture
def room(registry: RoomStore) -> Room:
    return open_room(registry)


class Kept:
    """What a store holds of a room's messages: authors by message id, reactions by message id, its keys."""

    def __init__(self, registry: RoomStore, server: RedisServer | None) -> None:
        self._registry, self.redis = registry, server.client() if server else None

    def authors(self, room_id: str) -> dict[str, str]:
        if self.redis is None:
            found = self._memory_room(room_id)
            return dict(found.messages.authors) if found else {}
        return dict(self.redis.hgetall(f"eph:room:{room_id}:said"))

    def reactions(self, room_id: str) -> dict[str, dict[str, list[str]]]:
        if self.redis is None:
            found = self._memory_room(room_id)
            return (
                {m: {e: list(ids) for e, ids in r.items()} for m, r in found.messages.reactions.items()}
                if found
                else {}
            )
        raw = self.redis.hgetall(f"eph:room:{room_id}:reactions")
        return {message_id: json.loads(value) for message_id, value in raw.items()}

    def keys(self, room_id: str) -> list[str]:
        """Every Redis key that names the room or holds its id; in memory, the room while the process holds it."""
        if self.redis is None:
            return [room_id] if self._memory_room(room_id) else []
        client = self.redis
        return sorted(
            key
            for key in client.scan_iter("eph:*")
            if room_id in key or (client.type(key) == "zset" and client.zscore(key, room_id) is not None)
        )

    def _memory_room(self, room_id: str) -> MemoryRoom | None:
        assert isinstance(self._registry, MemoryRegistry)
        return self._registry._table.rooms.get(room_id)


@pytest.fixture
def look(store: str, request: pytest.FixtureRequest) -> Callable[[RoomStore], Kept]:
    """Looks inside a registry of the store under test."""
    server = request.getfixturevalue("redis_server") if store == "redis" else None
    return lambda registry: Kept(registry, server)


@pytest.fixture
def kept(look: Callable[[RoomStore], Kept], registry: RoomStore) -> Kept:
    return look(registry)


def refuses(call: Callable[[], object], error: type[Exception], words: str) -> None:
    """The call raises `error` saying `words`; a failure names the arguments it was given."""
    with pytest.raises(error) as refused:
        call()
    assert getattr(refused.value, "message", None) == words, call


@pytest.fixture
def processes(store: str, make_registry: MakeRegistry) -> tuple[RoomStore, RoomStore]:
    """Two processes on one Redis; in memory, the one process twice."""
    here = make_registry(max_participants=SEATS)
    there = make_registry(max_participants=SEATS) if store == "redis" else here
    return here, there


# -- speak: who said it, and what it answers ---------------------------------------------


def test_speak_answers_who_spoke_as_speaker_does(registry: RoomStore, mode: str, kept: Kept) -> None:
    room = open_room(registry, mode)
    spoke = registry.speak("bob-1", "m1")
    assert spoke == registry.speaker("bob-1") == Speaker(room.room_id, room.bob.you, mode, GROUP)
    assert kept.authors(room.room_id) == {"m1": room.bob.you.id}


@pytest.mark.parametrize("action", ["speak", "edit", "unsend", "react"])
def test_every_action_needs_a_live_binding(registry: RoomStore, room: Room, action: str) -> None:
    registry.speak("bob-1", "m1")
    calls = {
        "speak": lambda sid: registry.speak(sid, "m2"),
        "edit": lambda sid: registry.edit(sid, "m1"),
        "unsend": lambda sid: registry.unsend(sid, "m1"),
        "react": lambda sid: registry.react(sid, "m1", THUMBS),
    }
    with pytest.raises(Unauthorized):
        calls[action]("nobody-1")  # a socket the store never saw
    registry.logout("bob-1")
    with pytest.raises(Unauthorized):
        calls[action]("bob-1")  # his binding is gone


def test_a_reply_names_a_message_the_room_keeps(registry: RoomStore, room: Room, kept: Kept) -> None:
    registry.speak("ann-1", "m1")
    assert registry.speak("bob-1", "m2", reply_to="m1").you == room.bob.you
    assert kept.authors(room.room_id) == {"m1": room.ann.you.id, "m2": room.bob.you.id}


def test_a_reply_to_no_kept_message_is_refused_and_records_nothing(registry: RoomStore, room: Room, kept: Kept) -> None:
    registry.speak("ann-1", "m1")
    for reply_to in NOT_IDS[1:]:  # None is no reply
        refuses(partial(registry.speak, "bob-1", "m2", reply_to), Invalid, NO_REPLY_TARGET)
    assert kept.authors(room.room_id) == {"m1": room.ann.you.id}


def test_a_message_belongs_to_its_room(registry: RoomStore, room: Room) -> None:
    """Zed, in another room, can neither reply to, react to, edit nor unsend a message of Ann's room."""
    zed = registry.create("Elsewhere", "Zed", PASSWORD)
    registry.attach(zed.room_id, zed.token, "zed-1")
    registry.speak("ann-1", "m1")
    for refused, call in [
        (Invalid, partial(registry.speak, "zed-1", "z1", "m1")),
        (Invalid, partial(registry.react, "zed-1", "m1", THUMBS)),
        (Forbidden, partial(registry.edit, "zed-1", "m1")),
        (Forbidden, partial(registry.unsend, "zed-1", "m1")),
    ]:
        with pytest.raises(refused):
            call()


def test_the_room_keeps_its_last_messages_only(registry: RoomStore, room: Room, kept: Kept) -> None:
    """Past `MESSAGES_KEPT` the oldest message is forgotten, with its reactions: no reply, reaction or edit."""
    registry.speak("ann-1", "first")
    registry.react("bob-1", "first", THUMBS)
    for n in range(MESSAGES_KEPT - 1):
        registry.speak("bob-1", f"m{n}")
    assert len(kept.authors(room.room_id)) == MESSAGES_KEPT
    assert "first" in kept.reactions(room.room_id)

    registry.speak("cleo-1", "one-more")

    authors = kept.authors(room.room_id)
    assert len(authors) == MESSAGES_KEPT and "first" not in authors and authors["one-more"] == room.cleo.you.id
    assert kept.reactions(room.room_id) == {}
    with pytest.raises(Invalid):
        registry.speak("bob-1", "late", reply_to="first")
    with pytest.raises(Invalid):
        registry.react("bob-1", "first", THUMBS)
    with pytest.raises(Forbidden):
        registry.edit("ann-1", "first")
    registry.speak("bob-1", "reply", reply_to="m0")  # the next oldest is still kept


# -- edit and unsend: the author only ---------------------------------------------------------


def test_the_author_may_edit_and_nothing_changes(registry: RoomStore, mode: str, kept: Kept) -> None:
    room = open_room(registry, mode)
    registry.speak("ann-1", "m1")
    registry.react("bob-1", "m1", HEART)
    before = kept.authors(room.room_id), kept.reactions(room.room_id)
    assert registry.edit("ann-1", "m1") == Speaker(room.room_id, room.ann.you, mode, GROUP)
    assert registry.edit("ann-1", "m1") == registry.speaker("ann-1")  # as often as she likes
    assert (kept.authors(room.room_id), kept.reactions(room.room_id)) == before


@pytest.mark.parametrize("action", ["edit", "unsend"])
def test_another_participant_is_refused_and_changes_nothing(
    registry: RoomStore, room: Room, kept: Kept, action: str
) -> None:
    registry.speak("ann-1", "m1")
    registry.react("cleo-1", "m1", THUMBS)
    before = kept.authors(room.room_id), kept.reactions(room.room_id)
    for sid in ("bob-1", "cleo-1"):  # Cleo reacted to it; it is still not hers
        with pytest.raises(Forbidden) as refused:
            getattr(registry, action)(sid, "m1")
        assert refused.value.message == NOT_YOURS
    assert (kept.authors(room.room_id), kept.reactions(room.room_id)) == before
    registry.edit("ann-1", "m1")  # still hers to change


def test_no_kept_message_is_anyones_to_change(registry: RoomStore, room: Room, kept: Kept) -> None:
    registry.speak("ann-1", "m1")
    for action in (registry.edit, registry.unsend):
        for message_id in NOT_IDS:
            refuses(partial(action, "ann-1", message_id), Forbidden, NOT_YOURS)
    assert kept.authors(room.room_id) == {"m1": room.ann.you.id}


def test_a_host_cannot_change_a_members_message(registry: RoomStore, room: Room) -> None:
    registry.speak("bob-1", "m1")
    with pytest.raises(Forbidden):
        registry.edit("ann-1", "m1")
    with pytest.raises(Forbidden):
        registry.unsend("ann-1", "m1")


def test_unsend_forgets_the_message_and_its_reactions(registry: RoomStore, mode: str, kept: Kept) -> None:
    room = open_room(registry, mode)
    registry.speak("ann-1", "m1")
    registry.speak("ann-1", "m2")
    registry.react("bob-1", "m1", THUMBS)
    registry.react("bob-1", "m2", THUMBS)

    assert registry.unsend("ann-1", "m1") == Speaker(room.room_id, room.ann.you, mode, GROUP)

    assert kept.authors(room.room_id) == {"m2": room.ann.you.id}
    assert list(kept.reactions(room.room_id)) == ["m2"]
    for refused, call in [
        (Forbidden, partial(registry.edit, "ann-1", "m1")),
        (Forbidden, partial(registry.unsend, "ann-1", "m1")),
        (Invalid, partial(registry.react, "bob-1", "m1", HEART)),
        (Invalid, partial(registry.speak, "bob-1", "m3", "m1")),
    ]:
        with pytest.raises(refused):
            call()


# -- reactions ---------------------------------------------------------------------------


def test_a_reaction_toggles_and_counts_in_the_order_people_reacted(registry: RoomStore, room: Room) -> None:
    ann, bob, cleo = room.ann.you.id, room.bob.you.id, room.cleo.you.id
    registry.speak("ann-1", "m1")

    def react(sid: str, emoji: str) -> dict[str, list[str]]:
        found = registry.react(sid, "m1", emoji)
        assert (found.room_id, found.message_id) == (room.room_id, "m1")
        return found.reactions

    assert react("bob-1", THUMBS) == {THUMBS: [bob]}
    assert react("cleo-1", FIRE) == {THUMBS: [bob], FIRE: [cleo]}
    assert react("ann-1", THUMBS) == {THUMBS: [bob, ann], FIRE: [cleo]}
    assert react("ann-1", HEART) == {THUMBS: [bob, ann], HEART: [ann], FIRE: [cleo]}
    assert list(react("cleo-1", HEART)) == [THUMBS, HEART, FIRE]  # always in `REACTIONS` order
    assert react("bob-1", THUMBS) == {THUMBS: [ann], HEART: [ann, cleo], FIRE: [cleo]}
    assert react("bob-1", THUMBS) == {THUMBS: [ann, bob], HEART: [ann, cleo], FIRE: [cleo]}  # back, last
    for sid, emoji in [("ann-1", THUMBS), ("bob-1", THUMBS), ("ann-1", HEART), ("cleo-1", HEART)]:
        react(sid, emoji)
    assert react("cleo-1", FIRE) == {}


def test_every_reaction_of_the_set_counts(registry: RoomStore, room: Room) -> None:
    registry.speak("ann-1", "m1")
    for emoji in REACTIONS:
        found = registry.react("bob-1", "m1", emoji)
    assert found.reactions == {emoji: [room.bob.you.id] for emoji in REACTIONS}


def test_only_the_rooms_reactions_are_accepted(registry: RoomStore, room: Room, kept: Kept) -> None:
    registry.speak("ann-1", "m1")
    for emoji in NOT_REACTIONS:
        refuses(partial(registry.react, "bob-1", "m1", emoji), Invalid, NOT_A_REACTION)
    assert kept.reactions(room.room_id) == {}


def test_a_reaction_needs_a_kept_message(registry: RoomStore, room: Room, kept: Kept) -> None:
    registry.speak("ann-1", "m1")
    for message_id in NOT_IDS:
        refuses(partial(registry.react, "bob-1", message_id, THUMBS), Invalid, NO_REACTION_TARGET)
    assert kept.reactions(room.room_id) == {}


# -- a broadcast room: hosts speak, everyone reacts ----------------------------------------------------


def test_in_a_broadcast_room_readers_react_but_do_not_speak(registry: RoomStore, mode: str, kept: Kept) -> None:
    room = open_room(registry, mode, Rules(BROADCAST))
    with pytest.raises(Forbidden) as refused:
        registry.speak("bob-1", "b1")
    assert refused.value.message == "Only a host can send messages in this room."
    assert kept.authors(room.room_id) == {}

    assert registry.speak("ann-1", "m1").you.role == HOST
    assert registry.react("bob-1", "m1", HEART).reactions == {HEART: [room.bob.you.id]}
    with pytest.raises(Forbidden):
        registry.edit("bob-1", "m1")
    registry.promote("ann-1", room.cleo.you.id)
    registry.speak("cleo-1", "m2", reply_to="m1")  # a host now
    assert kept.authors(room.room_id) == {"m1": room.ann.you.id, "m2": room.cleo.you.id}


def test_a_host_who_stepped_down_keeps_her_messages(registry: RoomStore, room: Room) -> None:
    """Authorship is the participant id: a role change does not move it."""
    registry.speak("ann-1", "m1")
    registry.step_down("ann-1")
    assert registry.edit("ann-1", "m1").you.role == MEMBER
    registry.unsend("ann-1", "m1")


# -- nothing outlives the room -----------------------------------------------------------------


@pytest.mark.parametrize("end", ["purge", "expiry", "close"])
def test_nothing_of_the_messages_outlives_the_room(
    registry: RoomStore, room: Room, kept: Kept, clock: Clock, end: str
) -> None:
    registry.speak("ann-1", "m1")
    registry.speak("bob-1", "m2", reply_to="m1")
    registry.react("cleo-1", "m1", FIRE)
    held = kept.keys(room.room_id)
    assert held and all(
        f"eph:room:{room.room_id}:{key}" in held for key in ("said", "order", "reactions") if kept.redis
    )

    if end == "purge":
        registry.purge("bob-1")
    elif end == "expiry":
        clock.advance(3600)
        registry.upkeep()
    else:
        registry.close(room.room_id)

    assert kept.keys(room.room_id) == []
    assert kept.authors(room.room_id) == {} and kept.reactions(room.room_id) == {}
    for call in (
        partial(registry.speak, "ann-1", "m3"),
        partial(registry.edit, "ann-1", "m1"),
        partial(registry.unsend, "ann-1", "m1"),
        partial(registry.react, "cleo-1", "m1", FIRE),
    ):
        with pytest.raises(Unauthorized):
            call()


def test_a_rooms_message_keys_expire_with_it(store: str, registry: RoomStore, room: Room, kept: Kept) -> None:
    """On Redis every key of the messages carries the room's expiry, should no reaper ever run."""
    if store != "redis":
        pytest.skip("the memory store has no keys: its rooms die with the process")
    registry.speak("ann-1", "m1")
    registry.react("bob-1", "m1", THUMBS)
    client = kept.redis
    assert client is not None
    room_ttl = client.pttl(f"eph:room:{room.room_id}")
    for key in ("said", "order", "reactions"):
        assert 0 < client.pttl(f"eph:room:{room.room_id}:{key}") <= room_ttl


def test_message_keys_made_again_expire_with_the_room(store: str, registry: RoomStore, room: Room, kept: Kept) -> None:
    """The only kept message unsent, its keys are gone; the next message makes them again, with the expiry."""
    if store != "redis":
        pytest.skip("the memory store has no keys: its rooms die with the process")
    registry.speak("ann-1", "m1")
    registry.unsend("ann-1", "m1")
    client = kept.redis
    assert client is not None
    assert client.exists(f"eph:room:{room.room_id}:said", f"eph:room:{room.room_id}:order") == 0
    registry.speak("ann-1", "m2")
    room_ttl = client.pttl(f"eph:room:{room.room_id}")
    for key in ("said", "order"):
        assert 0 < client.pttl(f"eph:room:{room.room_id}:{key}") <= room_ttl


# -- races -------------------------------------------------------------------------------------


def seated(here: RoomStore, there: RoomStore, count: int) -> tuple[Binding, list[str]]:
    """A room: its creator on socket `ann-1` here, and `count` others, each with a socket on either process."""
    ann = here.create("Book club", "Ann", PASSWORD)
    here.attach(ann.room_id, ann.token, "ann-1")
    sids = []
    for n in range(count):
        process = here if n % 2 else there
        guest = process.join(ann.room_id, f"Guest {n}", PASSWORD)
        sids.append(f"guest-{n}")
        process.attach(ann.room_id, guest.token, sids[-1])
    return ann, sids


def test_reactions_toggled_at_once_all_count(processes: tuple[RoomStore, RoomStore]) -> None:
    """Everyone toggles a thumb on and a heart on and off, all at once, from two processes: no toggle is lost."""
    here, there = processes
    ann, sids = seated(here, there, REACTORS)
    guests = sorted(who.id for who in there.presence(ann.room_id) if who.id != ann.you.id)
    for n in range(ROUNDS):
        here.speak("ann-1", f"m{n}")
        on = {sid: here if i % 2 else there for i, sid in enumerate(sids)}
        toggles = [partial(on[sid].react, sid, f"m{n}", emoji) for sid in sids for emoji in (THUMBS, HEART, HEART)]

        outcomes = at_once(*toggles)

        assert all(isinstance(outcome, Reactions) for outcome in outcomes), outcomes
        final = here.react("ann-1", f"m{n}", FIRE).reactions
        assert list(final) == [THUMBS, FIRE] and final[FIRE] == [ann.you.id]
        assert sorted(final[THUMBS]) == guests


def test_unsend_racing_an_edit_and_a_reaction_leaves_one_orders_outcome(
    processes: tuple[RoomStore, RoomStore], look: Callable[[RoomStore], Kept]
) -> None:
    """Ann unsends from one tab while she unsends and edits from another and Bob reacts, on two processes:
    exactly one unsend is taken, the edit and the reaction land before it or are refused after it, and
    nothing of the message is left."""
    here, there = processes
    kept = look(here)
    ann, [bob] = seated(here, there, 1)
    there.attach(ann.room_id, ann.token, "ann-2")
    for n in range(ROUNDS):
        here.speak("ann-1", f"m{n}")

        unsent, again, edited, reacted = at_once(
            partial(here.unsend, "ann-1", f"m{n}"),
            partial(there.unsend, "ann-2", f"m{n}"),
            partial(there.edit, "ann-2", f"m{n}"),
            partial(there.react, bob, f"m{n}", THUMBS),
        )

        unsends = [unsent, again]
        assert sum(isinstance(outcome, Speaker) for outcome in unsends) == 1, unsends
        assert sum(isinstance(outcome, Forbidden) for outcome in unsends) == 1, unsends
        assert isinstance(edited, (Speaker, Forbidden)), edited
        assert isinstance(reacted, (Reactions, Invalid)), reacted
        assert kept.authors(ann.room_id) == {} and kept.reactions(ann.room_id) == {}
        with pytest.raises(Forbidden):
            there.edit("ann-2", f"m{n}")
