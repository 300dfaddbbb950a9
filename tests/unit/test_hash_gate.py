"""The process's bcrypt budget and queue: CPU-seconds with a fake clock, waiting in order, bounded waits.

Concurrency is driven with Events and Conditions only: a test never sleeps to
wait for another thread. bcrypt runs for real at cost 4 where it runs at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator

import pytest

from ephemeral.errors import RateLimited
from ephemeral.hash_gate import BUSY, Attempt, CpuBudget, HashGate, hashing_for
from ephemeral.hashing import HASH_NICENESS
from ephemeral.passwords import PasswordHasher
from ephemeral.ratelimit import Limit
from tests.support.clock import FakeClock
from tests.support.threads import WAIT, HeldOffload, Outcomes

KEY = b"k" * 32
TEN_CPU_SECONDS_THEN_ONE_PER_SECOND = Limit(burst=10, per_second=1.0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def budget(clock: FakeClock) -> CpuBudget:
    return CpuBudget(TEN_CPU_SECONDS_THEN_ONE_PER_SECOND, clock)


# -- the budget ------------------------------------------------------------------


def test_a_full_budget_lets_a_hash_start_at_once(budget: CpuBudget) -> None:
    assert budget.level() == 10
    assert budget.delay() == 0


def test_a_hash_is_charged_what_it_cost_and_may_leave_a_debt(budget: CpuBudget) -> None:
    budget.charge(4)
    assert (budget.level(), budget.delay()) == (6, 0)
    budget.charge(9)  # the hash in flight was dearer than what was left
    assert budget.level() == -3
    assert budget.delay() == pytest.approx(3, abs=0.01)  # the debt, at one CPU-second per second


def test_the_debt_is_refilled_at_the_rate(budget: CpuBudget, clock: FakeClock) -> None:
    budget.charge(13)
    clock.advance(2.9)
    assert budget.delay() > 0
    clock.advance(0.2)
    assert budget.delay() == 0


def test_an_idle_budget_refills_only_to_its_burst(budget: CpuBudget, clock: FakeClock) -> None:
    budget.charge(10)
    clock.advance(3600)
    assert budget.level() == 10


def test_pressure_is_more_than_half_the_burst_spent(clock: FakeClock) -> None:
    gate = HashGate(budget=TEN_CPU_SECONDS_THEN_ONE_PER_SECOND, clock=clock)
    assert not gate.under_pressure()
    gate.charge(cpu_seconds=4)
    assert not gate.under_pressure()
    gate.charge(cpu_seconds=2)
    assert gate.under_pressure()
    clock.advance(2)  # back to 6 of 10
    assert not gate.under_pressure()


# -- the gate: the budget decides before bcrypt ----------------------------------------


@pytest.fixture
def spent_gate(clock: FakeClock) -> HashGate:
    """A gate whose budget owes 40 CPU-seconds: 40 s to refill at 1 per second, past the 30 s a hash may wait."""
    gate = HashGate(budget=TEN_CPU_SECONDS_THEN_ONE_PER_SECOND, max_wait=30, clock=clock)
    gate.charge(cpu_seconds=50)
    return gate


def test_a_spent_budget_refuses_at_once_without_hashing(spent_gate: HashGate) -> None:
    hasher = PasswordHasher(KEY, cost=4, gate=spent_gate)
    assert spent_gate.would_refuse() == 40  # the debt, at one CPU-second per second
    outcomes = Outcomes()  # the fake clock never moves: only a refusal at once ends the call
    outcomes.run(lambda: hasher.hash("hunter2"))
    [refused] = outcomes.wait_for(1)
    assert isinstance(refused, RateLimited)
    assert refused.message == BUSY
    assert refused.retry_after == 40
    assert hasher.hashes_run == 0
    assert spent_gate.refused == 1


def test_a_refilled_budget_lets_hashes_run_again(spent_gate: HashGate, clock: FakeClock) -> None:
    hasher = PasswordHasher(KEY, cost=4, gate=spent_gate)
    clock.advance(20)  # 20 s of debt left: within the wait, so a hash would queue, not be refused
    assert spent_gate.would_refuse() == 0
    clock.advance(20.1)
    assert hasher.verify("hunter2", hasher.hash("hunter2"))
    assert hasher.hashes_run == 2


def test_every_hash_is_charged_its_cpu_time() -> None:
    hasher = PasswordHasher(KEY, cost=4)
    before = hasher.gate.budget_level()
    hasher.hash("hunter2")
    after = hasher.gate.budget_level()
    assert after < before  # refills between the two reads are far smaller than a hash at cost 4


# -- the gate: the honest burst waits in order ----------------------------------------------


@pytest.fixture
def held() -> Iterator[HeldOffload]:
    offload = HeldOffload()
    yield offload
    offload.release.set()


def test_fifty_right_passwords_at_once_all_wait_their_turn(held: HeldOffload) -> None:
    """A class opening the same link: the default gate queues every one of them instead of refusing."""
    hashed = PasswordHasher(KEY, cost=4).hash("class password")
    hasher = PasswordHasher(KEY, cost=4, offload=held, gate=HashGate())
    outcomes = Outcomes()
    outcomes.run(lambda: hasher.verify("class password", hashed))
    held.wait_entered()  # the first holds the only running slot
    for _ in range(49):
        outcomes.run(lambda: hasher.verify("class password", hashed))
    held.release.set()
    assert outcomes.wait_for(50) == [True] * 50
    assert hasher.gate.refused == 0


def test_a_hash_still_waiting_at_its_deadline_is_refused(held: HeldOffload) -> None:
    # A fresh gate has measured no hash, so it expects no wait and lets the second one queue;
    # the first is held until the test ends, so only the deadline can end the second's wait.
    hasher = PasswordHasher(KEY, cost=4, offload=held, gate=HashGate(max_wait=0.05))
    outcomes = Outcomes()
    outcomes.run(lambda: hasher.hash("first"))
    held.wait_entered()
    outcomes.run(lambda: hasher.hash("second"))
    [refused] = outcomes.wait_for(1)
    assert isinstance(refused, RateLimited)
    assert refused.message == BUSY
    assert hasher.hashes_run == 1
    held.release.set()
    assert isinstance(outcomes.wait_for(2)[1], bytes)
    assert hasher.hash("third")  # the refused one left the queue


def test_a_hash_that_would_wait_past_the_limit_is_refused_at_the_door(held: HeldOffload, clock: FakeClock) -> None:
    """Hashes measured at 2 CPU-seconds: behind the running one a new hash waits 2 s at least, past the 1 s allowed."""
    gate = HashGate(running=1, max_wait=1, budget=Limit(burst=1000, per_second=1.0), clock=clock)
    gate.charge(cpu_seconds=2)
    hasher = PasswordHasher(KEY, cost=4, offload=held, gate=gate)
    assert gate.would_refuse() == 0  # nothing ahead: no wait
    first, second = Outcomes(), Outcomes()
    first.run(lambda: hasher.hash("first"))
    held.wait_entered()
    assert gate.expected_wait() == pytest.approx(2)
    assert gate.would_refuse() == 2
    second.run(lambda: hasher.hash("second"))  # the fake clock never reaches its deadline: only the door ends it
    [refused] = second.wait_for(1)
    assert isinstance(refused, RateLimited)
    assert refused.retry_after == 2
    assert hasher.hashes_run == 1
    held.release.set()
    assert isinstance(first.wait_for(1)[0], bytes)


# -- the gate: turns by address ------------------------------------------------------------


class Hashes:
    """Hashes through one gate, each for an address, each held until the test ends it; records who started when."""

    def __init__(self, gate: HashGate) -> None:
        self.gate = gate
        self.started: list[str] = []
        self.outcomes = Outcomes()
        self._changed = threading.Condition()
        self._ends: dict[str, threading.Event] = {}

    def ask(self, label: str) -> None:
        """A hash for address `label[0]`; returns once it runs, waits in the queue, or was refused."""
        key, end, refused = label[0], threading.Event(), threading.Event()
        self._ends[label] = end
        held = self.gate._queue.held_by(key)

        def run() -> str:
            try:
                with hashing_for(Attempt(key)), self.gate, self._changed:
                    self.started.append(label)
                    self._changed.notify_all()
                    self._changed.wait_for(end.is_set, timeout=WAIT)
            except RateLimited:
                with self.gate._changed:
                    refused.set()
                    self.gate._changed.notify_all()
                raise
            return label

        self.outcomes.run(run)
        with self.gate._changed:  # the gate's own condition: notified whenever its queue changes
            assert self.gate._changed.wait_for(
                lambda: label in self.started or self.gate._queue.held_by(key) > held or refused.is_set(),
                timeout=WAIT,
            )

    def wait_started(self, label: str) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: label in self.started, timeout=WAIT)

    def end(self, label: str) -> None:
        """End a running hash; returns once the next one (if any waits) has started."""
        running = len(self.started)
        with self._changed:
            self._ends[label].set()
            self._changed.notify_all()
            if self.gate.waiting():
                assert self._changed.wait_for(lambda: len(self.started) > running, timeout=WAIT)

    def end_all(self) -> None:
        with self._changed:
            for end in self._ends.values():
                end.set()
            self._changed.notify_all()


@pytest.fixture
def hashes() -> Iterator[Hashes]:
    made = Hashes(HashGate(running=1, waiting=4))
    yield made
    made.end_all()


def test_waiting_hashes_take_turns_by_address(hashes: Hashes) -> None:
    """Address a asks for four hashes, then b for one: b's starts after a's second, not after a's fourth."""
    hashes.ask("a0")
    hashes.wait_started("a0")
    for label in ("a1", "a2", "a3", "b0"):
        hashes.ask(label)
    assert hashes.started == ["a0"] and hashes.gate.waiting() == 4
    for label in ("a0", "a1", "b0", "a2"):
        hashes.end(label)
    assert hashes.started == ["a0", "a1", "b0", "a2", "a3"]


