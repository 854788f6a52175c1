"""The packet interface every source ends in, so nothing below it knows the
protocol. A source is used from one thread only (the demux thread), except
``interrupt()``, which any thread may call to make a blocked call return."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal, Protocol

from .events import MediaInfo, VariantInfo
from .track_selection import TrackSelection

__all__ = ["DemuxPacket", "Source", "SourceInfo", "StreamSpec"]

StreamKind = Literal["video", "audio"]


@dataclass(eq=False)
class StreamSpec:
    """What a decoder needs to decode one elementary stream.

    Identity matters: when a source hands out packets with a different
    ``StreamSpec`` object (an HLS variant switch, a new fMP4 init segment), the
    decoder flushes and builds a new codec context with ``make_decoder``.
    """

    kind: StreamKind
    codec_name: str
    time_base: Fraction
    make_decoder: Callable[[], Any]  # -> av.CodecContext, opened lazily by the decoder
    width: int = 0
    height: int = 0
    fps: float | None = None
    pix_fmt: str | None = None
    sample_rate: int = 0
    channels: int = 0
    bit_rate: int | None = None
    #: one of several audio streams of a file: its track index, and the choice
    #: shared by them all (the decoder decodes the chosen one, keeps the others)
    track: int | None = None
    selection: TrackSelection | None = None


@dataclass
class DemuxPacket:
    stream: StreamSpec
    packet: Any  # av.Packet
    #: presentation time in seconds on the source's continuous timeline (None if unknown)
    pts: float | None
    dts: float | None
    duration: float
    size: int
    keyframe: bool
    #: set on the first packet after a timeline break (seek, HLS discontinuity, reconnect)
    discontinuity: bool = False
    #: capture wall clock (Unix seconds) the stream states for this packet
    #: (RTSP: from RTCP sender reports), None without one
    wallclock: float | None = None


@dataclass
class SourceInfo:
    media: MediaInfo
    video: StreamSpec | None
    audio: StreamSpec | None
    #: media time of the first frame (seconds); playback positions are relative to 0
    start_time: float = 0.0
    variants: tuple[VariantInfo, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


class Source(Protocol):
    def open(self) -> SourceInfo:
        """Connect and probe. Blocking, bounded by the configured open timeout.
        Raises ``PlayerError``."""
        ...

    def read(self) -> DemuxPacket | None:
        """The next packet, or None at the end of the stream. Blocking, bounded by
        the read timeout. Raises ``PlayerError``."""
        ...

    def seek(self, position: float, exact: bool) -> None:
        """Move to ``position`` seconds (keyframe at or before it)."""
        ...

    def interrupt(self) -> None:
        """Any thread: make a blocked open/read return soon with an error."""
        ...

    def close(self) -> None:
        """Release everything. Demux thread only."""
        ...

    @property
    def is_live(self) -> bool: ...

    def select_variant(self, index: int | None) -> None:
        """Lock one variant, or None for automatic (sources without variants ignore it)."""
        ...
