"""What ``Player.stats()`` returns: one frozen tree of typed figures.

Readers (the window, the overlay, the probes' exporters) read fields; None
stands where a stream cannot give a figure. ``SessionStats.as_report()`` is
the JSON report (``heureum.report/1``): its keys, order and units are
documented in the README and kept stable for testers' scripts, so the tree
mirrors it and this module is the one place that spells its keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from types import UnionType
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from .stream_info import AudioInfo, VideoInfo

__all__ = [
    "AbrStatus",
    "AudioOutputStats",
    "AvOffsetStats",
    "Bitrates",
    "ErrorRecord",
    "FrameCounts",
    "LatencyStats",
    "MediaStats",
    "MetricsFigures",
    "SessionStats",
    "VariantStats",
    "WarningRecord",
    "from_report",
]

_D = TypeVar("_D")


@dataclass(frozen=True)
class AbrStatus:
    """An adaptive source's state at one moment."""

    #: the rung being fetched (the ABR's latest choice)
    variant_index: int | None
    #: the rung of the media at the playback position
    playing_index: int | None
    #: the fetched rung's declared bandwidth (bit/s)
    variant_bandwidth: int | None
    estimate_bps: float
    #: seconds fetched ahead of the playback position
    buffer_s: float
    #: rungs on the ladder
    variants: int
    #: VOD segments skipped as gaps because they failed on every copy
    segment_gaps: int = 0
    #: segments reported arriving slower than they play
    slow_segments: int = 0
    #: False while ``estimate_bps`` is the meter's default, not a measurement
    estimate_measured: bool = True
    #: the ABR policy choosing the rungs ("hybrid", "mpc"; None: not known,
    #: as in a report written before it was recorded)
    policy: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The stats' and the report's ``"abr"`` entry (rounded for people)."""
        out = asdict(self)
        out["estimate_bps"] = round(self.estimate_bps)
        out["buffer_s"] = round(self.buffer_s, 3)
        return out

    @classmethod
    def from_stats(cls, stats: Mapping[str, object]) -> AbrStatus | None:
        """Back from a report (its ``"abr"`` entry, read from JSON):
        None when it has no adaptive entry. Missing fields read as unknown."""
        abr = stats.get("abr")
        if not isinstance(abr, Mapping):
            return None

        def index(key: str) -> int | None:
            value = abr.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        def number(key: str) -> float:
            value = abr.get(key)
            return float(value) if isinstance(value, int | float) else 0.0

        variant = index("variant_index")
        playing = index("playing_index")
        policy = abr.get("policy")
        return cls(
            variant_index=variant,
            playing_index=playing if "playing_index" in abr else variant,
            variant_bandwidth=index("variant_bandwidth"),
            estimate_bps=number("estimate_bps"),
            buffer_s=number("buffer_s"),
            variants=index("variants") or 0,
            segment_gaps=index("segment_gaps") or 0,
            slow_segments=index("slow_segments") or 0,
            estimate_measured=abr.get("estimate_measured") is not False,
            policy=policy if isinstance(policy, str) else None,
        )


@dataclass(frozen=True)
class FrameCounts:
    decoded: int = 0
    presented: int = 0
    #: late + catch-up + decoder
    dropped: int = 0
    dropped_late: int = 0
    dropped_catchup: int = 0
    dropped_decoder: int = 0
    #: frames presented that the window never painted (None: no window counts)
    not_painted: int | None = None

    def as_report(self) -> dict[str, Any]:
        out = asdict(self)
        if self.not_painted is None:
            del out["not_painted"]  # the report has the key only where it is counted
        return out


@dataclass(frozen=True)
class AvOffsetStats:
    """Audio/video offsets of the frames shown, in ms; the percentiles and the
    maximum are of |offset|. None while nothing was measured."""

    count: int = 0
    mean: float | None = None
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    max: float | None = None

    def as_report(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Bitrates:
    """kb/s: ``input`` over wall time; the others over the media time demuxed
    (None until some media time has been)."""

    input: float = 0.0
    media: float | None = None
    video: float | None = None
    audio: float | None = None

    def as_report(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ErrorRecord:
    t: float
    kind: str
    code: str
    message: str
    fatal: bool

    def as_report(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class WarningRecord:
    t: float
    code: str
    message: str
    #: the reason as a code and its parameters ({"code": ..., ...}); None: no reason
    reason: Mapping[str, str] | None = None

    def as_report(self) -> dict[str, Any]:
        out: dict[str, Any] = {"t": self.t, "code": self.code, "message": self.message}
        if self.reason is not None:
            out["reason"] = dict(self.reason)
        return out


@dataclass(frozen=True)
class AudioOutputStats:
    """The audio device playing the session's sound."""

    device: str
    sample_rate: int
    latency_s: float
    latency_source: str

    def as_report(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LatencyStats:
    """Live latency with one meaning per figure (see ``player.latency``):
    a figure is None with its reason beside it when it cannot be had."""

    end_to_end_s: float | None = None
    #: how the capture time is known: "program-date-time", "rtcp-sender-report"
    source: str | None = None
    end_to_end_reason: str | None = None
    to_live_edge_s: float | None = None
    to_live_edge_reason: str | None = None

    def headline(self) -> tuple[float | None, str]:
        """The figure a person should see first and its label: end to end
        where the stream carries a wall clock, else the distance to the edge."""
        if self.end_to_end_s is not None:
            return float(self.end_to_end_s), "end to end"
        if self.to_live_edge_s is not None:
            return float(self.to_live_edge_s), "to live edge"
        return None, "-"

    def as_report(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MediaStats:
    title: str
    duration_s: float | None
    is_live: bool
    video: VideoInfo | None
    audio: AudioInfo | None

    def as_report(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "duration_s": self.duration_s,
            "is_live": self.is_live,
            "video": None if self.video is None else asdict(self.video),
            "audio": None if self.audio is None else asdict(self.audio),
        }


@dataclass(frozen=True)
class VariantStats:
    """The rung whose media is at the play position (what is seen)."""

    index: int
    width: int | None
    height: int | None
    bandwidth: int

    def as_report(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class MetricsFigures:
    """The session's counters at one moment (``SessionMetrics.figures()``)."""

    schema: str = ""
    url: str = ""
    protocol: str = ""
    container: str = ""
    #: wall clock of the open, ISO 8601 UTC
    started_at: str = ""
    session_seconds: float = 0.0
    played_seconds: float = 0.0
    time_to_first_frame_s: float | None = None
    time_to_first_audio_s: float | None = None
    rebuffer_count: int = 0
    rebuffer_seconds: float = 0.0
    frames: FrameCounts = field(default_factory=FrameCounts)
    decode_errors: int = 0
    #: underruns while media played (gaps heard)
    audio_underruns: int = 0
    #: underruns while nothing played (device start-up, paused, buffering, ended)
    audio_underruns_idle: int = 0
    av_offset_ms: AvOffsetStats = field(default_factory=AvOffsetStats)
    bitrate_kbps: Bitrates = field(default_factory=Bitrates)
    bytes_in: int = 0
    reconnects: int = 0
    seeks: int = 0
    errors: tuple[ErrorRecord, ...] = ()
    warnings: tuple[WarningRecord, ...] = ()
    #: the report's event log, entries of several shapes (each with "t" and "type")
    timeline: tuple[Mapping[str, Any], ...] = ()
    #: the audio output, once one is open
    audio: AudioOutputStats | None = None

    def as_report(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": self.schema,
            "url": self.url,
            "protocol": self.protocol,
            "container": self.container,
            "started_at": self.started_at,
            "session_seconds": self.session_seconds,
            "played_seconds": self.played_seconds,
            "time_to_first_frame_s": self.time_to_first_frame_s,
            "time_to_first_audio_s": self.time_to_first_audio_s,
            "rebuffer_count": self.rebuffer_count,
            "rebuffer_seconds": self.rebuffer_seconds,
            "frames": self.frames.as_report(),
            "decode_errors": self.decode_errors,
            "audio_underruns": self.audio_underruns,
            "audio_underruns_idle": self.audio_underruns_idle,
            "av_offset_ms": self.av_offset_ms.as_report(),
            "bitrate_kbps": self.bitrate_kbps.as_report(),
            "bytes_in": self.bytes_in,
            "reconnects": self.reconnects,
            "seeks": self.seeks,
            "errors": [e.as_report() for e in self.errors],
            "warnings": [w.as_report() for w in self.warnings],
            "timeline": [dict(entry) for entry in self.timeline],
        }
        if self.audio is not None:
            out["audio"] = self.audio.as_report()
        return out


@dataclass(frozen=True, kw_only=True)
class SessionStats(MetricsFigures):
    """``Player.stats()``: the counters with what is playing now.

    ``opened`` is False when there is no session (before the first open,
    after a close): then only ``state`` means anything, and the report is
    ``{"state": ...}``."""

    opened: bool = True
    state: str = "idle"
    position_s: float | None = None
    buffer_s: float = 0.0
    speed: float = 1.0
    av_offset_last_ms: float | None = None
    media: MediaStats | None = None
    #: adaptive streams only
    abr: AbrStatus | None = None
    variant: VariantStats | None = None
    #: "software" or the FFmpeg device type; None where the source does not say
    video_decoder: str | None = None
    #: live streams only: the latency the catch-up steers (s)
    live_latency_s: float | None = None
    latency: LatencyStats = field(default_factory=LatencyStats)

    @classmethod
    def closed(cls, state: str) -> SessionStats:
        """No session: only the player's state."""
        return cls(opened=False, state=state)

    def as_report(self) -> dict[str, Any]:
        if not self.opened:
            return {"state": self.state}
        out = super().as_report()
        out["state"] = self.state
        out["position_s"] = self.position_s
        out["buffer_s"] = self.buffer_s
        out["speed"] = self.speed
        out["av_offset_last_ms"] = self.av_offset_last_ms
        if self.media is not None:
            out["media"] = self.media.as_report()
        if self.abr is not None:
            out["abr"] = self.abr.as_dict()
        if self.variant is not None:
            out["variant"] = self.variant.as_report()
        if self.video_decoder is not None:
            out["video_decoder"] = self.video_decoder
        if self.media is not None and self.media.is_live:
            out["live_latency_s"] = self.live_latency_s
        out["latency"] = self.latency.as_report()
        return out


def from_report(report: Mapping[str, Any]) -> SessionStats:
    """A report this version wrote (``as_report()``, read back from JSON) as
    the typed tree. ValueError when it is not one."""
    if "schema" not in report:
        return SessionStats.closed(str(report.get("state", "idle")))
    try:
        return _build(SessionStats, report)
    except (TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"not a heureum report: {exc}") from None


def _build(cls: type[_D], data: object) -> _D:
    if not isinstance(data, Mapping):
        raise TypeError(f"{cls.__name__}: expected an object, got {type(data).__name__}")
    hints = get_type_hints(cls)
    values = {f.name: _value(hints[f.name], data[f.name]) for f in fields(cls) if f.name in data}  # type: ignore[arg-type]
    return cls(**values)


def _value(hint: Any, value: object) -> object:
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, UnionType):
        inner = [a for a in get_args(hint) if a is not type(None)]
        return _value(inner[0], value) if len(inner) == 1 else value
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise TypeError(f"expected a list, got {type(value).__name__}")
        return tuple(_value(get_args(hint)[0], item) for item in value)
    if origin is Mapping:
        if not isinstance(value, Mapping):
            raise TypeError(f"expected an object, got {type(value).__name__}")
        return dict(value)
    if isinstance(hint, type) and is_dataclass(hint):
        return _build(hint, value)
    return value
