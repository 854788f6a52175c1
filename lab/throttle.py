"""The lab's link: one bandwidth shared by every connection of an origin.

Bodies are written in chunks; each chunk takes the link for ``len / rate``
seconds (the rate at the moment it starts), after whatever the other
connections booked before it, so two downloads at once each get about half.
Time and waits go through a ``player.clock.Clock``: a ``ManualClock`` drives
it in the unit tests."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable

from player.clock import Clock

__all__ = ["Link", "ThrottledWriter"]

#: bytes per second over seconds since the link started; None: unlimited
Rate = Callable[[float], float | None]


class Link:
    def __init__(
        self,
        clock: Clock,
        rate: Rate,
        *,
        chunk: int = 8 * 1024,
        start: float | None = None,
        burst: float = 0.1,
    ) -> None:
        self.clock = clock
        #: seconds of idle link a booking may make up: a writer thread that
        #: wakes a little late does not lose the link's time, but a link left
        #: idle for longer does not save it up
        self.burst = burst
        self.rate = rate
        self.chunk = chunk
        #: the clock time the rate's schedule counts from
        self.start = clock.now() if start is None else start
        self._lock = threading.Lock()
        self._free_at = clock.now()
        #: bytes sent over the link (all connections)
        self.sent = 0

    def book(self, nbytes: int) -> float:
        """Reserve the link for ``nbytes``: the clock time when they are through."""
        with self._lock:
            now = self.clock.now()
            begin = max(now - self.burst, self._free_at)
            rate = self.rate(begin - self.start)
            if rate is None:
                return now
            self._free_at = begin + nbytes / max(rate, 1.0)
            return self._free_at

    def send(self, data: bytes, write: Callable[[bytes], object], stop: threading.Event) -> bool:
        """Write ``data`` through ``write`` at the link's pace; False when
        ``stop`` was set on the way (the rest is not sent)."""
        cond = threading.Condition()
        for i in range(0, len(data), self.chunk):
            piece = data[i : i + self.chunk]
            done_at = self.book(len(piece))
            with cond:
                self.clock.wait_for(cond, stop.is_set, max(0.0, done_at - self.clock.now()))
            if stop.is_set():
                return False
            write(piece)
            with self._lock:
                self.sent += len(piece)
        return True


class ThrottledWriter:
    """A stand-in for a request handler's ``wfile``: what an origin writes
    goes out through the ``Link`` (headers included: they are small)."""

    def __init__(self, raw: io.BufferedIOBase, link: Link, stop: threading.Event) -> None:
        #: the socket's own writer
        self.raw = raw
        self._raw = raw
        self._link = link
        self._stop = stop

    def write(self, data: bytes) -> int:
        def out(piece: bytes) -> None:
            self._raw.write(piece)
            self._raw.flush()

        if not self._link.send(bytes(data), out, self._stop):
            raise ConnectionAbortedError("the lab is stopping")
        return len(data)

    def flush(self) -> None:
        self._raw.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self._raw, name)
