"""Threads of a run driven on a ``ManualClock`` in a replayable order.

``drive`` waits until every thread of the run is blocked on the clock with
nothing to do (``ManualClock.settle``), then moves the clock to the next
deadline, and so on until the run is over: what the threads do between two
advances depends on the clock only, not on the scheduler or the machine's
load. ``PacedReader`` plays a ``Source`` on the clock (open, then read each
packet once the clock reaches its time), as the presenter would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from player.clock import ManualClock
from player.source_api import DemuxPacket, Source, SourceInfo

__all__ = ["PacedReader", "ThreadsStarted", "drive", "play_to_end"]


def drive(
    clock: ManualClock,
    threads: int | Callable[[], int],
    done: Callable[[], bool],
    *,
    max_seconds: float = 600.0,
) -> None:
    """Advance ``clock`` deadline by deadline while ``threads`` threads wait
    on it, until ``done()``. At most ``max_seconds`` of the clock.
    ``threads`` may be a callable: how many are alive now (one that ends
    with an error while the others play on)."""
    start = clock.now()
    count: Callable[[], int] = threads if callable(threads) else lambda: threads
    while True:
        n = count()

        def moved(n: int = n) -> bool:
            return done() or count() != n

        if not clock.settle(n, unless=moved):
            if done():
                return
            continue  # a thread ended (or began): settle again on the new count
        deadline = clock.next_deadline()
        if deadline is None:
            raise AssertionError("every thread waits with no deadline: the run is stuck")
        if deadline - start > max_seconds:
            raise AssertionError(f"the run took over {max_seconds:g} s of the clock")
        clock.advance(deadline - clock.now())


class ThreadsStarted:
    """Counts the threads named ``name`` that started after this was made and
    are still alive: a run's part that may end on its own (an HLS loader
    ending with a fatal error while the reader waits on the clock), seen
    from outside, as a debugger would see it, not through the part's fields."""

    def __init__(self, name: str, *, prefix: bool = False) -> None:
        self._name = name
        #: every name that starts with ``name`` (the HLS early requests'
        #: threads are named for their kind)
        self._prefix = prefix
        self._before = {t for t in threading.enumerate() if self._named(t)}

    def _named(self, t: threading.Thread) -> bool:
        return t.name.startswith(self._name) if self._prefix else t.name == self._name

    def alive(self) -> int:
        return sum(self._named(t) and t not in self._before for t in threading.enumerate())


@dataclass
class PacedReader:
    """Opens ``source`` and reads it to its end on its own thread, each packet
    taken once the clock has reached its time (from the first packet's);
    ``paced=False``: each one as soon as ``read()`` gives it (a demuxer that
    is starving, waiting inside ``read()``)."""

    source: Source
    clock: ManualClock
    paced: bool = True
    info: SourceInfo | None = None
    packets: list[DemuxPacket] = field(default_factory=list)
    #: the clock time each packet was read at
    read_at: list[float] = field(default_factory=list)
    error: BaseException | None = None

    def __post_init__(self) -> None:
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="paced-reader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.info = self.source.open()
            started = self.clock.now()
            first: float | None = None
            while (pkt := self.source.read()) is not None:
                self.packets.append(pkt)
                self.read_at.append(self.clock.now())
                if pkt.pts is None or not self.paced:
                    continue
                first = pkt.pts if first is None else first
                ahead = (pkt.pts - first) - (self.clock.now() - started)
                if ahead > 0:
                    with self._cond:
                        if self.clock.wait_for(self._cond, lambda: self._stopped, ahead):
                            return
        except BaseException as exc:
            self.error = exc

    def stop(self) -> None:
        """End the reading (a live stream has no end of its own)."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def join(self) -> None:
        self._thread.join(10.0)
        assert not self._thread.is_alive(), "the reader did not finish"
        if self.error is not None:
            raise self.error


def play_to_end(
    source: Source, clock: ManualClock, early: ThreadsStarted | None = None
) -> PacedReader:
    """``source`` read on ``clock`` to its end by a ``PacedReader`` (its
    loader and the reader: two threads, and the HLS loader's early requests
    while they run), then closed; the reader's error, if any, raised.
    ``early``: counting from before the source was made, when its early
    requests began then (a ``HeadStart``)."""
    # Counted, not left out: an early request waiting on the clock with the
    # reader made two settled threads while the loader was still busy, and
    # the clock was moved on under it (on a loaded machine, past the open's
    # deadline: "timed out opening").
    if early is None:
        early = ThreadsStarted("hls-early-", prefix=True)
    reader = PacedReader(source, clock)
    try:
        drive(clock, lambda: 2 + early.alive(), lambda: reader.done)
        reader.join()
    finally:
        source.close()
    return reader
