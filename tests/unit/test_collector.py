"""The collector schedule: survivors of a full collection are frozen until they have doubled."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from ephemeral import collector
from ephemeral.collector import FULL_PASS_AT_LEAST_EVERY, FULL_PASS_GROWTH, FreezeSchedule

FULL = {"generation": 2, "collected": 0, "uncollectable": 0}


@pytest.fixture
def schedule() -> Iterator[FreezeSchedule]:
    gc.unfreeze()
    yield FreezeSchedule()
    gc.unfreeze()


def test_survivors_of_a_full_collection_are_frozen(schedule):
    schedule("stop", FULL)
    assert gc.get_freeze_count() > 0
    # Frozen objects freed since (this test's own frames) leave the count.
    assert schedule.after_full_pass >= gc.get_freeze_count() > schedule.after_full_pass - 100
    assert not schedule.full_pass_due


def test_younger_collections_and_start_phases_change_nothing(schedule):
    schedule("start", FULL)
    schedule("stop", {**FULL, "generation": 1})
    assert gc.get_freeze_count() == 0
    assert schedule.full_pass_due


def test_growth_below_the_threshold_stays_frozen(schedule):
    schedule("stop", FULL)
    first = schedule.after_full_pass
    kept = [[] for _ in range(first // 4)]  # a quarter more tracked objects
    schedule("stop", FULL)
    assert gc.get_freeze_count() >= first + len(kept) - 100
    assert schedule.after_full_pass == first


def test_a_doubled_frozen_heap_goes_back_to_the_collector(schedule):
    schedule("stop", FULL)
    first = gc.get_freeze_count()
    kept = [[] for _ in range(int(first * FULL_PASS_GROWTH))]
    schedule("stop", FULL)
    assert gc.get_freeze_count() == 0  # the next full collection walks everything again
    assert schedule.full_pass_due
    schedule("stop", FULL)
    assert schedule.after_full_pass >= len(kept)


def test_a_full_pass_comes_at_least_every_so_often(schedule):
    schedule("stop", FULL)
    assert not schedule.tend(schedule.full_pass_at + FULL_PASS_AT_LEAST_EVERY - 1)
    assert gc.get_freeze_count() > 0
    # The collection tend runs calls the schedule back, which freezes the survivors anew.
    gc.callbacks.append(schedule)
    try:
        assert schedule.tend(schedule.full_pass_at + FULL_PASS_AT_LEAST_EVERY)
    finally:
        gc.callbacks.remove(schedule)
    assert not schedule.full_pass_due
    assert gc.get_freeze_count() > 0


def test_tune_installs_the_schedule():
    installed = collector.tune("threading")
    try:
        assert installed in gc.callbacks
    finally:
        gc.callbacks.remove(installed)
        gc.unfreeze()
