"""Live latency with one meaning per figure, whatever the protocol.

Two figures, never mixed up:

- ``end_to_end_s``: the local wall clock now minus the wall-clock time at
  which the frame on screen was captured, as the stream itself states it
  (HLS EXT-X-PROGRAM-DATE-TIME, RTSP RTCP sender reports). Needs the source's
  clock and ours to agree (NTP); None, with a reason, when the stream carries
  no wall clock.
- ``to_live_edge_s``: how far the frame on screen is behind the newest media
  the player knows of (HLS: the end of the live playlist; RTSP, RTMP and
  HTTP-FLV: the newest packet received). No wall clock involved.
"""

from __future__ import annotations

import struct
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .stats import LatencyStats

__all__ = [
    "SOURCE_PDT",
    "SOURCE_RTCP",
    "PacketWallClock",
    "headline",
    "latency_figures",
    "prft_wallclock",
]

SOURCE_PDT = "program-date-time"
SOURCE_RTCP = "rtcp-sender-report"

NOT_LIVE = "not a live stream"
NOT_OPEN = "the stream is not open yet"
NOTHING_SHOWN = "nothing shown yet"

#: why a protocol family has no end-to-end figure of its own
_NO_WALL_CLOCK = {
    "rtmp": "RTMP carries no wall clock",
    "http": "progressive HTTP carries no wall clock",
    "file": "a file carries no wall clock",
}


def prft_wallclock(data: bytes) -> float | None:
    """The wall clock (Unix seconds) of libavformat's producer reference time
    side data (``AVProducerReferenceTime``: int64 µs, then flags)."""
    if len(data) < 8:
        return None
    (micros,) = struct.unpack_from("<q", data, 0)
    return micros / 1_000_000 if micros > 0 else None


@dataclass(frozen=True)
class _Anchor:
    pts: float
    wall: float


class PacketWallClock:
    """What the demux thread learns from packets: the newest presentation time
    received, and the latest (pts, capture wall clock) pair a packet stated
    (RTCP sender reports, through libavformat's PRFT side data). Any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._newest: float | None = None
        self._anchor: _Anchor | None = None

    def on_packet(self, pts: float | None, wallclock: float | None) -> None:
        if pts is None:
            return
        with self._lock:
            if self._newest is None or pts > self._newest:
                self._newest = pts
            if wallclock is not None:
                self._anchor = _Anchor(pts, wallclock)

    def reset(self) -> None:
        """A timeline break (seek): the newest packet is no longer ahead."""
        with self._lock:
            self._newest = None

    @property
    def newest_pts(self) -> float | None:
        return self._newest

    def wall_at(self, pts: float) -> float | None:
        """The capture wall clock of timeline time ``pts`` (None before the
        first sender report)."""
        anchor = self._anchor
        if anchor is None:
            return None
        return anchor.wall + (pts - anchor.pts)


def latency_figures(
    *,
    live: bool | None,
    family: str,
    shown_pts: float | None,
    wall_now: float,
    pdt_at_shown: datetime | None = None,
    playlist_edge_s: float | None = None,
    clock: PacketWallClock | None = None,
) -> LatencyStats:
    """The stats' ``latency`` from what the session knows right now.

    ``live``: None while the stream is not open; ``family``: the URL family
    (hls, rtsp, rtmp, http, file);
    ``pdt_at_shown``: HLS, the program date of the frame on screen;
    ``playlist_edge_s``: HLS, the end of the live playlist minus the position.
    """
    if not live:
        reason = NOT_OPEN if live is None else NOT_LIVE
        return LatencyStats(end_to_end_reason=reason, to_live_edge_reason=reason)
    if shown_pts is None:
        return LatencyStats(end_to_end_reason=NOTHING_SHOWN, to_live_edge_reason=NOTHING_SHOWN)
    e2e: float | None = None
    source: str | None = None
    e2e_reason: str | None = None
    edge: float | None = None
    edge_reason: str | None = None
    if family == "hls":
        if pdt_at_shown is not None:
            e2e, source = round(wall_now - pdt_at_shown.timestamp(), 3), SOURCE_PDT
        else:
            e2e_reason = "the playlist has no EXT-X-PROGRAM-DATE-TIME"
        if playlist_edge_s is not None:
            edge = round(max(0.0, playlist_edge_s), 3)
        else:
            edge_reason = "no live playlist loaded yet"
        return LatencyStats(e2e, source, e2e_reason, edge, edge_reason)
    wall = clock.wall_at(shown_pts) if clock is not None else None
    if family == "rtsp":
        if wall is not None:
            e2e, source = round(wall_now - wall, 3), SOURCE_RTCP
        else:
            e2e_reason = "no RTCP sender report received"
    else:
        e2e_reason = _NO_WALL_CLOCK.get(family, "the stream carries no wall clock")
    newest = clock.newest_pts if clock is not None else None
    if newest is not None:
        edge = round(max(0.0, newest - shown_pts), 3)
    else:
        edge_reason = "no packet received yet"
    return LatencyStats(e2e, source, e2e_reason, edge, edge_reason)


def session_latency(session: Any, wall: Callable[[], float] = time.time) -> LatencyStats:
    """``latency_figures`` for an engine ``Session`` (duck-typed, so this
    module stays free of the engine)."""
    media = session.media
    target = session.target
    live = None if media is None else bool(media.is_live)
    family = target.family if target is not None else ""
    shown = session.last_shown_pts
    if shown is None and (session.info is None or session.info.video is None):
        shown = session.position()  # audio only: the sample being heard
    pdt: datetime | None = None
    edge: float | None = None
    source = session.live()  # the typed Live capability, or None
    if live and family == "hls" and shown is not None and source is not None:
        pdt = source.program_date_time(shown)
        edge = source.edge_latency()
    return latency_figures(
        live=live,
        family=family,
        shown_pts=shown,
        wall_now=wall(),
        pdt_at_shown=pdt,
        playlist_edge_s=edge,
        clock=session.wallclock,
    )


def headline(latency: Mapping[str, Any] | None) -> tuple[float | None, str]:
    """``LatencyStats.headline`` of a report's ``latency`` entry (read back
    from JSON, or a comparison's row)."""
    if not latency:
        return None, "-"

    def number(key: str) -> float | None:
        value = latency.get(key)
        return float(value) if isinstance(value, int | float) else None

    return LatencyStats(
        end_to_end_s=number("end_to_end_s"), to_live_edge_s=number("to_live_edge_s")
    ).headline()
