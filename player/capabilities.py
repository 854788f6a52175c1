"""What a source can do beyond ``Source``, as typed protocols.

Every source opens, reads, seeks (``SourceInfo.seekable`` says whether it
really can) and closes. Some do more: an adaptive stream has a ladder of
variants and a bandwidth estimate, a live one an edge it lags behind, an HLS
stream alternate audio and subtitle tracks. The engine asks with
``isinstance(source, Adaptive)`` and calls typed methods, never a method
named in a string. ``AbrStatus`` is the adaptive state as one frozen value,
the same fields the stats' ``"abr"`` entry carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from .events import TrackInfo, VariantInfo

__all__ = [
    "AbrStatus",
    "Adaptive",
    "DecodesVideo",
    "Live",
    "PositionAware",
    "TimelineEntry",
    "Tracks",
]


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

    def as_dict(self) -> dict[str, object]:
        """The stats' and the report's ``"abr"`` entry (rounded for people)."""
        out = asdict(self)
        out["estimate_bps"] = round(self.estimate_bps)
        out["buffer_s"] = round(self.buffer_s, 3)
        return out

    @classmethod
    def from_stats(cls, stats: Mapping[str, object]) -> AbrStatus | None:
        """Back from a stats mapping (a ``StatsUpdated`` event, a report):
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
        )


@dataclass(frozen=True)
class TimelineEntry:
    """One sample for the ABR panel (after each download) or a marker."""

    t: float
    estimate_bps: float
    selected_bitrate: int
    buffer: float
    #: None for a sample; "switch", "stall", "error", "gap", "reload", "rejoin"
    marker: str | None = None
    detail: str = ""
    #: False while the estimate is the meter's default, not a measurement
    measured: bool = True

    def as_dict(self) -> dict[str, object]:
        return {
            "t": round(self.t, 3),
            "estimate_bps": round(self.estimate_bps),
            "estimate_measured": self.measured,
            "selected_bitrate": self.selected_bitrate,
            "buffer": round(self.buffer, 3),
            "marker": self.marker,
            "detail": self.detail,
        }


@runtime_checkable
class PositionAware(Protocol):
    """A source that wants to know the playback position (its buffer level,
    the variant playing and its live latency are measured from it)."""

    def set_playback_position(self, seconds: float) -> None: ...


@runtime_checkable
class Adaptive(Protocol):
    """A ladder of variants chosen by an ABR policy (``select_variant`` of
    ``Source`` locks one)."""

    def variants(self) -> tuple[VariantInfo, ...]: ...

    def abr_status(self) -> AbrStatus: ...

    @property
    def started_at(self) -> float:
        """The clock time ``timeline()``'s ``t`` counts from."""
        ...

    def timeline(self) -> list[TimelineEntry]:
        """Estimate, selected bitrate and buffer over time, with markers."""
        ...

    def pin_height(self, height: int | None) -> None:
        """Play the tallest rung at or under ``height`` lines from the first
        segment on (compare runs); None: the ABR policy chooses."""
        ...

    def pin_variant(self, index: int) -> None:
        """Before ``open``: play rung ``index`` (lowest bitrate first) from the
        first segment on; an index the ladder lacks fails the open."""
        ...

    def set_max_resolution(self, width: int | None, height: int | None) -> None:
        """Cap automatic choices to the view's size (None: no cap)."""
        ...


@runtime_checkable
class Live(Protocol):
    """A stream with a live edge."""

    def live_latency(self) -> float | None:
        """Seconds between the play position and the live edge (None: unknown)."""
        ...

    def program_date_time(self, position: float) -> datetime | None:
        """The wall-clock date of timeline ``position``, where the stream says."""
        ...

    def edge_latency(self) -> float | None:
        """Seconds from the play position to the end of the playlist (the
        distance to the live edge, the player's own buffer included)."""
        ...


@runtime_checkable
class Tracks(Protocol):
    """Alternate audio and subtitle tracks."""

    def audio_tracks(self) -> tuple[TrackInfo, ...]: ...

    def subtitle_tracks(self) -> tuple[TrackInfo, ...]: ...

    def select_audio_track(self, index: int | None) -> None: ...

    def select_subtitle_track(self, index: int | None) -> None: ...

    def subtitle_text(self, position: float) -> str | None:
        """The subtitle text showing at ``position`` (None: none)."""
        ...


@runtime_checkable
class DecodesVideo(Protocol):
    """A source that makes its own video decoders (software or hardware)."""

    def video_decoder(self) -> str | None:
        """The hardware device type the video decodes on ("vaapi", ...),
        "software", or None before a decoder was made."""
        ...
