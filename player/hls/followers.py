"""Alternate renditions (EXT-X-MEDIA audio, subtitles) followed alongside
the main segments: a ``Follower`` per rendition in use, with its playlist,
its cursor on the main timeline and its reloads.

Audio is fetched up to where the main track has been fetched (part by part
in LL-HLS, with blocking reloads and preload hints, so it never holds the
live edge a segment back); subtitles are fetched, parsed and placed on the
timeline as cues. ``Renditions`` holds the tracks on offer, the selected
ones and their followers. Apart from the loader because a rendition's walk
is its own: the loader only says how far to go and hands over, through
``FollowerIO``, the few things it shares (fetching, demuxing, where its live
cursor is). Replacing queued audio on a track switch stays with the loader,
whose packet queue it is. ``rendition.py`` holds the pure cursor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..clock import Clock
from ..errors import FormatError, NetworkError, SecurityError
from ..fetch import FetchAborted, TransferKind
from ..redact import redact_url
from ..retry import SEGMENT_RETRY, RetryPolicy
from ..source_api import DemuxPacket
from ..warning_text import Warn, WarningCode
from .live_edge import Track, part_chunk
from .live_playlist import LiveReloader
from .playlist import MediaPlaylist, MultivariantPlaylist, Rendition, Segment, Variant
from .rendition import RenditionCursor, RenditionStep, RenditionTrack, build_tracks, default_track
from .webvtt import MAX_VTT_BYTES, Cue, CueStore, WebVtt, parse_webvtt

__all__ = ["Follower", "FollowerIO", "Renditions", "make_follower"]


@dataclass(frozen=True)
class FollowerIO:
    """What following a rendition takes from the loader."""

    clock: Clock
    stuck_factor: float
    max_segment_bytes: int
    #: a media playlist: (URL, blocking-reload query or None)
    load: Callable[[str, dict[str, str] | None], MediaPlaylist]
    #: a segment's bytes, decrypted, init section first: (segment, kind, size
    #: cap, retry policy, at the live edge)
    fetch: Callable[[Segment, TransferKind, int, RetryPolicy, bool], bytes]
    #: the audio packets of a rendition segment's bytes, none before the cut
    audio_packets: Callable[[bytes, Segment, float | None], list[DemuxPacket]]
    #: line a live rendition's cursor up with the main live cursor
    anchor: Callable[[RenditionCursor], None]
    #: a media time in a discontinuity domain → timeline seconds (None: unknown)
    cue_time: Callable[[float, int], float | None]
    sleep: Callable[[float], None]
    check_stop: Callable[[], None]
    #: start reading an open-ended preload hint: (owner, URL, offset)
    open_stream: Callable[[str, str, int], None]
    #: a warning event: (code, the template's parameters)
    warn: Warn
    stats: dict[str, int]


@dataclass
class Follower:
    """An alternate rendition (audio or subtitles) fetched alongside the main
    segments: its playlist, and how far along the timeline it has been read."""

    kind: str  # "audio" | "subtitles"
    rendition: Rendition
    track: Track
    cursor: RenditionCursor
    #: the main stream is live / LL-HLS (known before any follower is made)
    live: bool
    ll: bool
    #: clock time before which a subtitle playlist is not reloaded again
    next_reload: float = 0.0
    #: discontinuity domain → timeline start (WebVTT without X-TIMESTAMP-MAP)
    domain_starts: dict[int, float] = field(default_factory=dict)
    #: LL-HLS: this rendition's preload hints work (off after one fails)
    hints_ok: bool = True
    #: VOD audio segments in a row skipped because they failed for good
    failed_in_row: int = 0

    def reload(self, io: FollowerIO, *, wait: bool, part: tuple[int, int] | None = None) -> None:
        """Reload the rendition's playlist; ``wait``: for something new, blocking
        (until part ``part`` = (sequence, index) is listed, in LL-HLS) when the
        server can, else after the reload delay."""
        pl = self.track.playlist
        now = io.clock.now()
        if self.kind == "audio" and self.track.reloader.stuck(pl, now):
            raise NetworkError(
                f"the audio rendition playlist has not advanced for {io.stuck_factor:g} "
                f"target durations ({redact_url(pl.url)}): the stream has stalled"
            )
        blocking = None
        nxt = pl.last_sequence + 1
        if pl.server_control.can_block_reload and wait:
            if part is not None and self.ll:
                blocking = {"_HLS_msn": str(part[0]), "_HLS_part": str(part[1])}
            else:
                blocking = {"_HLS_msn": str(nxt)}
        elif wait:
            delay = self.track.reloader.delay(pl) - (now - self.track.loaded_at)
            if delay > 0:
                io.sleep(delay)
            io.check_stop()
        assert self.rendition.uri is not None
        new = io.load(self.rendition.uri, blocking)
        if not self.cursor.update(new):
            io.anchor(self.cursor)
        self.track.playlist = new
        self.track.loaded_at = io.clock.now()
        self.track.reloader.update(new, self.track.loaded_at)

    def reanchor(self, io: FollowerIO, next_time: float) -> None:
        """After a rejoin: line up with the main cursor (at timeline
        ``next_time``) again, from a fresh playlist (the old one is as old
        as the outage)."""
        assert self.rendition.uri is not None
        new = io.load(self.rendition.uri, None)
        now = io.clock.now()
        self.cursor.update(new)
        io.anchor(self.cursor)
        self.cursor.next_time = next_time
        self.track.playlist = new
        self.track.loaded_at = now
        self.track.reloader.restart(now)
        self.track.reloader.update(new, now)
        self.next_reload = 0.0

    @property
    def follows_parts(self) -> bool:
        pl = self.track.playlist
        return self.ll and self.kind == "audio" and pl.is_live and pl.part_target is not None

    def next_whole_segment(self) -> Segment | None:
        """The audio segment ``follow_audio`` asks for next, when it asks for
        a whole listed segment (not LL-HLS parts or a gap): one that can be
        asked for ahead."""
        if self.kind != "audio" or self.follows_parts:
            return None
        nxt = self.cursor.next_segment()
        if nxt is None or nxt[0].gap:
            return None
        return nxt[0]

    def follow_audio(
        self, io: FollowerIO, until: float, *, cut: float | None = None, one: bool = False
    ) -> list[DemuxPacket]:
        """Audio packets from the cursor up to ``until`` (one segment or part
        only with ``one``). Packets before ``cut`` are dropped (an audio
        switch starts exactly at its boundary). In LL-HLS the rendition is
        followed part by part, with blocking reloads and preload hints, so
        audio never holds the live edge a segment back."""
        out: list[DemuxPacket] = []
        while self.cursor.next_time < until - 1e-3:
            io.check_stop()
            if self.follows_parts:
                step = self.cursor.next_step(self.hints_ok)
                if step is None and self.track.playlist.endlist:
                    self.cursor.next_time = until
                    break
                if not isinstance(step, RenditionStep):
                    part = (step.sequence, step.part) if step is not None else None
                    if step is not None and step.open_hint is not None:
                        h = step.open_hint
                        io.open_stream("audio", h.uri, h.byterange_start or 0)
                    self.reload(io, wait=True, part=part)
                    continue
                packets = self._audio_step(io, step, cut)
                if packets is None:
                    continue  # its hint failed: the listed part instead
                out.extend(packets)
                self.cursor.advance(step)
                io.stats["audio_parts"] += int(step.part is not None)
                if one:
                    break
                continue
            nxt = self.cursor.next_segment()
            if nxt is None:
                if self.track.playlist.endlist or not self.live:
                    self.cursor.next_time = until
                    break
                self.reload(io, wait=True)
                continue
            seg, start = nxt
            if not seg.gap:
                data = self._audio_segment(io, seg)
                if data is not None:
                    out.extend(io.audio_packets(data, seg, cut))
            self.cursor.next_time = max(self.cursor.next_time, start + seg.duration)
            if one:
                break
        return out

    def _audio_segment(self, io: FollowerIO, seg: Segment) -> bytes | None:
        """An audio segment's bytes; None when a VOD one failed for good: it
        is skipped (the audio has a gap, the video plays on), as the main
        stream's segments are, until three in a row fail (live: the failure
        is the caller's, an outage to ride out)."""
        try:
            data = io.fetch(seg, "segment", io.max_segment_bytes, SEGMENT_RETRY, False)
        except (FetchAborted, SecurityError):
            raise
        except NetworkError as exc:
            self.failed_in_row += 1
            if self.live or self.failed_in_row >= 3:
                raise
            io.warn(
                WarningCode.AUDIO_SEGMENT_SKIPPED,
                sequence=seg.sequence,
                reason=exc,
                duration=f"{seg.duration:.1f}",
            )
            return None
        self.failed_in_row = 0
        return data

    def _audio_step(
        self, io: FollowerIO, step: RenditionStep, cut: float | None
    ) -> list[DemuxPacket] | None:
        """The packets of one LL-HLS audio step; None if it was a preload hint
        that failed (hints are then off for this rendition)."""
        if step.item is None:
            assert step.segment is not None
            seg = step.segment
        else:
            pl = self.track.playlist
            idx = step.part or 0
            seg = part_chunk(pl, step.segment, step.sequence, idx, step.item).seg
        if seg.gap:
            return []
        cap = io.max_segment_bytes
        kind: TransferKind = "segment" if step.part is None else "part"
        if step.hint:
            try:
                data = io.fetch(seg, kind, cap, RetryPolicy(max_attempts=1), True)
            except (FetchAborted, SecurityError):
                raise
            except NetworkError as exc:
                io.check_stop()  # closing mid-request is not a failing hint
                self.hints_ok = False
                io.warn(WarningCode.PRELOAD_HINT_FAILED, reason=exc)
                return None
        else:
            data = io.fetch(seg, kind, cap, SEGMENT_RETRY, step.part is not None)
        if step.cut is not None:
            cut = step.cut if cut is None else max(cut, step.cut)
        return io.audio_packets(data, seg, cut)

    def follow_subtitles(
        self, io: FollowerIO, until: float, keep: Callable[[list[Cue]], None]
    ) -> None:
        """Fetch and parse the subtitle segments up to ``until``, handing each
        one's cues to ``keep``. A subtitle failure is a warning: playback goes
        on without those cues."""
        reloaded = False
        while self.cursor.next_time < until - 1e-3:
            io.check_stop()
            nxt = self.cursor.next_segment()
            if nxt is None:
                pl = self.track.playlist
                if pl.endlist or not self.live or reloaded:
                    break
                now = io.clock.now()
                if now < self.next_reload:
                    break
                self.next_reload = now + pl.target_duration / 2
                reloaded = True
                try:
                    self.reload(io, wait=False)
                except (FetchAborted, SecurityError):
                    raise
                except (NetworkError, FormatError) as exc:
                    io.warn(WarningCode.SUBTITLES_FAILED, reason=exc)
                    break
                continue
            seg, start = nxt
            self.cursor.next_time = max(self.cursor.next_time, start + seg.duration)
            if seg.gap:
                continue
            try:
                data = io.fetch(seg, "subtitle", MAX_VTT_BYTES, SEGMENT_RETRY, False)
                cues = self._place_cues(io, parse_webvtt(data), seg, start)
            except (FetchAborted, SecurityError):
                raise
            except (NetworkError, FormatError) as exc:
                io.warn(WarningCode.SUBTITLES_FAILED, reason=exc)
                continue
            keep(cues)

    def _place_cues(self, io: FollowerIO, vtt: WebVtt, seg: Segment, start: float) -> list[Cue]:
        """Cues in the WebVTT file's own clock → timeline seconds."""
        domain = seg.discontinuity_sequence
        tmap = vtt.timestamp_map
        if tmap is None:
            base = self.domain_starts.get(domain)
            if base is None:
                base = start
                for s in self.cursor.playlist.segments:
                    if s.discontinuity_sequence == domain:
                        known = self.cursor.start_of(s)
                        base = known if known is not None else start
                        break
                self.domain_starts[domain] = base
            return [Cue(base + c.start, base + c.end, c.text) for c in vtt.cues]
        out = []
        for c in vtt.cues:
            a = io.cue_time(tmap.media_seconds(c.start), domain)
            if a is None:
                continue
            out.append(Cue(a, a + (c.end - c.start), c.text))
        return out


