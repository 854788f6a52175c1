"""One continuous timeline from segment timestamps: discontinuities re-based,
the 33-bit MPEG-TS clock unwrapped, EXT-X-PROGRAM-DATE-TIME mapped.

Pure: the source feeds raw timestamps (seconds) per segment, gets timeline
seconds back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = ["ROLLOVER_SECONDS", "DateMap", "Rebaser", "Unwrapper"]

#: 2^33 ticks of the 90 kHz MPEG-TS clock: about 26.5 hours
ROLLOVER_SECONDS = (1 << 33) / 90_000


class Unwrapper:
    """Makes 33-bit MPEG-TS timestamps monotonic across the rollover."""

    def __init__(self, period: float = ROLLOVER_SECONDS) -> None:
        self.period = period
        self._wraps = 0
        self._last: float | None = None

    def unwrap(self, t: float) -> float:
        if self._last is not None:
            if t < self._last - self.period / 2:
                self._wraps += 1
            elif t > self._last + self.period / 2 and self._wraps > 0:
                self._wraps -= 1  # a late packet from before the wrap
        self._last = t
        return t + self._wraps * self.period

    def peek(self, t: float) -> float:
        """``unwrap(t)`` without remembering ``t`` (for timestamps from another
        source on the same clock, such as a WebVTT X-TIMESTAMP-MAP)."""
        wraps = self._wraps
        if self._last is not None:
            if t < self._last - self.period / 2:
                wraps += 1
            elif t > self._last + self.period / 2 and wraps > 0:
                wraps -= 1
        return t + wraps * self.period

    def reset(self) -> None:
        self._wraps = 0
        self._last = None


@dataclass
class Rebaser:
    """Maps raw media seconds to the timeline, one offset per discontinuity
    domain. A segment whose timestamps land more than ``tolerance`` from where
    the playlist says it starts is re-based too (a broken splice without
    the tag), and reported as a discontinuity."""

    tolerance: float = 3.0
    offset: float | None = None
    domain: int | None = None
    unwrapper: Unwrapper = field(default_factory=Unwrapper)
    #: the offset each discontinuity domain was mapped with (latest per domain)
    offsets: dict[int, float] = field(default_factory=dict)

    def begin_segment(
        self, domain: int, playlist_start: float, first_raw: float | None, mpegts: bool
    ) -> bool:
        """Call before a segment's packets; returns True if the timeline breaks here."""
        if first_raw is None:
            return False
        raw = self.unwrapper.unwrap(first_raw) if mpegts else first_raw
        if self.offset is None or domain != self.domain:
            self.unwrapper.reset()
            raw = self.unwrapper.unwrap(first_raw) if mpegts else first_raw
            brk = self.offset is not None
            self.offset = playlist_start - raw
            self.domain = domain
            self._remember()
            return brk
        if abs(raw + self.offset - playlist_start) > self.tolerance:
            self.offset = playlist_start - raw
            self._remember()
            return True
        return False

    def break_next(self) -> None:
        """Re-base at the next segment whatever its timestamps: the media
        jumps (a live rejoin) while the timeline goes on, and a jump smaller
        than ``tolerance`` would otherwise leave a hole in the timeline."""
        self.domain = None

    def _remember(self) -> None:
        if self.domain is not None and self.offset is not None:
            self.offsets[self.domain] = self.offset
            while len(self.offsets) > 64:
                del self.offsets[next(iter(self.offsets))]

    def map_in_domain(self, raw: float, domain: int, mpegts: bool) -> float | None:
        """Map a timestamp of discontinuity domain ``domain`` without changing
        any state; None if no media of that domain has been seen."""
        offset = self.offsets.get(domain)
        if offset is None:
            return None
        if mpegts:
            raw = self.unwrapper.peek(raw)
        return raw + offset

    def map(self, raw: float, mpegts: bool) -> float:
        if mpegts:
            raw = self.unwrapper.unwrap(raw)
        return raw + (self.offset or 0.0)

    def reset(self) -> None:
        self.offset = None
        self.domain = None
        self.offsets.clear()
        self.unwrapper.reset()


@dataclass
class DateMap:
    """EXT-X-PROGRAM-DATE-TIME ↔ timeline seconds, from the latest anchor."""

    anchor_date: datetime | None = None
    anchor_time: float = 0.0

    def add(self, date: datetime | None, timeline_time: float) -> None:
        if date is not None:
            self.anchor_date = date
            self.anchor_time = timeline_time

    def date_at(self, timeline_time: float) -> datetime | None:
        if self.anchor_date is None:
            return None
        return self.anchor_date + timedelta(seconds=timeline_time - self.anchor_time)

    def time_at(self, date: datetime) -> float | None:
        if self.anchor_date is None:
            return None
        return self.anchor_time + (date - self.anchor_date).total_seconds()
