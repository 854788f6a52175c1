"""Pure buffering and live-latency policy over plain numbers (as Media3's
LoadControl): when to start, when a stall begins and ends, how to catch up."""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass, field

from .config import BufferConfig, LatencyConfig

__all__ = ["CatchUpAction", "LoadControl", "LowWater", "catch_up", "recover_latency"]


@dataclass(frozen=True)
class LoadControl:
    buffer: BufferConfig
    latency: LatencyConfig
    live: bool
    #: live latency is won back after a stall (``recover_latency``): waiting
    #: for more than the usual start buffer would only be thrown away
    recovers: bool = False

    def start_threshold(self, rebuffer: bool) -> float:
        if self.live and self.latency.low_latency:
            return 0.0
        if rebuffer and not (self.live and self.recovers):
            return self.buffer.rebuffer_seconds
        return self.buffer.live_start_seconds if self.live else self.buffer.start_seconds

    def should_start(self, buffered: float, *, rebuffer: bool, eos: bool, have_frame: bool) -> bool:
        """Enough media queued to (re)start playing."""
        if eos:
            return True
        return have_frame and buffered >= self.start_threshold(rebuffer)

    def percent(self, buffered: float, *, rebuffer: bool) -> float:
        threshold = self.start_threshold(rebuffer)
        if threshold <= 0:
            return 100.0
        return max(0.0, min(100.0, 100.0 * buffered / threshold))


class CatchUpAction(enum.Enum):
    NONE = "none"
    SPEED_UP = "speed_up"
    NORMAL_SPEED = "normal_speed"
    JUMP = "jump"


def catch_up(buffered: float, current_speed: float, config: LatencyConfig) -> CatchUpAction:
    """Low-latency live: keep ``buffered`` (our share of the latency) near the
    target by a gentle speed-up, or by jumping when far behind."""
    excess = buffered - config.target_latency
    if excess > config.drop_threshold or (
        config.catch_up == "drop" and excess > config.catch_up_threshold
    ):
        return CatchUpAction.JUMP
    if config.catch_up == "speed":
        if current_speed <= 1.0 and excess > config.catch_up_threshold:
            return CatchUpAction.SPEED_UP
        if current_speed > 1.0 and excess <= config.catch_up_threshold / 4:
            return CatchUpAction.NORMAL_SPEED
    return CatchUpAction.NONE


@dataclass
class _SlidingExtreme:
    """The least (``highest=False``) or highest value added over the last
    ``span`` seconds, at a constant cost a sample: a value that a later one
    outdoes can never be the answer again, so it is dropped at once."""

    span: float
    highest: bool
    _samples: deque[tuple[float, float]] = field(default_factory=deque)

    def add(self, now: float, value: float) -> float:
        """Adds ``value``; returns the extreme with it counted."""
        samples = self._samples
        if self.highest:
            while samples and samples[-1][1] <= value:
                samples.pop()
        else:
            while samples and samples[-1][1] >= value:
                samples.pop()
        samples.append((now, value))
        self._expire(now)
        return samples[0][1]

    def extreme(self, now: float) -> float | None:
        self._expire(now)
        return self._samples[0][1] if self._samples else None

    def _expire(self, now: float) -> None:
        samples = self._samples
        while samples and samples[0][0] < now - self.span:
            samples.popleft()

    def clear(self) -> None:
        self._samples.clear()


class LowWater:
    """The least buffer seen over the last ``window`` seconds: what could be
    played away without running dry. A live stream's packets come in bursts
    (a keyframe, TCP), so the buffer's peaks are no measure of the slack."""

    def __init__(self, window: float = 1.0) -> None:
        self.window = window
        self._least = _SlidingExtreme(window, highest=False)
        self._since: float | None = None

    def add(self, now: float, buffered: float) -> float:
        if self._since is None:
            self._since = now
        return self._least.add(now, buffered)

    def settled(self, now: float) -> bool:
        """Whether the samples span a whole window yet."""
        return self._since is not None and now - self._since >= self.window

    def clear(self) -> None:
        self._least.clear()
        self._since = None


#: a backlog over the start buffer won back from this (``recover_latency``)
RECOVER_FROM = 0.08
#: ... and played at normal speed again within this of the target
RECOVER_SETTLE = 0.04


def recover_latency(
    excess: float,
    current_speed: float,
    *,
    fast: float = 1.1,
    start: float = RECOVER_FROM,
    settle: float = RECOVER_SETTLE,
    jump: float = 0.5,
) -> CatchUpAction:
    """Live at its usual buffer (RTSP, RTMP in the default mode): ``excess``
    seconds buffered beyond it, after a stall, are won back within 5 s. Up to
    ``jump`` by playing ``fast`` (audio through atempo, pitch kept: 10 % wins
    0.5 s in 5 s), beyond it by jumping to the target at once, as LL-HLS
    does; normal speed again within ``settle`` of the target. ``start`` is
    under the 100 ms the latency must come back within (a backlog just short
    of it was kept for good); the excess is the least buffered over a
    window, so a burst of packets is not a backlog."""
    if excess > jump:
        return CatchUpAction.JUMP
    if current_speed < fast and excess > start:
        return CatchUpAction.SPEED_UP
    if current_speed >= fast and excess <= settle:
        return CatchUpAction.NORMAL_SPEED
    return CatchUpAction.NONE


class LevelBefore:
    """Where a live buffer sat before a stall: the highest of its low waters
    over the last ``span`` seconds. The low water alone is no measure when
    the stall begins: the buffer drained to nothing first (0.5 s of it at
    the default start buffer), and a win-back to that ran dry again."""

    def __init__(self, span: float = 3.0) -> None:
        self._highest = _SlidingExtreme(span, highest=True)

    def add(self, now: float, least: float) -> None:
        self._highest.add(now, least)

    def level(self, now: float) -> float | None:
        return self._highest.extreme(now)

    def clear(self) -> None:
        self._highest.clear()


def live_rate(
    latency: float,
    target: float,
    *,
    min_rate: float = 0.97,
    max_rate: float = 1.03,
    deadband: float = 0.05,
    gain: float = 0.05,
) -> float:
    """Playback rate that steers the live latency toward ``target`` (LL-HLS): a
    proportional controller with a dead band, clamped to a change people do not
    hear (±3 %, hls.js's maxLiveSyncPlaybackRate style)."""
    error = latency - target
    if abs(error) <= deadband:
        return 1.0
    return max(min_rate, min(max_rate, 1.0 + gain * error))