def test_a_full_queue_gives_the_place_of_whoever_holds_the_most(hashes: Hashes) -> None:
    hashes.ask("a0")
    hashes.wait_started("a0")
    for label in ("a1", "a2", "a3", "a4"):  # a runs one and fills the queue
        hashes.ask(label)
    assert hashes.gate.would_refuse("a") > 0
    assert hashes.gate.would_refuse("b") == 0  # b would take a place of a's
    hashes.ask("b0")
    [displaced] = hashes.outcomes.wait_for(1)
    assert isinstance(displaced, RateLimited) and displaced.message == BUSY
    hashes.ask("c0")  # a holds three places: more than c would with one, so a gives one up again
    hashes.ask("d0")  # and again: two against d's one
    assert hashes.gate.waiting() == 4 and len(hashes.outcomes.wait_for(3)) == 3
    assert hashes.gate.would_refuse("e") > 0  # a, b, c and d hold one each: nobody's to take
    for label in ("a0", "a1", "b0", "c0"):
        hashes.end(label)
    assert hashes.started == ["a0", "a1", "b0", "c0", "d0"]


# -- hashing threads yield the CPU ----------------------------------------------------


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_hashes_in_a_thread_run_at_lower_priority_and_the_event_loop_keeps_its_own(async_mode: str) -> None:
    """On Linux the nice value is per thread: the hashing thread is lowered, the process's main thread is not."""
    assert HASH_NICENESS > 0
    script = textwrap.dedent(
        f"""
        import warnings
        warnings.filterwarnings("ignore")
        if {async_mode!r} == "gevent":
            from gevent import monkey; monkey.patch_all()
        else:
            import eventlet; eventlet.monkey_patch()
        import os
        from ephemeral.hashing import BcryptInThread
        from ephemeral.passwords import make_offload
        offload = make_offload({async_mode!r})
        def hash_then_priority():
            BcryptInThread().hash(b"secret", 4)
            return os.getpriority(os.PRIO_PROCESS, 0)
        print(offload(hash_then_priority), os.getpriority(os.PRIO_PROCESS, 0))
        """
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    worker, main = (int(value) for value in done.stdout.split())
    ours = os.getpriority(os.PRIO_PROCESS, 0)  # the child's, inherited
    assert (worker, main) == (min(19, ours + HASH_NICENESS), ours)