def make_follower(
    io: FollowerIO, kind: str, rendition: Rendition, start: float, *, live: bool, ll: bool
) -> Follower:
    """Load a rendition's playlist and place it on the timeline at ``start``."""
    assert rendition.uri is not None
    pl = io.load(rendition.uri, None)
    cursor = RenditionCursor(pl)
    if pl.is_live and live:
        io.anchor(cursor)
    else:
        cursor.anchor_vod()
    cursor.next_time = start
    now = io.clock.now()
    track = Track(pl, LiveReloader(stuck_factor=io.stuck_factor), now)
    track.reloader.update(pl, now)
    return Follower(kind, rendition, track, cursor, live, ll)


class Renditions:
    """The alternate tracks on offer, the ones selected, their followers and
    the subtitle cues fetched. The groups passed in are the current
    variant's (AUDIO, SUBTITLES) group IDs."""

    def __init__(self, io: FollowerIO) -> None:
        self._io = io
        self.audio_tracks: list[RenditionTrack] = []
        self.subtitle_tracks: list[RenditionTrack] = []
        #: the selected tracks (indexes into the lists above)
        self.audio_index: int | None = None
        self.subtitle_index: int | None = None
        self.audio: Follower | None = None
        self.subs: Follower | None = None
        self.cues = CueStore()
        #: the main stream is live / LL-HLS: set by the loader before any follower
        self.live = False
        self.ll = False

    def offer(self, top: MultivariantPlaylist, ladder: list[Variant]) -> None:
        self.audio_tracks = build_tracks(top, ladder, "AUDIO")
        self.subtitle_tracks = build_tracks(top, ladder, "SUBTITLES")
        self.audio_index = default_track(self.audio_tracks, "AUDIO")
        self.subtitle_index = default_track(self.subtitle_tracks, "SUBTITLES")

    def valid(self, index: int | None, *, audio: bool) -> int | None:
        """The track to select for a request of ``index`` (None: the default)."""
        tracks = self.audio_tracks if audio else self.subtitle_tracks
        if index is None:
            return default_track(tracks, "AUDIO") if audio else None
        if not 0 <= index < len(tracks):
            code = WarningCode.NO_SUCH_AUDIO_TRACK if audio else WarningCode.NO_SUCH_SUBTITLE_TRACK
            # numbered from 1, as the menus and mpv's --aid/--sid count
            self._io.warn(code, number=index + 1, count=len(tracks))
            return default_track(tracks, "AUDIO") if audio else None
        return index

    def start(self, audio_group: str | None, subtitles_group: str | None, start: float) -> None:
        """Follow the selected tracks from timeline time ``start``."""
        if self.audio_index is not None:
            rendition = self.audio_tracks[self.audio_index].for_group(audio_group)
            if rendition.uri:
                self.audio = self._make("audio", rendition, start)
        if self.subtitle_index is not None:
            self.start_subtitles(subtitles_group, start)

    def start_subtitles(self, group: str | None, start: float) -> None:
        """Follow the selected subtitle track from timeline time ``start``."""
        self.subs = None
        if self.subtitle_index is None:
            return
        rendition = self.subtitle_tracks[self.subtitle_index].for_group(group)
        try:
            self.subs = self._make("subtitles", rendition, start)
        except (FetchAborted, SecurityError):
            raise
        except (NetworkError, FormatError) as exc:
            self._io.warn(WarningCode.SUBTITLE_TRACK_FAILED, track=repr(rendition.name), reason=exc)

    def follow_subtitles(self, until: float) -> None:
        f = self.subs
        if f is None:
            return

        def keep(cues: list[Cue]) -> None:
            if self.subs is f:
                self.cues.add(cues)

        f.follow_subtitles(self._io, until, keep)

    def switch_audio(
        self, index: int | None, group: str | None, main_time: float
    ) -> tuple[Follower, float] | None:
        """Select audio track ``index``. When it has a rendition of its own:
        its follower, placed where the old one had been fetched to (else at
        the main track's ``main_time``), and that time. None when there is
        nothing to fetch again (no change, audio muxed in the variant, or the
        rendition failed: the current track plays on)."""
        if index is None or index == self.audio_index:
            return None
        rendition = self.audio_tracks[index].for_group(group)
        old = self.audio
        frontier = old.cursor.next_time if old is not None else main_time
        if rendition.uri is None:
            # audio muxed in the variant: it comes with the segments not fetched yet
            self.audio_index = index
            self.audio = None
            return None
        try:
            f = self._make("audio", rendition, frontier)
        except (FetchAborted, SecurityError):
            raise
        except (NetworkError, FormatError) as exc:
            self._io.warn(WarningCode.AUDIO_TRACK_FAILED, track=repr(rendition.name), reason=exc)
            return None
        self.audio_index = index
        self.audio = f
        return f, frontier

    def regroup(self, audio_group: str | None, subtitles_group: str | None) -> None:
        """After a variant switch: renditions of the new variant's groups."""
        if self.audio is not None and self.audio_index is not None:
            r = self.audio_tracks[self.audio_index].for_group(audio_group)
            if r.uri and r.uri != self.audio.rendition.uri:
                self.audio = self._make("audio", r, self.audio.cursor.next_time)
        if self.subs is not None and self.subtitle_index is not None:
            r = self.subtitle_tracks[self.subtitle_index].for_group(subtitles_group)
            if r.uri and r.uri != self.subs.rendition.uri:
                self.start_subtitles(subtitles_group, self.subs.cursor.next_time)

    def _make(self, kind: str, rendition: Rendition, start: float) -> Follower:
        return make_follower(self._io, kind, rendition, start, live=self.live, ll=self.ll)
