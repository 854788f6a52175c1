"""What every ABR policy sees and answers. Plain data, no clocks, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["AbrContext", "AbrPolicy", "Decision", "InFlight", "abandon_check", "highest_below"]


@dataclass(frozen=True)
class AbrContext:
    #: rung bitrates in bit/s, ascending; a decision is an index into this
    bitrates: tuple[float, ...]
    #: the rung of the last segment fetched (None before the first)
    current: int | None
    #: seconds of media fetched ahead of the play position *now*: during a
    #: download (``abandon``) that is the live level, which has already shrunk
    #: by the time the download has taken, so rules never subtract it again
    buffer: float
    #: duration of the next segment (seconds)
    segment_duration: float
    estimate_bps: float
    #: time to first byte (seconds), from the meter
    ttfb: float = 0.0
    #: highest allowed rung (view-size cap, failed variants): None = top
    max_index: int | None = None
    #: the buffer the loader aims for (seconds)
    buffer_target: float = 30.0
    #: number of bandwidth samples behind ``estimate_bps``
    samples: int = 0
    #: clock time (seconds), for policies that need intervals
    now: float = 0.0
    live: bool = False
    #: a slower, smoother estimate (the slow EWMA) for buffer-rich decisions
    mean_bps: float | None = None
    #: throughput of the last few downloads (bit/s), oldest first
    recent_bps: tuple[float, ...] = ()
    #: False while ``estimate_bps`` is the meter's default, not a measurement
    measured: bool = True
    #: VOD: seconds of media left to fetch after this segment (None: live or unknown)
    remaining: float | None = None
    #: the last segments' size over their rung's nominal size (1.0: as nominal)
    size_ratio: float = 1.0
    #: each of the last few segments' size over its rung's nominal size, oldest first
    size_ratios: tuple[float, ...] = ()

    @property
    def top(self) -> int:
        top = len(self.bitrates) - 1
        return top if self.max_index is None else max(0, min(top, self.max_index))


@dataclass(frozen=True)
class InFlight:
    """A segment download in progress, for abandonment checks."""

    index: int
    bytes_done: int
    bytes_total: int
    elapsed: float
    #: bit/s over the last ``AbrDriver.recent_window`` s or more of this
    #: transfer's time bytes could flow (an outage's dead time left out;
    #: None until that long has been watched)
    recent_bps: float | None = None


@dataclass(frozen=True)
class Decision:
    index: int
    rule: str
    reason: str


class AbrPolicy(Protocol):
    name: str

    def choose(self, ctx: AbrContext) -> Decision: ...

    def abandon(self, ctx: AbrContext, flight: InFlight) -> Decision | None:
        """A lower rung to switch to now, abandoning ``flight``, or None."""
        ...


def highest_below(bitrates: tuple[float, ...], limit_bps: float, top: int) -> int:
    """The highest rung <= ``top`` whose bitrate is at most ``limit_bps`` (0 if none)."""
    best = 0
    for i in range(top + 1):
        if bitrates[i] <= limit_bps:
            best = i
    return best


def abandon_check(
    ctx: AbrContext, flight: InFlight, *, min_elapsed: float = 0.5, recent: bool = False
) -> Decision | None:
    """Shared emergency rule (hls.js ``_abandonRulesCheck`` in spirit): if the rest
    of this download will arrive after the buffer runs dry, and a lower rung
    fetched from scratch would not, switch down now.

    ``recent``: the lower rung is chosen at the slower of that rate and the
    rate of the transfer's last second (``InFlight.recent_bps``). The average
    since the first byte still carries the good start of a transfer that a
    tunnel or a deep fade has since slowed to a trickle, and a rung chosen at
    it is itself caught by the fade. Whether to abandon stays with the
    average: a one-second handover dip is no reason to."""
    if flight.index == 0 or flight.elapsed < min_elapsed or flight.bytes_total <= 0:
        return None
    remaining = flight.bytes_total - flight.bytes_done
    if remaining <= 0:
        return None
    # the rate this very download is getting, since the meter may be stale
    rate = flight.bytes_done * 8 / max(flight.elapsed - ctx.ttfb, 1e-3)
    rate = min(rate, ctx.estimate_bps) if flight.bytes_done else rate
    if rate <= 0:
        rate = 1.0
    time_left = remaining * 8 / rate
    # ctx.buffer is the level now: the elapsed time is already out of it
    runway = ctx.buffer
    if time_left <= max(runway, 0.0) or time_left < 0.5:
        return None
    bits_per_second_of_media = flight.bytes_total * 8 / max(ctx.bitrates[flight.index], 1.0)
    if recent and flight.recent_bps is not None and flight.recent_bps < rate:
        # the rest of this transfer at that rate too, so the two compare alike
        rate = max(flight.recent_bps, 1.0)
        time_left = remaining * 8 / rate
    for i in range(flight.index - 1, -1, -1):
        fetch = ctx.ttfb + ctx.bitrates[i] * bits_per_second_of_media / rate
        if fetch < time_left and (fetch <= max(runway, 0.0) or i == 0):
            return Decision(
                i,
                "abandon",
                f"rest of segment needs {time_left:.1f}s at {rate / 1e6:.2f} Mb/s, "
                f"buffer {max(runway, 0):.1f}s",
            )
    return None
