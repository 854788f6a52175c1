"""The session's stats: the report's snapshot with what is playing now, and
the ABR timeline on the session's clock."""

from __future__ import annotations

from typing import Any

from .capabilities import DecodesVideo
from .latency import session_latency
from .session_clocks import SessionClocks
from .video_sink import UnpaintedCount

__all__ = ["abr_timeline", "session_stats"]


def session_stats(s: SessionClocks) -> dict[str, Any]:
    snap = s.metrics.snapshot()
    pos = s.reported_position()
    snap["state"] = s.state.value
    snap["position_s"] = None if pos is None else round(pos, 3)
    snap["buffer_s"] = round(s.buffered(), 3)
    snap["speed"] = s.speed
    sink: object = s.sink  # widened: mypy cannot meet two protocols
    if s.unpainted_from is not None and isinstance(sink, UnpaintedCount):
        snap["frames"]["not_painted"] = sink.not_painted - s.unpainted_from
    snap["av_offset_last_ms"] = (
        round(s.metrics.av_offsets[-1] * 1000, 2) if s.metrics.av_offsets else None
    )
    if s.media is not None:
        snap["media"] = {
            "title": s.media.title,
            "duration_s": s.media.duration,
            "is_live": s.media.is_live,
            "video": None if s.media.video is None else s.metrics.shown_video(vars(s.media.video)),
            "audio": None if s.media.audio is None else vars(s.media.audio),
        }
    if (adaptive := s.adaptive()) is not None:
        status = adaptive.abr_status()
        snap["abr"] = status.as_dict()
        ladder = adaptive.variants()
        playing = status.playing_index
        if playing is not None and 0 <= playing < len(ladder):
            rung = ladder[playing]
            # the rung whose media is at the play position (what is seen)
            snap["variant"] = {
                "index": playing,
                "width": rung.width,
                "height": rung.height,
                "bandwidth": rung.bandwidth,
            }
    src = s.source
    if src is not None and isinstance(src, DecodesVideo):
        decoder = src.video_decoder()
        if decoder is not None:
            snap["video_decoder"] = decoder
    if s.media is not None and s.media.is_live:
        live = s.live()
        latency = live.live_latency() if live is not None else None
        snap["live_latency_s"] = round(latency if latency is not None else s.buffered(), 3)
    snap["latency"] = session_latency(s)
    return snap


def abr_timeline(s: SessionClocks) -> list[dict[str, object]]:
    adaptive = s.adaptive()
    if adaptive is None:
        return []
    # The source counts from its own start, a moment after the session's:
    # on the session's clock its samples line up with the events' times.
    offset = adaptive.started_at - s.metrics.opened_at
    out = []
    for entry in adaptive.timeline():
        row = entry.as_dict()
        row["t"] = round(entry.t + offset, 3)
        out.append(row)
    return out
