"""Pure buffering and live-latency policy over plain numbers (as Media3's
LoadControl): when to start, when a stall begins and ends, how to catch up."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .config import BufferConfig, LatencyConfig

__all__ = ["CatchUpAction", "LoadControl", "catch_up"]


@dataclass(frozen=True)
class LoadControl:
    buffer: BufferConfig
    latency: LatencyConfig
    live: bool

    def start_threshold(self, rebuffer: bool) -> float:
        if self.live and self.latency.low_latency:
            return 0.0
        if rebuffer:
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
