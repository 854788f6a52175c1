"""The session's stats: the report's snapshot with what is playing now, and
the ABR timeline on the session's clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .capabilities import DecodesVideo, TimelineEntry
from .latency import session_latency
from .session_clocks import SessionClocks
from .stats import AbrStatus, MediaStats, SessionStats, VariantStats
from .stream_info import VideoInfo
from .video_sink import UnpaintedCount

__all__ = ["abr_timeline", "session_stats"]


def session_stats(s: SessionClocks, wall: Callable[[], float] = time.time) -> SessionStats:
    """``wall``: the local wall clock, for the end-to-end latency."""
    figures = s.metrics.figures()
    frames = figures.frames
    sink: object = s.sink  # widened: mypy cannot meet two protocols
    if s.unpainted_from is not None and isinstance(sink, UnpaintedCount):
        frames = replace(frames, not_painted=sink.not_painted - s.unpainted_from)
    pos = s.reported_position()
    offsets = s.metrics.av_offsets
    media: MediaStats | None = None
    if s.media is not None:
        media = MediaStats(
            title=s.media.title,
            duration_s=s.media.duration,
            is_live=s.media.is_live,
            video=None if s.media.video is None else _video(s.media.video, s.metrics.shown_size),
            audio=s.media.audio,
        )
    abr: AbrStatus | None = None
    variant: VariantStats | None = None
    if (adaptive := s.adaptive()) is not None:
        abr = adaptive.abr_status()
        ladder = adaptive.variants()
        playing = abr.playing_index
        if playing is not None and 0 <= playing < len(ladder):
            rung = ladder[playing]
            variant = VariantStats(
                index=playing, width=rung.width, height=rung.height, bandwidth=rung.bandwidth
            )
    decoder: str | None = None
    src = s.source
    if src is not None and isinstance(src, DecodesVideo):
        decoder = src.video_decoder()
    live_latency: float | None = None
    if s.media is not None and s.media.is_live:
        live = s.live()
        latency = live.live_latency() if live is not None else None
        if latency is None:
            latency = s.behind_edge()
        live_latency = None if latency is None else round(latency, 3)
    counters: dict[str, Any] = {**vars(figures), "frames": frames}
    return SessionStats(
        **counters,
        opened=True,
        state=s.state.value,
        position_s=None if pos is None else round(pos, 3),
        buffer_s=round(s.buffered(), 3),
        speed=s.speed,
        av_offset_last_ms=round(offsets[-1] * 1000, 2) if offsets else None,
        media=media,
        abr=abr,
        variant=variant,
        video_decoder=decoder,
        live_latency_s=live_latency,
        latency=session_latency(s, wall),
    )


def _video(opened: VideoInfo, shown: tuple[int, int] | None) -> VideoInfo:
    """The video as opened, with the size of the frames on screen (an
    adaptive stream's changes with its rung)."""
    if shown is None:
        return opened
    return replace(opened, width=shown[0], height=shown[1])


def abr_timeline(s: SessionClocks) -> list[TimelineEntry]:
    """The adaptive source's timeline with ``t`` on the session's clock."""
    adaptive = s.adaptive()
    if adaptive is None:
        return []
    # The source counts from its own start, a moment after the session's:
    # on the session's clock its samples line up with the events' times.
    offset = adaptive.started_at - s.metrics.opened_at
    return [replace(entry, t=entry.t + offset) for entry in adaptive.timeline()]
