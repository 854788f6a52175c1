"""Pure A/V sync decisions: given a frame's time and the master clock, show it,
wait for it, or drop it. No threads, no clocks read here."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["FrameDecision", "SyncAction", "decide_frame"]


class SyncAction(enum.Enum):
    WAIT = "wait"
    SHOW = "show"
    DROP = "drop"
    RESYNC = "resync"  # the timestamps jumped: re-anchor the clock instead


@dataclass(frozen=True)
class FrameDecision:
    action: SyncAction
    #: seconds of real time to wait (WAIT only)
    wait: float = 0.0


def decide_frame(
    frame_pts: float,
    master: float,
    *,
    speed: float,
    late_threshold: float,
    resync_threshold: float,
    next_pts: float | None,
    since_last_shown: float,
    max_freeze: float = 0.5,
) -> FrameDecision:
    """What to do with the frame at the head of the queue.

    ``master`` is the master clock's media position now. A frame is late when
    the clock has passed it by more than ``late_threshold``; it is dropped only
    when a later frame is already waiting (so a slow machine still shows some
    pictures) and the screen has not been frozen for ``max_freeze`` seconds.
    """
    ahead = frame_pts - master
    if abs(ahead) > resync_threshold:
        return FrameDecision(SyncAction.RESYNC)
    if ahead > 0:
        return FrameDecision(SyncAction.WAIT, wait=ahead / max(speed, 1e-6))
    late = -ahead
    if late > late_threshold and next_pts is not None and since_last_shown < max_freeze:
        return FrameDecision(SyncAction.DROP)
    return FrameDecision(SyncAction.SHOW)
