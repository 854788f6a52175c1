"""Alternate renditions (EXT-X-MEDIA): the track lists the user picks from,
and which segments of a rendition playlist cover a span of the main timeline.

Pure: playlists in, choices and times out. The source does the fetching.

A *track* is one (NAME, LANGUAGE) across every group the ladder uses, so the
menu does not change when ABR moves to a variant with another audio group;
``RenditionTrack.for_group`` gives the rendition of that track in a group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..events import TrackInfo
from .playlist import MediaPlaylist, MultivariantPlaylist, Rendition, Segment, Variant
from .timeline import DateMap

__all__ = ["RenditionCursor", "RenditionTrack", "build_tracks", "default_track"]

_EPS = 1e-3


@dataclass(frozen=True)
class RenditionTrack:
    info: TrackInfo
    #: GROUP-ID → this track's rendition in that group
    by_group: Mapping[str, Rendition]

    def for_group(self, group: str | None) -> Rendition:
        if group is not None and group in self.by_group:
            return self.by_group[group]
        return next(iter(self.by_group.values()))


def build_tracks(
    top: MultivariantPlaylist, ladder: Sequence[Variant], kind: str
) -> list[RenditionTrack]:
    """The AUDIO or SUBTITLES tracks of the groups the ladder refers to, in
    listing order. ``kind`` is the EXT-X-MEDIA TYPE."""
    if kind == "AUDIO":
        used = {v.audio_group for v in ladder if v.audio_group}
        label = "audio"
    elif kind == "SUBTITLES":
        used = {v.subtitles_group for v in ladder if v.subtitles_group}
        label = "subtitles"
    else:
        raise ValueError(f"no tracks of type {kind!r}")
    order: list[tuple[str, str | None]] = []
    groups: dict[tuple[str, str | None], dict[str, Rendition]] = {}
    for r in top.renditions:
        if r.type != kind or r.group_id not in used:
            continue
        if kind == "SUBTITLES" and r.uri is None:
            continue  # a subtitle rendition must have a playlist
        ident = (r.name, r.language)
        if ident not in groups:
            order.append(ident)
            groups[ident] = {}
        groups[ident].setdefault(r.group_id, r)
    tracks = []
    for i, ident in enumerate(order):
        by_group = groups[ident]
        first = next(iter(by_group.values()))
        tracks.append(
            RenditionTrack(
                TrackInfo(
                    index=i,
                    kind=label,
                    name=first.name,
                    language=first.language,
                    default=any(r.default for r in by_group.values()),
                    autoselect=any(r.autoselect for r in by_group.values()),
                ),
                by_group,
            )
        )
    return tracks


def default_track(tracks: Sequence[RenditionTrack], kind: str) -> int | None:
    """The track to start with (RFC 8216 §4.4.6.1): audio plays its DEFAULT=YES
    rendition, else an AUTOSELECT=YES one, else the first; subtitles show only
    a DEFAULT=YES rendition (the user turns others on)."""
    if not tracks:
        return None
    for t in tracks:
        if t.info.default:
            return t.info.index
    if kind == "SUBTITLES":
        return None
    for t in tracks:
        if t.info.autoselect:
            return t.info.index
    return 0


class RenditionCursor:
    """Maps a rendition playlist's segments onto the main timeline and walks
    them. VOD: a segment's timeline start is its playlist start. Live: the
    first playlist is anchored to the main timeline (same media sequence
    number, else EXT-X-PROGRAM-DATE-TIME, else the live edges lined up) and
    later reloads inherit the times of the segments they share."""

    def __init__(self, playlist: MediaPlaylist) -> None:
        self.playlist = playlist
        self._times: dict[int, float] = {}
        #: timeline seconds this rendition has been followed up to
        self.next_time = 0.0

    # -------------------------------------------------------------- anchoring

    def anchor_vod(self) -> None:
        self._times = {s.sequence: s.start for s in self.playlist.segments}

    def anchor_live(
        self,
        main_sequence: int,
        main_time: float,
        main_edge: float | None,
        dates: DateMap | None = None,
    ) -> None:
        """Place the playlist on the timeline: ``main_sequence`` starts at
        ``main_time``; the main playlist ends at ``main_edge``."""
        pl = self.playlist
        self._times = {}
        for s in pl.segments:
            if s.sequence == main_sequence:
                self._spread(s, main_time)
                return
        if dates is not None and dates.anchor_date is not None:
            for s in pl.segments:
                if s.program_date_time is not None:
                    t = dates.time_at(s.program_date_time)
                    if t is not None:
                        self._spread(s, t)
                        return
        if pl.segments:
            end = main_edge if main_edge is not None else main_time
            last = pl.segments[-1]
            self._spread(last, end - last.duration)

    def _spread(self, known: Segment, t: float) -> None:
        base = t - known.start
        self._times = {s.sequence: s.start + base for s in self.playlist.segments}

    def update(self, playlist: MediaPlaylist) -> bool:
        """A reloaded playlist. False if it shares no segment with the last
        one (an outage longer than the window): re-anchor it."""
        for s in playlist.segments:
            t = self._times.get(s.sequence)
            if t is not None:
                self.playlist = playlist
                self._spread(s, t)
                return True
        self.playlist = playlist
        return False

    def start_of(self, seg: Segment) -> float | None:
        return self._times.get(seg.sequence)

    def end_time(self) -> float | None:
        """Timeline end of the last listed segment."""
        if not self.playlist.segments:
            return None
        last = self.playlist.segments[-1]
        start = self._times.get(last.sequence)
        return None if start is None else start + last.duration

    # -------------------------------------------------------------- walking

    def segment_at(self, t: float) -> tuple[Segment, float] | None:
        """The segment covering timeline time ``t`` (or the first after it)."""
        for s in self.playlist.segments:
            start = self._times.get(s.sequence)
            if start is not None and start + s.duration > t + _EPS:
                return s, start
        return None

    def next_segment(self) -> tuple[Segment, float] | None:
        return self.segment_at(self.next_time)

    def boundary_at_or_after(self, t: float) -> float | None:
        """The first segment start at or after ``t``."""
        for s in self.playlist.segments:
            start = self._times.get(s.sequence)
            if start is not None and start >= t - _EPS:
                return start
        return None
