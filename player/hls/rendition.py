"""Alternate renditions (EXT-X-MEDIA): the track lists the user picks from,
and which segments of a rendition playlist cover a span of the main timeline.

Pure: playlists in, choices and times out. The source does the fetching.

In LL-HLS a rendition is walked part by part near the live edge
(``RenditionCursor.next_step``), as the main track is, so an alternate audio
track does not hold playback a whole segment behind the edge.

A *track* is one (NAME, LANGUAGE) across every group the ladder uses, so the
menu does not change when ABR moves to a variant with another audio group;
``RenditionTrack.for_group`` gives the rendition of that track in a group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..events import TrackInfo
from .live_playlist import hint_position, open_hint
from .playlist import (
    ByteRange,
    MediaPlaylist,
    MultivariantPlaylist,
    Part,
    PreloadHint,
    Rendition,
    Segment,
    Variant,
)
from .timestamps import DateMap

__all__ = [
    "RenditionCursor",
    "RenditionStep",
    "RenditionTrack",
    "RenditionWait",
    "build_tracks",
    "default_track",
]

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


@dataclass(frozen=True)
class RenditionStep:
    """The next thing to fetch of a rendition followed part by part."""

    sequence: int
    #: part index in segment ``sequence``; None: the whole segment
    part: int | None
    #: timeline start and duration (a hinted part: PART-TARGET until listed)
    start: float
    duration: float
    #: the listed segment (fetched whole, or the parent of the part); None for
    #: a part of the segment being produced
    segment: Segment | None = None
    #: the part (for a hint: its URI and byte range, PART-TARGET long)
    item: Part | None = None
    hint: bool = False
    #: drop packets before this time: the segment's parts are no longer listed
    #: and some of them are in hand already
    cut: float | None = None


@dataclass(frozen=True)
class RenditionWait:
    """Nothing listed at the cursor yet: reload the playlist, blocking until
    part ``part`` of segment ``sequence`` is listed."""

    sequence: int
    part: int
    #: an open-ended preload hint for that part (its bytes can be asked for now)
    open_hint: PreloadHint | None = None


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
        self._next_time = 0.0
        #: LL-HLS: (sequence, part) of the next step; None: found by time
        self._pos: tuple[int, int] | None = None
        #: (sequence, part, assumed duration) of a part taken through its hint
        self._hint_fix: tuple[int, int, float] | None = None

    @property
    def next_time(self) -> float:
        """Timeline seconds this rendition has been followed up to. Setting it
        (a seek, a track switch) makes the next step the one covering it."""
        return self._next_time

    @next_time.setter
    def next_time(self, t: float) -> None:
        self._next_time = t
        self._pos = None
        self._hint_fix = None

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
        self._fix_hint(playlist)
        for s in playlist.segments:
            t = self._times.get(s.sequence)
            if t is not None:
                self.playlist = playlist
                self._spread(s, t)
                return True
        self.playlist = playlist
        return False

    def _fix_hint(self, playlist: MediaPlaylist) -> None:
        """A part taken through its hint is listed now: its real duration."""
        if self._hint_fix is None:
            return
        seq, idx, guess = self._hint_fix
        if seq == playlist.last_sequence + 1:
            parts = playlist.trailing_parts
        else:
            seg = next((s for s in playlist.segments if s.sequence == seq), None)
            if seg is None and playlist.last_sequence < seq:
                return  # not listed yet
            parts = seg.parts if seg is not None else ()
        self._hint_fix = None
        if idx < len(parts):
            self._next_time += parts[idx].duration - guess

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

    def boundary_at_or_after(self, t: float, *, parts: bool = False) -> float | None:
        """The first segment start at or after ``t`` (or part start, with
        ``parts``: where an audio track can change in LL-HLS)."""
        for s in self.playlist.segments:
            start = self._times.get(s.sequence)
            if start is None:
                continue
            for b in _starts(start, s.parts if parts else ()):
                if b >= t - _EPS:
                    return b
        end = self.end_time()
        if parts and end is not None:
            for b in _starts(end, self.playlist.trailing_parts):
                if b >= t - _EPS:
                    return b
        return None

    # -------------------------------------------------------------- LL-HLS parts

    def next_step(self, hints: bool = True) -> RenditionStep | RenditionWait | None:
        """The segment or part at the cursor, part by part near the live edge
        (``hints``: a PART preload hint with a length counts as the next part).
        None when an ended playlist has nothing more, or it cannot be placed."""
        pl = self.playlist
        for _ in range(len(pl.segments) + 3):
            if self._pos is None:
                found = self._locate(self._next_time)
                if found is None:
                    if pl.endlist:
                        return None
                    # past what is listed: wait for more without settling on a part
                    return RenditionWait(pl.last_sequence + 1, len(pl.trailing_parts))
                self._pos = found
            seq, idx = self._pos
            seg = next((s for s in pl.segments if s.sequence == seq), None)
            if seg is not None:
                st = self._times.get(seq)
                if st is None:
                    return None
                if idx == 0:
                    return RenditionStep(seq, None, st, seg.duration, segment=seg)
                if idx < len(seg.parts):
                    start = st + sum(p.duration for p in seg.parts[:idx])
                    part = seg.parts[idx]
                    return RenditionStep(seq, idx, start, part.duration, segment=seg, item=part)
                if not seg.parts:
                    return RenditionStep(
                        seq, None, st, seg.duration, segment=seg, cut=self._next_time - _EPS
                    )
                self._pos = (seq + 1, 0)  # every part of it is in hand
                continue
            if pl.segments and seq < pl.segments[0].sequence:
                self._pos = None  # fell out of the window: find the time again
                continue
            return self._edge_step(seq, idx, hints)
        return None

    def _edge_step(self, seq: int, idx: int, hints: bool) -> RenditionStep | RenditionWait | None:
        """The step at (``seq``, ``idx``) past the complete segments."""
        pl = self.playlist
        nxt = pl.last_sequence + 1
        if seq != nxt:
            return None if pl.endlist else RenditionWait(seq, idx)
        base = self.end_time()
        if idx < len(pl.trailing_parts) and base is not None:
            start = base + sum(p.duration for p in pl.trailing_parts[:idx])
            part = pl.trailing_parts[idx]
            return RenditionStep(seq, idx, start, part.duration, item=part)
        if pl.endlist:
            return None
        if idx == len(pl.trailing_parts) and base is not None:
            start = base + sum(p.duration for p in pl.trailing_parts)
            closed = hint_position(pl)
            if hints and closed is not None and pl.part_target:
                h = closed[2]
                br = None
                if h.byterange_start is not None and h.byterange_length:
                    br = ByteRange(h.byterange_length, h.byterange_start)
                guess = Part(h.uri, pl.part_target, byterange=br)
                return RenditionStep(seq, idx, start, pl.part_target, item=guess, hint=True)
            opened = open_hint(pl)
            if opened is not None:
                return RenditionWait(seq, idx, opened[2])
        return RenditionWait(seq, idx)

    def _locate(self, t: float) -> tuple[int, int] | None:
        """(sequence, part) of the step covering timeline time ``t``: a whole
        segment when ``t`` is its start or it lists no parts."""
        pl = self.playlist
        for s in pl.segments:
            st = self._times.get(s.sequence)
            if st is None or st + s.duration <= t + _EPS:
                continue
            if t <= st + _EPS or not s.parts:
                return s.sequence, 0
            acc = st
            for i, p in enumerate(s.parts):
                if acc + p.duration > t + _EPS:
                    return s.sequence, i
                acc += p.duration
            return s.sequence + 1, 0
        acc_or_none = self.end_time()
        if acc_or_none is None:
            return None
        acc = acc_or_none
        nxt = pl.last_sequence + 1
        for i, p in enumerate(pl.trailing_parts):
            if acc + p.duration > t + _EPS:
                return nxt, i
            acc += p.duration
        if t <= acc + _EPS:
            return nxt, len(pl.trailing_parts)
        return None

    def advance(self, step: RenditionStep) -> None:
        """``step`` is in hand: move past it."""
        if step.part is None:
            self._pos = (step.sequence + 1, 0)
        else:
            self._pos = (step.sequence, step.part + 1)
        self._hint_fix = (step.sequence, step.part or 0, step.duration) if step.hint else None
        self._next_time = max(self._next_time, step.start + step.duration)


def _starts(start: float, parts: tuple[Part, ...]) -> list[float]:
    """The start of a segment and of each of its parts."""
    out = [start]
    for p in parts[:-1]:
        out.append(out[-1] + p.duration)
    return out
