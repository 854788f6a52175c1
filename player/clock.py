"""Injected time. Nothing in the engine's logic reads the system time directly,
and waits that stand for time passing go through the clock too."""

from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

__all__ = ["Clock", "ManualClock", "PlaybackClock", "SystemClock", "Timer"]


class Timer(Protocol):
    def cancel(self) -> None:
        """Drop the call if it has not run yet (harmless after it ran)."""
        ...


class Clock(Protocol):
    """Time and every wait on it. Code that waits goes through its clock, so
    a ``ManualClock`` can drive it: a wait ends when the predicate holds (the
    waiter is notified through its condition) or when the clock passes the
    deadline, whichever is first."""

    def now(self) -> float:
        """Monotonic seconds."""
        ...

    def wait_for(
        self,
        cond: threading.Condition,
        predicate: Callable[[], bool],
        timeout: float | None,
    ) -> bool:
        """Like ``cond.wait_for``: the caller holds ``cond``; returns the
        predicate's last value. ``timeout`` is in this clock's seconds."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for ``seconds`` of this clock."""
        ...

    def call_later(self, delay: float, fn: Callable[[], None]) -> Timer:
        """Call ``fn`` once, ``delay`` seconds of this clock from now."""
        ...


class SystemClock:
    """The real clock: ``time.monotonic`` and the threading primitives' own
    timeouts."""

    def now(self) -> float:
        return time.monotonic()

    def wait_for(
        self,
        cond: threading.Condition,
        predicate: Callable[[], bool],
        timeout: float | None,
    ) -> bool:
        return cond.wait_for(predicate, timeout)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def call_later(self, delay: float, fn: Callable[[], None]) -> Timer:
        timer = threading.Timer(max(0.0, delay), fn)
        timer.daemon = True
        timer.start()
        return timer


@dataclass(eq=False)
class _Waiter:
    deadline: float
    cond: threading.Condition
    predicate: Callable[[], bool]

    def released(self) -> bool:
        """Whether the thread is free to go on (its predicate holds)."""
        with self.cond:
            return bool(self.predicate())


