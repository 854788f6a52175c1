"""Low-latency live over RTSP and RTMP: the first picture after an open or a
reconnect is the newest one received, not the oldest.

A server may hold frames back until PLAY and send them in one burst
(GStreamer's RTSP server: about 0.3 s). Played from its keyframe, that burst
keeps the picture that much late for good; thrown away with its keyframe
(libavformat's ``nobuffer``), the picture waits a whole GOP. So the whole
burst is decoded and only its newest frame shown: the keyframe's decode is
kept, the burst's delay is not. No frame is kept in hand for jitter: on the
glass-to-glass bench one frame kept (newest less one) cost 30-50 ms of
latency for good (111-137 ms against 81-87 ms) and the newest dropped no
frame late and stalled no more; a frame that comes late is shown late, the
clock does not wait for it, so jitter costs no lasting latency."""

from __future__ import annotations

from .config import LatencyConfig
from .source_api import SourceInfo

__all__ = ["PACED_LIVE", "QUIET_REFILL_S", "edge_target", "frame_period", "wants_edge_jump"]

#: live protocols whose packets come at the pace they are made, and which
#: publish no target latency of their own (HLS does: HOLD-BACK)
PACED_LIVE = frozenset({"rtsp", "rtsps", "rtmp", "rtmps"})

#: after a jump to the edge the buffers are nearly empty by design: a
#: starved output within this long is their refill, not a stall
QUIET_REFILL_S = 1.0

_DEFAULT_PERIOD = 0.04


def wants_edge_jump(latency: LatencyConfig, info: SourceInfo | None) -> bool:
    """Whether an open or reconnect of this source starts at its newest frame."""
    return (
        latency.low_latency
        and info is not None
        and info.media.is_live
        and info.video is not None
        and info.media.protocol in PACED_LIVE
    )


def frame_period(info: SourceInfo | None) -> float:
    """One frame's duration, from the stream's frame rate where it says one
    (the RTSP probe stops before libavformat guesses it: 25 fps then)."""
    video = info.media.video if info is not None else None
    fps = video.fps if video is not None else None
    if fps is None or not 1.0 <= fps <= 240.0:
        return _DEFAULT_PERIOD
    return 1.0 / fps


def edge_target(newest_pts: float | None, period: float) -> float | None:
    """Where the picture starts: at the newest video packet received (None
    before any). A frame from less than half a frame before it counts as
    there (timestamps are rounded to their time base, and decoded frames may
    be stamped a little apart from their packets)."""
    if newest_pts is None:
        return None
    return newest_pts - period / 2
