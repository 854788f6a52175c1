"""One metrics model per session, exported as the JSON report (keys and units
are documented in the README and kept stable for testers' scripts)."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock
from .stats import (
    AudioOutputStats,
    AvOffsetStats,
    Bitrates,
    ErrorRecord,
    FrameCounts,
    MetricsFigures,
    WarningRecord,
)

__all__ = [
    "REPORT_SCHEMA",
    "STALL_JOIN_S",
    "SessionMetrics",
    "StallTally",
    "percentile",
    "stall_rejoins",
]

REPORT_SCHEMA = "heureum.report/1"
#: less playing than this between two stalls makes them one (count and seconds)
STALL_JOIN_S = 0.25


def stall_rejoins(last_end: float | None, start: float) -> bool:
    """Whether a stall starting at ``start`` is the one that ended at
    ``last_end``: less than ``STALL_JOIN_S`` of playing between them. A
    starving low-latency stream restarts on its first frame and starves again
    a tick later: to a viewer that is one stall. The one rule for the report,
    the bitrate panel and a comparison's markers."""
    return last_end is not None and start - last_end < STALL_JOIN_S


@dataclass
class StallTally:
    """Stalls counted as the report's ``rebuffer_count`` counts them, from
    their starts and ends as a view sees them (``BufferingChanged`` with
    ``rebuffer``: progress repeats the start all through one stall). For a
    view that keeps fewer marks than the session had stalls, so its count
    still agrees with the report."""

    count: int = 0
    stalled: bool = False
    last_end: float | None = None

    def start(self, t: float) -> bool:
        """A stall is under way at ``t``: True when it is a new one, False
        when it was already (a progress repeat) or it rejoins the last."""
        if self.stalled:
            return False
        self.stalled = True
        if stall_rejoins(self.last_end, t):
            return False
        self.count += 1
        return True

    def end(self, t: float) -> bool:
        """Playback goes on at ``t``: True when a stall ended there."""
        if not self.stalled:
            return False
        self.stalled = False
        self.last_end = t
        return True

    def clear(self) -> None:
        self.count = 0
        self.stalled = False
        self.last_end = None


def percentile(sorted_values: list[float], p: float) -> float:
    """Linear-interpolated percentile of an ascending list (p in 0..100)."""
    if not sorted_values:
        return math.nan
    k = (len(sorted_values) - 1) * p / 100.0
    lo = math.floor(k)
    hi = math.ceil(k)
    if lo == hi:
        return sorted_values[int(k)]
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


@dataclass
class _Stall:
    start: float
    end: float | None = None


