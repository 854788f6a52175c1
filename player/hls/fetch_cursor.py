"""Where the loader fetches next: the cursor through the rung's playlist
(a time for VOD; a sequence and part for live), and for live the edge it
moves with: playlist reloads, preload hints, rejoining the target latency
after falling behind, the edge's time and date, and how far behind it the
play position is."""

from __future__ import annotations

from ..warning_reasons import Reason
from ..warning_text import WarningCode
from .downloads import Downloads
from .followers import FollowerIO, Renditions
from .hint_streams import HintStreams
from .ladder import Ladder
from .live_edge import (
    Chunk,
    OutageWatch,
    Track,
    edge_date,
    live_chunk,
    live_start_point,
    reload_live,
)
from .live_playlist import (
    duration_ahead,
    max_live_lag,
    part_at,
    rejoin_reason,
    target_latency,
    uses_parts,
)
from .loader_state import LoaderState
from .playlist import MediaPlaylist, Segment
from .rendition import RenditionCursor
from .segment_demux import SegmentDemuxer
from .timestamps import DateMap

__all__ = ["FetchCursor"]


class FetchCursor:
    """Moves the fetch cursor in ``state`` (``next_time``, ``next_seq``,
    ``next_part``) and, live, the edge; ``dates`` maps timeline times to
    EXT-X-PROGRAM-DATE-TIME."""

    def __init__(
        self,
        state: LoaderState,
        *,
        ladder: Ladder,
        downloads: Downloads,
        demuxer: SegmentDemuxer,
        dates: DateMap,
        renditions: Renditions,
        io: FollowerIO,
        hint_streams: HintStreams,
        watch: OutageWatch,
    ) -> None:
        self._s = state
        self._ladder = ladder
        self._downloads = downloads
        self._demuxer = demuxer
        self._dates = dates
        self._renditions = renditions
        self._io = io
        self._hint_streams = hint_streams
        self._watch = watch

    def next_segment(self) -> tuple[MediaPlaylist, Chunk] | None:
        """The next segment (or LL-HLS part) of the current rung, reloading a
        live playlist as needed."""
        assert self._s.rung is not None
        while not self._s.stop.is_set() and not self._s.interrupted:
            track = self._ladder.track(self._s.rung, reload=self._s.refresh)
            self._s.refresh = False
            pl = track.playlist
            if not self._s.live:
                for s in pl.segments:
                    if s.end > self._s.next_time + 1e-3:
                        return pl, Chunk(s)
                return None
            assert self._s.next_seq is not None
            self._fix_hint(pl)
            with self._s.cond:
                stalled = self._s.position is not None and self._s.buffer_level_locked() < 0.5
            why = rejoin_reason(
                pl,
                self._s.next_seq,
                self._s.next_part,
                self._s.live_latency_target or target_latency(pl, self._s.ll),
                max_live_lag(pl, self._s.hls.max_live_lag, stalled=stalled),
                self._live_start_point(pl),
            )
            if why is not None:
                self._rejoin_live(pl, why)
            chunk = self._live_chunk(pl)
            if chunk is not None:
                self._update_live_edge(pl, track)
                if self._s.reanchor:
                    self._s.reanchor = False
                    self._reanchor_followers()
                return pl, chunk
            if pl.endlist:
                return None
            self._reload_live(track)
        return None

    def _live_chunk(self, pl: MediaPlaylist) -> Chunk | None:
        """The chunk at the live cursor if ``pl`` lists it (or hints at it)."""
        assert self._s.next_seq is not None
        seq, idx, chunk, opened = live_chunk(
            pl, self._s.next_seq, self._s.next_part, ll=self._s.ll, hints_ok=self._s.hints_ok
        )
        self._s.next_seq, self._s.next_part = seq, idx
        if opened is not None:
            # its bytes flow while the blocking reload waits for the part's
            # listing (and length); the listed part is then read from them
            self._hint_streams.open("main", opened.uri, opened.byterange_start or 0)
        return chunk

    def _fix_hint(self, pl: MediaPlaylist) -> None:
        """A part fetched by its hint is listed now: use its real duration."""
        if self._s.hint_fix is None:
            return
        seq, idx, guess = self._s.hint_fix
        part = part_at(pl, seq, idx)
        if part is None and pl.last_sequence < seq:
            return  # not listed yet
        self._s.hint_fix = None
        if part is not None and part.duration != guess:
            self._s.next_time += part.duration - guess
            with self._s.cond:
                self._s.fetched_until = self._s.next_time

    def _update_live_edge(self, pl: MediaPlaylist, track: Track) -> None:
        assert self._s.next_seq is not None
        ahead = duration_ahead(pl, self._s.next_seq, self._s.next_part)
        with self._s.cond:
            self._s.live_edge_time = self._s.next_time + ahead
            self._s.edge_loaded_at = track.loaded_at
        # EXT-X-PROGRAM-DATE-TIME of the latest segment that has one
        dated = edge_date(pl, self._s.next_seq, self._s.next_part, self._s.next_time)
        if dated is not None:
            self._dates.add(*dated)

    def _reload_live(self, track: Track) -> None:
        assert self._s.rung is not None
        reload_live(
            track,
            self._s.ladder[self._s.rung].uri,
            (self._s.next_seq, self._s.next_part) if self._s.next_seq is not None else None,
            ll=self._s.ll,
            delta_updates=self._s.hls.delta_updates,
            stuck_factor=self._s.hls.stuck_factor,
            failing=self._watch.failing_since is not None,
            clock=self._s.clock,
            load=lambda url, blocking, retry: self._downloads.media_playlist(url, blocking, retry),
            sleep=self._s.sleep,
            check_stop=self._s.check_stop,
            stats=self._s.ll_stats,
        )

    def _rejoin_live(self, pl: MediaPlaylist, why: Reason) -> None:
        """Jump the live cursor ahead to the target latency point, as at the
        start. The media skips ahead but the timeline goes on from where it
        is, re-based as at a discontinuity: the decoders see a break, not a
        hole as long as the lag."""
        with self._s.cond:
            self._s.mark("rejoin", why.english())
        self._seek_live_start(pl)
        self._s.hint_fix = None
        self._demuxer.pending_discontinuity = True
        self._demuxer.rebaser.break_next()
        self._s.reanchor = True
        self._s.warn(WarningCode.LIVE_REJOIN, reason=why)

    def _reanchor_followers(self) -> None:
        """After a rejoin: the renditions are lined up with the main cursor
        again, from fresh playlists (theirs are as old as the outage)."""
        for f in (self._renditions.audio, self._renditions.subs):
            if f is not None:
                f.reanchor(self._io, self._s.next_time)

    def position_start(self, pl: MediaPlaylist) -> None:
        if self._s.live:
            self._s.ll = self._s.hls.low_latency and uses_parts(pl)
            self._s.live_latency_target = target_latency(pl, self._s.ll)
            self._seek_live_start(pl)
            self._s.next_time = 0.0
        else:
            start = 0.0
            if pl.start_offset is not None:
                off = pl.start_offset
                start = off if off >= 0 else max(0.0, pl.duration + off)
            self._s.next_time = self.segment_at(pl, start).start if pl.segments else 0.0
        with self._s.cond:
            self._s.fetched_until = self._s.next_time

    def _seek_live_start(self, pl: MediaPlaylist) -> None:
        """Point the live cursor at the target latency from the live edge."""
        self._s.next_seq, self._s.next_part = self._live_start_point(pl)

    def _live_start_point(self, pl: MediaPlaylist) -> tuple[int, int]:
        return live_start_point(pl, self._s.ll, self._s.live_latency_target)

    @staticmethod
    def segment_at(pl: MediaPlaylist, t: float) -> Segment:
        for s in pl.segments:
            if s.end > t + 1e-3:
                return s
        return pl.segments[-1]

    def advance(self, chunk: Chunk) -> None:
        seg = chunk.seg
        self._dates.add(seg.program_date_time, self._s.next_time)
        self._s.next_time += seg.duration
        if self._s.live:
            if chunk.part is None:
                self._s.next_seq, self._s.next_part = seg.sequence + 1, 0
            else:
                self._s.next_seq, self._s.next_part = seg.sequence, chunk.part + 1
                if chunk.hint:
                    self._s.hint_fix = (seg.sequence, chunk.part, seg.duration)
        self._s.fetched_until = self._s.next_time

    def _main_anchor(self) -> tuple[int, float]:
        """(sequence, timeline start) of the main segment at the live cursor,
        which in LL-HLS may be some parts into it: a rendition is lined up
        with that segment's start, not with the cursor."""
        assert self._s.next_seq is not None
        t = self._s.next_time
        track = self._s.tracks.get(self._s.rung) if self._s.rung is not None else None
        if self._s.next_part and track is not None:
            pl = track.playlist
            for i in range(self._s.next_part):
                part = part_at(pl, self._s.next_seq, i)
                t -= part.duration if part is not None else (pl.part_target or 0.0)
        return self._s.next_seq, t

    def anchor(self, cursor: RenditionCursor) -> None:
        """Line a live rendition up with the main live cursor (once there is one)."""
        if self._s.next_seq is None:
            return
        seq, t = self._main_anchor()
        cursor.anchor_live(seq, t, self._s.live_edge_time, self._dates)

    def live_latency(self) -> float | None:
        """Seconds between the play position and the live edge, when live:
        from EXT-X-PROGRAM-DATE-TIME (the wall clock now minus the date at the
        position) where the playlist has it and it agrees with the playlist
        within a few target durations, else ``edge_latency``."""
        latency = self.edge_latency()
        if latency is None:
            return None
        with self._s.cond:
            pos = self._s.position if self._s.position is not None else self._s.read_pts
        track = self._s.tracks.get(self._s.rung) if self._s.rung is not None else None
        if pos is None or track is None:
            return latency
        td = track.playlist.target_duration
        date = self._dates.date_at(pos)
        if date is not None:
            by_date = (self._s.wall() - date).total_seconds()
            if abs(by_date - latency) <= max(2 * td, 3.0):
                return max(0.0, by_date)
        return latency

    def edge_latency(self) -> float | None:
        """Seconds from the play position to the end of the live playlist
        (parts included), moved on by the time since it was loaded (at most
        one target duration while the origin answers, so a stalled server
        does not run it away). No wall clock involved."""
        if not self._s.live:
            return None
        with self._s.cond:
            pos = self._s.position if self._s.position is not None else self._s.read_pts
            edge = self._s.live_edge_time
            loaded = self._s.edge_loaded_at
        track = self._s.tracks.get(self._s.rung) if self._s.rung is not None else None
        if pos is None or edge is None or track is None:
            return None
        td = track.playlist.target_duration
        age = max(0.0, self._s.clock.now() - loaded)
        if self._watch.failing_since is None:
            age = min(age, td)  # a stalled origin's edge does not move; one that is away does
        return max(0.0, edge + age - pos)