@dataclass(eq=False)
class _ManualTimer:
    deadline: float
    seq: int
    fn: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualClock:
    """A clock tests move by hand. Time changes only in ``advance``; a thread
    blocked in ``wait_for`` or ``sleep`` stays blocked until the clock passes
    its deadline (or its predicate holds), whatever the wall clock does.

    ``advance`` runs due timers on the calling thread, in deadline order (ties
    in the order they were set), with ``now()`` at each timer's deadline, and
    wakes the waiters whose deadline has passed. It does not wait for those
    threads to run: ``until_waiting`` is how a test learns that a thread is
    blocked again."""

    def __init__(self, start: float = 0.0) -> None:
        self._t = start
        # guards the time, the waiters and the timers; notified when a waiter
        # comes or goes (``until_waiting``)
        self._lock = threading.Condition()
        self._waiters: list[_Waiter] = []
        self._timers: list[tuple[float, int, _ManualTimer]] = []
        self._seq = itertools.count()
        #: bumped whenever a waiter comes or goes (``settle``)
        self._generation = 0

    def now(self) -> float:
        with self._lock:
            return self._t

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time does not go backwards")
        with self._lock:
            target = self._t + seconds
        while True:
            with self._lock:
                timer = self._pop_due_locked(target)
                self._t = max(self._t, timer.deadline if timer is not None else target)
                due = [w for w in self._waiters if w.deadline <= self._t]
            # never hold our lock while taking a waiter's: the waiter holds its
            # condition when it takes ours
            for waiter in due:
                with waiter.cond:
                    waiter.cond.notify_all()
            if timer is None:
                return
            timer.fn()

    def _pop_due_locked(self, target: float) -> _ManualTimer | None:
        while self._timers and self._timers[0][0] <= target:
            _, _, timer = heapq.heappop(self._timers)
            if not timer.cancelled:
                return timer
        return None

    def wait_for(
        self,
        cond: threading.Condition,
        predicate: Callable[[], bool],
        timeout: float | None,
    ) -> bool:
        result = predicate()
        if result or (timeout is not None and timeout <= 0):
            return result
        with self._lock:
            deadline = math.inf if timeout is None else self._t + timeout
            waiter = _Waiter(deadline, cond, predicate)
            self._waiters.append(waiter)
            self._generation += 1
            self._lock.notify_all()
        try:
            while True:
                result = predicate()
                # read under ``cond``: an ``advance`` that moved the time past
                # the deadline after this check notifies ``cond`` only once we
                # wait on it, so no wake-up is lost
                if result or self.now() >= deadline:
                    return result
                cond.wait()
        finally:
            with self._lock:
                self._waiters.remove(waiter)
                self._generation += 1
                self._lock.notify_all()

    def sleep(self, seconds: float) -> None:
        cond = threading.Condition()
        with cond:
            self.wait_for(cond, lambda: False, seconds)

    def call_later(self, delay: float, fn: Callable[[], None]) -> Timer:
        with self._lock:
            timer = _ManualTimer(self._t + max(0.0, delay), next(self._seq), fn)
            heapq.heappush(self._timers, (timer.deadline, timer.seq, timer))
        return timer

    # ---------------------------------------------------------------- test helpers

    def waiting(self) -> int:
        """How many threads are blocked in this clock's waits (a waiter whose
        deadline has passed is released, even before its thread runs)."""
        with self._lock:
            return self._blocked_locked()

    def _blocked_locked(self) -> int:
        return sum(1 for w in self._waiters if w.deadline > self._t)

    def until_waiting(self, count: int = 1, timeout: float = 10.0) -> None:
        """Block until at least ``count`` threads wait on this clock.
        ``timeout`` is real seconds, a guard against a test hanging, not a
        synchronisation: a thread that never waits fails the test."""
        with self._lock:
            if not self._lock.wait_for(lambda: self._blocked_locked() >= count, timeout):
                raise TimeoutError(
                    f"{self._blocked_locked()} thread(s) waiting on the clock, expected {count}"
                )

    def settle(
        self,
        count: int,
        *,
        unless: Callable[[], bool] = lambda: False,
        timeout: float = 10.0,
    ) -> bool:
        """Block until ``count`` threads wait on this clock and none of them
        can go on without time passing (each one's predicate is false): the
        threads of a run are quiescent, and only ``advance`` moves them, so
        the order of what they do no longer depends on the scheduler. Returns
        False as soon as ``unless()`` holds instead (a thread of the run has
        ended). ``timeout`` (real seconds) guards against a hang."""
        give_up = time.monotonic() + timeout
        while True:
            if unless():
                return False
            left = give_up - time.monotonic()
            if left <= 0:
                raise TimeoutError(
                    f"{self.waiting()} thread(s) settled on the clock, expected {count}"
                )
            with self._lock:
                generation = self._generation
                blocked = [w for w in self._waiters if w.deadline > self._t]
            if len(blocked) >= count and not any(w.released() for w in blocked):
                with self._lock:
                    if self._generation == generation:
                        return True
                continue
            # something is still on its way: wait for a waiter to come or go;
            # the short slice only re-reads ``unless``, it orders nothing
            with self._lock:
                self._lock.wait_for(partial(self._moved_since, generation), min(left, 0.05))

    def _moved_since(self, generation: int) -> bool:
        return self._generation != generation

    def next_deadline(self) -> float | None:
        """The earliest finite deadline of a waiter or a pending timer."""
        with self._lock:
            times = [w.deadline for w in self._waiters if self._t < w.deadline < math.inf]
            times += [t.deadline for _, _, t in self._timers if not t.cancelled]
        return min(times) if times else None


class PlaybackClock:
    """Media time driven by a system clock: the master when there is no audio,
    and the interpolation between audio callbacks when there is.

    position(now) = anchor_media + (now - anchor_sys) * speed while running.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._anchor_media = 0.0
        self._anchor_sys = clock.now()
        self._speed = 1.0
        self._running = False

    def position(self) -> float:
        with self._lock:
            return self._position_locked(self._clock.now())

    def _position_locked(self, now: float) -> float:
        if not self._running:
            return self._anchor_media
        return self._anchor_media + (now - self._anchor_sys) * self._speed

    def set(self, media_time: float) -> None:
        with self._lock:
            self._anchor_media = media_time
            self._anchor_sys = self._clock.now()

    def set_at(self, media_time: float, sys_time: float) -> None:
        with self._lock:
            self._anchor_media = media_time
            self._anchor_sys = sys_time

    def start(self) -> None:
        with self._lock:
            if not self._running:
                self._anchor_sys = self._clock.now()
                self._running = True

    def stop(self) -> None:
        with self._lock:
            now = self._clock.now()
            self._anchor_media = self._position_locked(now)
            self._anchor_sys = now
            self._running = False

    @property
    def running(self) -> bool:
        return self._running

    @property
    def speed(self) -> float:
        return self._speed

    def set_speed(self, speed: float) -> None:
        with self._lock:
            now = self._clock.now()
            self._anchor_media = self._position_locked(now)
            self._anchor_sys = now
            self._speed = speed
