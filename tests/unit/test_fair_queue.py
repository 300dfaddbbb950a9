"""Waiting places served in rounds by client, and a full queue taken from whoever holds the most."""

from __future__ import annotations

import pytest

from ephemeral.fair_queue import FairQueue, Place

CAPACITY = 6


def queued(queue: FairQueue, *keys: str) -> list[Place]:
    places = [Place(key) for key in keys]
    for place in places:
        assert queue.add(place, CAPACITY)
    return places


def serve_all(queue: FairQueue) -> str:
    order = ""
    while (head := queue.head()) is not None:
        queue.served(head)
        order += head.key
    return order


def test_keys_take_turns_in_the_order_they_first_queued() -> None:
    queue = FairQueue()
    queued(queue, "a", "a", "a", "b", "c", "b")
    assert serve_all(queue) == "abcaba"
    assert len(queue) == 0


def test_a_key_that_comes_back_joins_the_end_of_the_round() -> None:
    queue = FairQueue()
    a, _b = queued(queue, "a", "b")
    queue.served(a)
    queued(queue, "a", "c")
    assert serve_all(queue) == "bac"


@pytest.mark.parametrize(
    ("keys", "asking", "ahead"),
    [
        pytest.param("", "a", 0, id="empty"),
        pytest.param("aaaa", "b", 1, id="newcomer-waits-one-round"),
        pytest.param("aaaa", "a", 4, id="the-hog-waits-behind-itself"),
        pytest.param("aaab", "b", 3, id="its-second-after-two-rounds-of-the-other"),
        pytest.param("abbb", "a", 2, id="the-head-goes-again-after-one-of-each"),
        pytest.param("aabbc", "c", 5, id="keys-before-it-serve-one-round-more"),
        pytest.param("abbbc", "a", 3, id="keys-after-it-serve-only-earlier-rounds"),
    ],
)
def test_ahead_counts_the_places_served_first(keys: str, asking: str, ahead: int) -> None:
    queue = FairQueue()
    queued(queue, *keys)
    assert queue.ahead(asking) == ahead
    mine = Place(asking)
    assert queue.add(mine, CAPACITY)
    order = []
    while (head := queue.head()) is not mine:
        assert head is not None
        queue.served(head)
        order.append(head)
    assert len(order) == ahead


def test_a_full_queue_gives_a_newcomer_the_newest_place_of_whoever_holds_the_most() -> None:
    queue = FairQueue()
    places = queued(queue, "a", "a", "a", "a", "b", "b")
    assert not queue.has_room("a", CAPACITY)
    assert queue.has_room("c", CAPACITY)
    newcomer = Place("c")
    assert queue.add(newcomer, CAPACITY)
    assert places[3].evicted and not any(place.evicted for place in places[:3] + places[4:])
    assert len(queue) == CAPACITY


def test_a_full_queue_shared_evenly_refuses_the_newcomer() -> None:
    queue = FairQueue()
    places = queued(queue, "a", "a", "b", "b", "c", "c")
    assert queue.add(Place("d"), CAPACITY)  # a gives one up: it still holds as many as d
    assert queue.add(Place("e"), CAPACITY)
    assert queue.add(Place("f"), CAPACITY)
    assert [place.evicted for place in places] == [False, True] * 3
    assert not queue.has_room("g", CAPACITY)
    assert not queue.add(Place("g"), CAPACITY)  # one place each: nobody's to take
    assert len(queue) == CAPACITY


def test_a_place_given_up_leaves_no_trace() -> None:
    queue = FairQueue()
    a, b, a2 = queued(queue, "a", "b", "a")
    queue.remove(b)
    queue.remove(b)  # twice is harmless
    assert queue.held_by("b") == 0 and queue.ahead("b") == 1
    assert serve_all(queue) == "aa"
    queue.remove(a2)  # served already: nothing happens
    assert len(queue) == 0 and queue.head() is None and a.key == "a"
