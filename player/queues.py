"""Bounded queues between the threads, measured in media seconds and bytes.

Every item carries the ``serial`` of the timeline it belongs to: a seek or a
flush bumps the serial and consumers drop stale items (as ffplay does), so no
thread has to be stopped to change position.

Every wait goes through the queue's ``Clock``: on a ``ManualClock`` a
``get(timeout)`` on an empty queue returns only when an item comes or the
test moves the clock past its deadline.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Generic, TypeVar

from .clock import Clock

__all__ = ["EOS", "MediaQueue", "QueueItem"]

T = TypeVar("T")


class _EndOfStream:
    def __repr__(self) -> str:
        return "EOS"


EOS = _EndOfStream()


@dataclass
class QueueItem(Generic[T]):
    value: T | _EndOfStream
    serial: int
    pts: float | None
    duration: float
    size: int


class MediaQueue(Generic[T]):
    """A FIFO that is full when it holds ``max_seconds`` of media or
    ``max_bytes`` (or ``max_items``), whichever comes first."""

    def __init__(
        self,
        max_seconds: float,
        max_bytes: int,
        max_items: int = 1_000_000,
        *,
        clock: Clock,
        name: str = "",
    ) -> None:
        self.name = name
        self._clock = clock
        self.max_seconds = max_seconds
        self.max_bytes = max_bytes
        self.max_items = max_items
        self._items: deque[QueueItem[T]] = deque()
        self._bytes = 0
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._closed = False
        self._first_pts: float | None = None
        self._last_end: float | None = None

    # -- producer ---------------------------------------------------------
    def put(self, item: QueueItem[T], timeout: float) -> bool:
        """Wait up to ``timeout`` for room. False if still full or closed."""
        with self._cond:
            if not self._clock.wait_for(self._cond, self._has_room, timeout):
                return False
            if self._closed:
                return False
            self._append(item)
            return True

    def put_nowait(self, item: QueueItem[T]) -> None:
        """Append regardless of the bound (end-of-stream markers, small overshoot)."""
        with self._cond:
            self._append(item)

    def _append(self, item: QueueItem[T]) -> None:
        self._items.append(item)
        self._bytes += item.size
        if item.pts is not None:
            if self._first_pts is None:
                self._first_pts = item.pts
            end = item.pts + item.duration
            if self._last_end is None or end > self._last_end:
                self._last_end = end
        self._cond.notify_all()

    def _has_room(self) -> bool:
        return self._closed or not self._full()

    def _readable(self) -> bool:
        return self._closed or bool(self._items)

    def _full(self) -> bool:
        if not self._items:
            return False
        return (
            self._bytes >= self.max_bytes
            or len(self._items) >= self.max_items
            or self._span() >= self.max_seconds
        )

    def _span(self) -> float:
        if self._first_pts is None or self._last_end is None:
            return 0.0
        return max(0.0, self._last_end - self._first_pts)

    # -- consumer ---------------------------------------------------------
    def get(self, timeout: float) -> QueueItem[T] | None:
        with self._cond:
            if not self._clock.wait_for(self._cond, self._readable, timeout):
                return None
            if not self._items:
                return None
            return self._pop()

    def peek(self, timeout: float) -> QueueItem[T] | None:
        with self._cond:
            if not self._clock.wait_for(self._cond, self._readable, timeout):
                return None
            return self._items[0] if self._items else None

    def peek_second(self) -> QueueItem[T] | None:
        with self._lock:
            return self._items[1] if len(self._items) > 1 else None

    def pop_if(self, item: QueueItem[T]) -> bool:
        with self._cond:
            if self._items and self._items[0] is item:
                self._pop()
                return True
            return False

    def _pop(self) -> QueueItem[T]:
        item = self._items.popleft()
        self._bytes -= item.size
        if self._items:
            head = next((i.pts for i in self._items if i.pts is not None), None)
            self._first_pts = head
        else:
            self._first_pts = None
            self._last_end = None
        self._cond.notify_all()
        return item

    # -- both -------------------------------------------------------------
    def clear(self) -> None:
        with self._cond:
            self._items.clear()
            self._bytes = 0
            self._first_pts = None
            self._last_end = None
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    @property
    def end_pts(self) -> float | None:
        """End of the newest media in the queue (seconds)."""
        with self._lock:
            return self._last_end

    @property
    def head_pts(self) -> float | None:
        with self._lock:
            return self._first_pts

    @property
    def seconds(self) -> float:
        with self._lock:
            return self._span()

    @property
    def nbytes(self) -> int:
        with self._lock:
            return self._bytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    @property
    def has_eos(self) -> bool:
        with self._lock:
            return any(i.value is EOS for i in self._items)