@dataclass
class SessionMetrics:
    clock: Clock
    url: str = ""
    protocol: str = ""
    container: str = ""
    opened_at: float = 0.0
    wall_started: str = ""
    first_frame_at: float | None = None
    first_audio_at: float | None = None
    playing_since: float | None = None
    played_seconds: float = 0.0
    frames_decoded: int = 0
    frames_presented: int = 0
    frames_dropped_late: int = 0
    frames_dropped_catchup: int = 0
    #: never decoded: skipped by the decoder to keep up (non-reference frames,
    #: packets on the way to a keyframe)
    frames_dropped_decoder: int = 0
    decode_errors: int = 0
    #: underruns while media played (gaps heard)
    audio_underruns: int = 0
    #: underruns while nothing was heard: the device starting, paused,
    #: buffering or past the end (``on_audio_underrun``)
    audio_underruns_idle: int = 0
    bytes_in: int = 0
    video_bytes: int = 0
    audio_bytes: int = 0
    #: a file's other audio tracks, demuxed for a gapless switch, never played
    unheard_bytes: int = 0
    media_seconds_in: float = 0.0
    reconnects: int = 0
    seeks: int = 0
    av_offsets: list[float] = field(default_factory=list)
    stalls: list[_Stall] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _first_in_pts: float | None = None
    _last_in_pts: float | None = None
    #: (width, height) of the last frame presented: what is on screen now
    shown_size: tuple[int, int] | None = None
    _last_underrun_entry: dict[str, Any] | None = None

    def start(self, url: str, at: float | None = None) -> None:
        """``at``: the clock time the user asked to open (``Player.open``),
        when work came before the session (stopping the last one, importing
        the engine: 0.1-0.15 s a first time, that a user waits too)."""
        self.url = url
        self.opened_at = self.clock.now() if at is None else at
        self.wall_started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    def t(self) -> float:
        return self.clock.now() - self.opened_at

    # -- recording (any thread) ------------------------------------------
    def on_packet(self, kind: str, size: int, pts: float | None, heard: bool = True) -> None:
        """``heard``: False for a file's audio track that is read along but
        not the one selected: its bytes came in, yet are not the media played."""
        with self._lock:
            self.bytes_in += size
            if not heard:
                self.unheard_bytes += size
                return
            if kind == "video":
                self.video_bytes += size
            else:
                self.audio_bytes += size
            if pts is not None:
                if self._first_in_pts is None or pts < self._first_in_pts:
                    self._first_in_pts = pts
                if self._last_in_pts is None or pts > self._last_in_pts:
                    self._last_in_pts = pts

    def on_frames_dropped(self, why: str, count: int = 1) -> None:
        """``why``: "late" (decoded or queued, too late to show), "decoder"
        (never decoded), "catchup" (skipped to reach the live edge)."""
        with self._lock:
            if why == "late":
                self.frames_dropped_late += count
            elif why == "decoder":
                self.frames_dropped_decoder += count
            else:
                self.frames_dropped_catchup += count

    def on_presented(self, av_offset: float | None, size: tuple[int, int] | None = None) -> None:
        with self._lock:
            self.frames_presented += 1
            if self.first_frame_at is None:
                self.first_frame_at = self.t()
            if av_offset is not None:
                self.av_offsets.append(av_offset)
            if size is not None and size != self.shown_size:
                # An adaptive stream changes picture size on screen when its
                # new rung reaches the play position, not when it is fetched.
                self.shown_size = size
                self.timeline.append(
                    {
                        "t": round(self.t(), 3),
                        "type": "video_size",
                        "width": size[0],
                        "height": size[1],
                    }
                )

    def on_audio_underrun(self, heard: bool = True) -> None:
        """The audio device ran dry (the callback came too late), whatever
        the buffer held. ``heard``: while media played, a gap a listener
        hears; else (a new PulseAudio stream's start-up storm, hundreds of
        them before it runs; paused; buffering; past the end) it is counted
        apart and left out of the timeline: read as glitches, a clean run
        showed 351."""
        with self._lock:
            if not heard:
                self.audio_underruns_idle += 1
                return
            self.audio_underruns += 1
            now = self.t()
            last = self._last_underrun_entry
            # Underruns come in bursts (hundreds on a starved machine): one
            # timeline entry a second at most, with the running count.
            if last is None or now - last["t"] >= 1.0:
                entry = {
                    "t": round(now, 3),
                    "type": "audio_underrun",
                    "count": self.audio_underruns,
                }
                self._last_underrun_entry = entry
                self.timeline.append(entry)
            else:
                last["count"] = self.audio_underruns

    def on_stall_start(self) -> None:
        with self._lock:
            now = self.t()
            last = self.stalls[-1] if self.stalls else None
            if last is not None and last.end is None:
                return
            if last is not None and stall_rejoins(last.end, now):
                # A starving low-latency stream restarts on its first frame and
                # starves again a tick later: to a viewer that is one stall.
                last.end = None
                for i in range(len(self.timeline) - 1, -1, -1):
                    if self.timeline[i]["type"] == "stall_end":
                        del self.timeline[i]
                        break
                return
            self.stalls.append(_Stall(now))
            self.timeline.append({"t": now, "type": "stall_start"})

    def on_stall_end(self) -> None:
        with self._lock:
            if self.stalls and self.stalls[-1].end is None:
                self.stalls[-1].end = self.t()
                self.timeline.append({"t": self.t(), "type": "stall_end"})

    def on_play_state(self, playing: bool) -> None:
        with self._lock:
            now = self.t()
            if playing and self.playing_since is None:
                self.playing_since = now
            elif not playing and self.playing_since is not None:
                self.played_seconds += now - self.playing_since
                self.playing_since = None

    def on_error(self, kind: str, message: str, fatal: bool, code: str = "internal") -> None:
        with self._lock:
            entry = {
                "t": round(self.t(), 3),
                "kind": kind,
                "code": str(code),
                "message": message,
                "fatal": fatal,
            }
            self.errors.append(entry)
            self.timeline.append({"type": "error", **entry})

    def on_warning(
        self,
        code: str,
        message: str,
        reason_code: str = "",
        reason_params: tuple[tuple[str, str], ...] = (),
    ) -> None:
        with self._lock:
            entry: dict[str, Any] = {"t": round(self.t(), 3), "code": code, "message": message}
            if reason_code:
                # A script reads the reason as a code, not as English words.
                entry["reason"] = {"code": reason_code, **dict(reason_params)}
            self.warnings.append(entry)
            self.timeline.append({"type": "warning", **entry})

    def on_event(self, kind: str, **fields: Any) -> None:
        with self._lock:
            self.timeline.append({"t": round(self.t(), 3), "type": kind, **fields})

    # -- export ------------------------------------------------------------
    def rebuffer(self) -> tuple[int, float]:
        """(count, seconds) of stalls after playback began: the first frame
        shown, or without a picture (audio only) the first sound."""
        now = self.t()
        first = self.first_frame_at if self.first_frame_at is not None else self.first_audio_at
        count = 0
        total = 0.0
        for s in self.stalls:
            if first is None or s.start < first:
                continue
            count += 1
            total += (s.end if s.end is not None else now) - s.start
        return count, total

    def snapshot(self) -> dict[str, Any]:
        """The counters as the report's entries (``figures().as_report()``)."""
        return self.figures().as_report()

    def figures(self) -> MetricsFigures:
        with self._lock:
            now = self.t()
            played = self.played_seconds + (
                now - self.playing_since if self.playing_since is not None else 0.0
            )
            offsets = sorted(self.av_offsets)
            played_bytes = self.video_bytes + self.audio_bytes
            media_span = (
                (self._last_in_pts - self._first_in_pts)
                if self._first_in_pts is not None and self._last_in_pts is not None
                else 0.0
            )
            rebuffer_count, rebuffer_time = self.rebuffer()
            wall = max(now, 1e-9)

            def per_media_second(count: int) -> float | None:
                return round(count * 8 / 1000 / media_span, 1) if media_span > 0 else None

            return MetricsFigures(
                schema=REPORT_SCHEMA,
                url=self.url,
                protocol=self.protocol,
                container=self.container,
                started_at=self.wall_started,
                session_seconds=round(now, 3),
                played_seconds=round(played, 3),
                time_to_first_frame_s=_r(self.first_frame_at),
                time_to_first_audio_s=_r(self.first_audio_at),
                rebuffer_count=rebuffer_count,
                rebuffer_seconds=round(rebuffer_time, 3),
                frames=FrameCounts(
                    decoded=self.frames_decoded,
                    presented=self.frames_presented,
                    dropped=self.frames_dropped_late
                    + self.frames_dropped_catchup
                    + self.frames_dropped_decoder,
                    dropped_late=self.frames_dropped_late,
                    dropped_catchup=self.frames_dropped_catchup,
                    dropped_decoder=self.frames_dropped_decoder,
                ),
                decode_errors=self.decode_errors,
                audio_underruns=self.audio_underruns,
                audio_underruns_idle=self.audio_underruns_idle,
                av_offset_ms=_offset_stats(offsets),
                bitrate_kbps=Bitrates(
                    input=round(self.bytes_in * 8 / 1000 / wall, 1),
                    media=per_media_second(played_bytes),
                    video=per_media_second(self.video_bytes),
                    audio=per_media_second(self.audio_bytes),
                ),
                bytes_in=self.bytes_in,
                reconnects=self.reconnects,
                seeks=self.seeks,
                errors=tuple(_error(e) for e in self.errors),
                warnings=tuple(_warning(w) for w in self.warnings),
                # copies: an underrun entry's count goes on changing in place
                timeline=tuple(dict(entry) for entry in self.timeline),
                audio=_audio_output(self.extra.get("audio")),
            )


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def _offset_stats(sorted_offsets: list[float]) -> AvOffsetStats:
    if not sorted_offsets:
        return AvOffsetStats()
    ms = [v * 1000 for v in sorted_offsets]
    abs_sorted = sorted(abs(v) for v in ms)
    return AvOffsetStats(
        count=len(ms),
        mean=round(sum(ms) / len(ms), 3),
        # Percentiles of |offset|: how far from perfect sync, either way.
        p50=round(percentile(abs_sorted, 50), 3),
        p95=round(percentile(abs_sorted, 95), 3),
        p99=round(percentile(abs_sorted, 99), 3),
        max=round(abs_sorted[-1], 3),
    )


# The recorders keep plain entries (the timeline shares their shape); these
# read them back as the typed records of the stats.
def _error(entry: dict[str, Any]) -> ErrorRecord:
    return ErrorRecord(
        t=entry["t"],
        kind=entry["kind"],
        code=entry["code"],
        message=entry["message"],
        fatal=entry["fatal"],
    )


def _warning(entry: dict[str, Any]) -> WarningRecord:
    reason = entry.get("reason")
    return WarningRecord(
        t=entry["t"],
        code=entry["code"],
        message=entry["message"],
        reason=None if reason is None else dict(reason),
    )


def _audio_output(entry: object) -> AudioOutputStats | None:
    if not isinstance(entry, dict):
        return None
    return AudioOutputStats(
        device=entry["device"],
        sample_rate=entry["sample_rate"],
        latency_s=entry["latency_s"],
        latency_source=entry["latency_source"],
    )
