"""Injected time. Nothing in the engine's logic reads the system time directly."""

from __future__ import annotations

import threading
import time
from typing import Protocol

__all__ = ["Clock", "ManualClock", "PlaybackClock", "SystemClock"]


class Clock(Protocol):
    def now(self) -> float:
        """Monotonic seconds."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock tests move by hand."""

    def __init__(self, start: float = 0.0) -> None:
        self._t = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._t

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time does not go backwards")
        with self._lock:
            self._t += seconds


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
