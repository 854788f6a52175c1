"""What a source can do beyond ``Source``, as typed protocols.

Every source opens, reads, seeks (``SourceInfo.seekable`` says whether it
really can) and closes. Some do more: an adaptive stream has a ladder of
variants and a bandwidth estimate, a live one an edge it lags behind, an HLS
stream alternate audio and subtitle tracks. The engine asks with
``isinstance(source, Adaptive)`` and calls typed methods, never a method
named in a string. ``AbrStatus`` (in ``player.stats``) is the adaptive state as one frozen
value, the stats' ``abr`` field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from .events import TrackInfo, VariantInfo
from .stats import AbrStatus

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
