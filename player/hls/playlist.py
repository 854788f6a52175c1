"""What a parsed HLS playlist is: our own frozen dataclasses (multivariant
and media playlists, segments, parts, keys, renditions) and the caps the
parser enforces on them. ``playlist_parser`` turns playlist text into these;
everything after it reads only these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

__all__ = [
    "MAX_PLAYLIST_BYTES",
    "MAX_RENDITIONS",
    "MAX_SEGMENTS",
    "ByteRange",
    "InitSection",
    "Key",
    "MediaPlaylist",
    "MultivariantPlaylist",
    "Part",
    "PreloadHint",
    "Rendition",
    "RenditionReport",
    "Segment",
    "ServerControl",
    "Variant",
]

MAX_PLAYLIST_BYTES = 4 * 1024 * 1024
MAX_SEGMENTS = 20_000
MAX_RENDITIONS = 64
MAX_TARGET_DURATION = 3600
MAX_BYTERANGE = 256 * 1024 * 1024


@dataclass(frozen=True)
class ByteRange:
    length: int
    offset: int

    @property
    def end(self) -> int:
        return self.offset + self.length


@dataclass(frozen=True)
class Key:
    method: str  # NONE, AES-128, SAMPLE-AES, ...
    uri: str | None = None
    iv: bytes | None = None
    keyformat: str = "identity"


@dataclass(frozen=True)
class InitSection:
    uri: str
    byterange: ByteRange | None = None


@dataclass(frozen=True)
class Part:
    uri: str
    duration: float
    independent: bool = False
    byterange: ByteRange | None = None
    gap: bool = False


@dataclass(frozen=True)
class Segment:
    uri: str
    duration: float
    #: media sequence number
    sequence: int
    #: discontinuity sequence number this segment belongs to
    discontinuity_sequence: int
    #: start time relative to the first segment of this playlist
    start: float
    discontinuity: bool = False
    key: Key | None = None
    init: InitSection | None = None
    byterange: ByteRange | None = None
    program_date_time: datetime | None = None
    gap: bool = False
    parts: tuple[Part, ...] = ()
    title: str = ""
    line: int | None = None

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass(frozen=True)
class ServerControl:
    can_block_reload: bool = False
    can_skip_until: float | None = None
    can_skip_dateranges: bool = False
    hold_back: float | None = None
    part_hold_back: float | None = None


@dataclass(frozen=True)
class PreloadHint:
    type: str
    uri: str
    byterange_start: int | None = None
    byterange_length: int | None = None


@dataclass(frozen=True)
class RenditionReport:
    uri: str
    last_msn: int | None
    last_part: int | None


@dataclass(frozen=True)
class MediaPlaylist:
    url: str
    target_duration: float
    media_sequence: int
    discontinuity_sequence: int
    segments: tuple[Segment, ...]
    endlist: bool = False
    playlist_type: str | None = None  # VOD, EVENT or None
    i_frames_only: bool = False
    version: int | None = None
    start_offset: float | None = None
    start_precise: bool = False
    server_control: ServerControl = field(default_factory=ServerControl)
    part_target: float | None = None
    #: parts of the segment being produced (LL-HLS), after the last full segment
    trailing_parts: tuple[Part, ...] = ()
    preload_hints: tuple[PreloadHint, ...] = ()
    rendition_reports: tuple[RenditionReport, ...] = ()
    #: EXT-X-SKIP: this many segments before ``segments`` were left out (delta update)
    skipped_segments: int = 0
    variables: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_live(self) -> bool:
        return not self.endlist and self.playlist_type != "VOD"

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.segments)

    @property
    def first_sequence(self) -> int:
        return self.media_sequence + self.skipped_segments

    @property
    def last_sequence(self) -> int:
        """Media sequence number of the last complete segment (first - 1 if none)."""
        return self.first_sequence + len(self.segments) - 1


@dataclass(frozen=True)
class Variant:
    index: int
    uri: str
    bandwidth: int
    average_bandwidth: int | None = None
    width: int | None = None
    height: int | None = None
    codecs: str | None = None
    frame_rate: float | None = None
    audio_group: str | None = None
    subtitles_group: str | None = None
    #: other URIs with the same attributes (redundant streams, in listing order)
    backups: tuple[str, ...] = ()

    @property
    def bitrate(self) -> int:
        """The figure ABR plans with: AVERAGE-BANDWIDTH when given, else BANDWIDTH."""
        return self.average_bandwidth or self.bandwidth


@dataclass(frozen=True)
class Rendition:
    type: str  # AUDIO, SUBTITLES, VIDEO, CLOSED-CAPTIONS
    group_id: str
    name: str
    uri: str | None = None
    language: str | None = None
    default: bool = False
    autoselect: bool = False
    channels: str | None = None


@dataclass(frozen=True)
class MultivariantPlaylist:
    url: str
    variants: tuple[Variant, ...]
    renditions: tuple[Rendition, ...] = ()
    #: I-frame playlists: parsed and ignored for playback
    iframe_variants: tuple[str, ...] = ()
    session_keys: tuple[Key, ...] = ()
    independent_segments: bool = False
    start_offset: float | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
