"""The clocks' waiting: ``ManualClock`` releases a blocked thread exactly when
a test advances it past the thread's deadline, never on the wall clock."""

from __future__ import annotations

import threading

import pytest

from player.clock import ManualClock, SystemClock


class Sleeper:
    """A thread that sleeps on the clock and notes the clock time it woke at."""

    def __init__(self, clock: ManualClock, seconds: float) -> None:
        self.woke_at: float | None = None
        self._clock = clock
        self._thread = threading.Thread(target=self._run, args=(seconds,), daemon=True)
        self._thread.start()

    def _run(self, seconds: float) -> None:
        self._clock.sleep(seconds)
        self.woke_at = self._clock.now()

    def join(self) -> None:
        self._thread.join(10.0)
        assert not self._thread.is_alive(), "the sleeper was not released"


def test_a_sleeping_thread_is_released_only_once_the_clock_passes_its_deadline() -> None:
    clock = ManualClock(100.0)
    sleeper = Sleeper(clock, 1.0)
    clock.until_waiting(1)
    clock.advance(0.999)
    # nothing woke it: it is still counted as waiting, and has not run on
    assert clock.waiting() == 1 and sleeper.woke_at is None
    clock.advance(0.001)
    sleeper.join()
    assert sleeper.woke_at == pytest.approx(101.0)
    assert clock.waiting() == 0


def test_one_advance_releases_every_waiter_whose_deadline_passed_and_no_other() -> None:
    clock = ManualClock()
    sleepers = {s: Sleeper(clock, s) for s in (1.0, 1.5, 2.0)}
    clock.until_waiting(3)
    assert clock.next_deadline() == pytest.approx(1.0)
    clock.advance(1.5)
    sleepers[1.0].join()
    sleepers[1.5].join()
    clock.until_waiting(1)
    assert clock.waiting() == 1 and sleepers[2.0].woke_at is None
    assert clock.next_deadline() == pytest.approx(2.0)
    clock.advance(0.5)
    sleepers[2.0].join()
    assert [s.woke_at for s in sleepers.values()] == pytest.approx([1.5, 1.5, 2.0])


def test_wait_for_returns_early_when_its_predicate_holds_without_time_moving() -> None:
    clock = ManualClock(5.0)
    cond = threading.Condition()
    ready = False
    results: list[tuple[bool, float]] = []

    def waiter() -> None:
        with cond:
            results.append((clock.wait_for(cond, lambda: ready, 30.0), clock.now()))

    thread = threading.Thread(target=waiter, daemon=True)
    thread.start()
    clock.until_waiting(1)
    with cond:
        ready = True
        cond.notify_all()
    thread.join(10.0)
    assert results == [(True, 5.0)]


def test_wait_for_times_out_on_the_clock_returning_the_predicate() -> None:
    clock = ManualClock()
    cond = threading.Condition()
    results: list[tuple[bool, float]] = []

    def waiter() -> None:
        with cond:
            results.append((clock.wait_for(cond, lambda: False, 2.0), clock.now()))

    thread = threading.Thread(target=waiter, daemon=True)
    thread.start()
    clock.until_waiting(1)
    # a notification that does not make the predicate true does not end the wait
    with cond:
        cond.notify_all()
    clock.advance(1.0)
    clock.until_waiting(1)
    assert results == []
    clock.advance(5.0)
    thread.join(10.0)
    assert results == [(False, 6.0)]


def test_wait_without_timeout_ends_only_with_its_predicate() -> None:
    clock = ManualClock()
    cond = threading.Condition()
    flag = threading.Event()
    done = threading.Event()

    def waiter() -> None:
        with cond:
            clock.wait_for(cond, flag.is_set, None)
        done.set()

    threading.Thread(target=waiter, daemon=True).start()
    clock.until_waiting(1)
    assert clock.next_deadline() is None
    clock.advance(1e9)
    clock.until_waiting(1)
    assert not done.is_set()
    with cond:
        flag.set()
        cond.notify_all()
    assert done.wait(10.0)


def test_a_zero_timeout_or_a_true_predicate_does_not_block() -> None:
    clock = ManualClock()
    cond = threading.Condition()
    with cond:
        assert clock.wait_for(cond, lambda: False, 0.0) is False
        assert clock.wait_for(cond, lambda: True, 10.0) is True
    clock.sleep(0.0)
    assert clock.waiting() == 0 and clock.now() == 0.0


def test_timers_run_in_deadline_order_at_their_own_time_within_one_advance() -> None:
    clock = ManualClock(10.0)
    ran: list[tuple[str, float]] = []
    clock.call_later(2.0, lambda: ran.append(("b", clock.now())))
    clock.call_later(1.0, lambda: ran.append(("a", clock.now())))
    clock.call_later(2.0, lambda: ran.append(("c", clock.now())))  # tie: set after b
    dropped = clock.call_later(1.5, lambda: ran.append(("x", clock.now())))
    dropped.cancel()
    clock.call_later(9.0, lambda: ran.append(("late", clock.now())))
    clock.advance(3.0)
    assert ran == [("a", 11.0), ("b", 12.0), ("c", 12.0)]
    assert clock.now() == 13.0
    assert clock.next_deadline() == pytest.approx(19.0)


def test_a_timer_set_by_a_timer_runs_in_the_same_advance_when_due() -> None:
    clock = ManualClock()
    ran: list[float] = []

    def first() -> None:
        ran.append(clock.now())
        clock.call_later(0.5, lambda: ran.append(clock.now()))

    clock.call_later(1.0, first)
    clock.advance(2.0)
    assert ran == [1.0, 1.5]


def test_time_does_not_go_backwards() -> None:
    with pytest.raises(ValueError, match="backwards"):
        ManualClock().advance(-1.0)


def test_until_waiting_fails_rather_than_hangs_when_nobody_waits() -> None:
    with pytest.raises(TimeoutError, match="0 thread"):
        ManualClock().until_waiting(1, timeout=0.01)


def test_the_system_clock_waits_on_the_conditions_own_timeout() -> None:
    clock = SystemClock()
    cond = threading.Condition()
    with cond:
        assert clock.wait_for(cond, lambda: True, 10.0) is True
        started = clock.now()
        assert clock.wait_for(cond, lambda: False, 0.01) is False
        assert clock.now() - started >= 0.01
    fired = threading.Event()
    clock.call_later(0.0, fired.set)
    assert fired.wait(10.0)
    cancelled = threading.Event()
    clock.call_later(30.0, cancelled.set).cancel()
    assert not cancelled.is_set()


def test_settle_waits_for_a_released_thread_to_block_again() -> None:
    """A thread whose predicate holds is not settled even while it is still
    registered in its wait: ``settle`` returns once it waits again."""
    clock = ManualClock()
    cond = threading.Condition()
    go = False
    stages: list[str] = []

    def worker() -> None:
        with cond:
            clock.wait_for(cond, lambda: go, 5.0)
        stages.append("released")
        clock.sleep(1.0)
        stages.append("slept")

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    assert clock.settle(1)
    assert stages == []
    with cond:
        go = True
        cond.notify_all()
    assert clock.settle(1)
    assert stages == ["released"]
    assert clock.next_deadline() == pytest.approx(1.0)
    clock.advance(1.0)
    assert clock.settle(1, unless=lambda: not thread.is_alive()) is False
    assert stages == ["released", "slept"]
