"""The HLS loader thread's loop: open the stream (the ladder, the first
rung, the start point, the renditions), then step by step fetch, demux and
queue one segment or part ahead of playback, handling seeks, track changes
and outages between steps. The parts it drives each own one concern; this
is the order they are asked in."""

from __future__ import annotations

import logging

from ..abr.driver import AbrDriver
from ..error_text import ErrorCode
from ..errors import FormatError, NetworkError, PlayerError, PlaylistError, error_for
from ..fetch import FetchAborted
from .downloads import Downloads
from .fetch_cursor import FetchCursor
from .followers import FollowerIO, Renditions
from .hint_streams import HintStreams
from .ladder import Ladder
from .live_edge import Track
from .live_playlist import LiveReloader
from .loader_state import LoaderState
from .outages import OriginAway, Outages
from .packet_queue import PacketQueue
from .playlist import MultivariantPlaylist, Variant
from .rung_choice import RungChoice
from .segment_demux import SegmentDemuxer, dts_key
from .segment_loader import Abandon, SegmentLoader
from .segment_packets import SegmentPackets
from .track_requests import TrackRequests
from .view_cap import pinned_rung

__all__ = ["LoaderThread"]

log = logging.getLogger("player.hls.hls_source")


class LoaderThread:
    """Runs in the ``hls-loader`` thread; ends with ``state.ended`` set,
    and ``state.error`` set when it failed."""

    def __init__(
        self,
        state: LoaderState,
        *,
        downloads: Downloads,
        abr: AbrDriver,
        ladder: Ladder,
        choice: RungChoice,
        cursor: FetchCursor,
        loader: SegmentLoader,
        outages: Outages,
        packets: PacketQueue,
        segments: SegmentPackets,
        tracks: TrackRequests,
        renditions: Renditions,
        io: FollowerIO,
        demuxer: SegmentDemuxer,
        hint_streams: HintStreams,
    ) -> None:
        self._s = state
        self._downloads = downloads
        self._abr = abr
        self._ladder = ladder
        self._choice = choice
        self._cursor = cursor
        self._loader = loader
        self._outages = outages
        self._packets = packets
        self._segments = segments
        self._tracks = tracks
        self._renditions = renditions
        self._io = io
        self._demuxer = demuxer
        self._hint_streams = hint_streams

    def run(self) -> None:
        try:
            self._bootstrap()
            self._loop()
        except FetchAborted:
            pass
        except PlayerError as exc:
            self._fail(exc)
        except Exception as exc:  # a bug: still one clear error, never a hang
            log.exception("HLS loader failed")
            self._fail(FormatError(f"HLS engine error: {type(exc).__name__}: {exc}"))
        finally:
            self._hint_streams.close()
            with self._s.cond:
                self._s.ended = True
                self._s.cond.notify_all()

    def _fail(self, exc: PlayerError) -> None:
        with self._s.cond:
            if self._s.stop.is_set():
                return
            self._s.error = exc
            self._s.mark("error", str(exc))
            self._s.cond.notify_all()

    def _bootstrap(self) -> None:
        top = self._downloads.playlist(self._s.url)
        if isinstance(top, MultivariantPlaylist):
            self._downloads.multivariant = top
            playable = [v for v in top.variants]
            self._s.ladder = sorted(playable, key=lambda v: (v.bitrate, v.bandwidth))
            self._renditions.offer(top, self._s.ladder)
            if self._s.pin_height is not None:
                self._s.manual = pinned_rung(self._s.ladder, self._s.pin_height)
        else:
            self._s.ladder = [Variant(index=0, uri=top.url, bandwidth=0)]
            self._s.tracks[0] = Track(
                top, LiveReloader(stuck_factor=self._s.hls.stuck_factor), self._s.clock.now()
            )
            self._s.tracks[0].reloader.update(top, self._s.clock.now())
        if self._s.pin_variant is not None:
            count = len(self._s.ladder)
            if self._s.pin_variant >= count:
                raise error_for(
                    ErrorCode.NO_SUCH_VARIANT,
                    variant=self._s.pin_variant,
                    count=count,
                    last=count - 1,
                )
            self._s.manual = self._s.pin_variant
        first = self._choice.decide(0.0)
        self._choice.switch(first)
        try:
            self._open_first(first.index)
        finally:
            self._downloads.end_start()

    def _open_first(self, rung: int) -> None:
        """The first rung's playlist, the start point, the renditions and the
        first segments. The playlists of the alternate audio and subtitle
        renditions followed from the start are asked for alongside the
        rung's: one round trip, not two or three in a row."""
        for url in self._tracks.first_playlists():
            self._downloads.prefetch_playlist(url)
        track = self._ladder.track(rung)
        pl = track.playlist
        self._s.live = pl.is_live
        if not pl.segments and not self._s.live:
            raise PlaylistError("media playlist without segments")
        self._cursor.position_start(pl)
        self._tracks.start()
        # fetch until the first segment with media gives us the stream parameters
        while not self._s.opened.is_set():
            if not self._step():
                raise FormatError("the HLS stream has no playable media")

    def _prefetch_audio(self) -> None:
        """At the start, the alternate audio rendition's first segment is
        asked for alongside the first video segment: its follower would
        otherwise ask for it only once the video had arrived, one more
        round trip before the first frame can play."""
        af = self._renditions.audio
        seg = af.next_whole_segment() if af is not None else None
        if seg is not None:
            self._downloads.prefetch_media(seg, "segment", self._io.max_segment_bytes)

    def _loop(self) -> None:
        while not self._s.stop.is_set():
            if self._s.interrupted:
                return
            self._handle_seek()
            try:
                self._tracks.apply()
                if not self._packets.wait_for_room():
                    continue
                more = self._step()
            except FetchAborted:
                if self._s.stop.is_set() or self._s.interrupted:
                    return
                continue  # a seek cancelled the download
            except OriginAway as away:
                # a follower's fetch (alternate audio) found the origin away
                self._outages.ride_out_outage(away.error)
                continue
            except NetworkError as exc:
                if not self._outages.outage_tolerated(exc):
                    raise
                self._outages.ride_out_outage(exc)
                continue
            if not more:
                # VOD finished: wait for a seek, a track change or the end
                with self._s.cond:
                    if self._s.seek_request is None:
                        self._s.ended = True
                    self._s.cond.notify_all()
                    self._s.clock.wait_for(
                        self._s.cond,
                        lambda: (
                            self._s.stop.is_set()
                            or self._s.interrupted
                            or self._s.seek_request is not None
                            or bool(self._s.requests)
                        ),
                        1.0,
                    )

    def _handle_seek(self) -> None:
        with self._s.cond:
            target = self._s.seek_request
            self._s.seek_request = None
        if target is None or self._s.rung is None:
            return
        pl = self._ladder.track(self._s.rung).playlist
        seg = self._cursor.segment_at(pl, target)
        self._s.next_time = seg.start
        for f in (self._renditions.audio, self._renditions.subs):
            if f is not None:
                f.cursor.next_time = seg.start
        self._demuxer.pending_discontinuity = True
        with self._s.cond:
            self._s.fetched_until = seg.start
            self._s.ended = False

    def _step(self) -> bool:
        """Fetch, demux and queue one segment (or part). False at the end of a VOD."""
        assert self._s.rung is not None
        nxt = self._cursor.next_segment()
        if nxt is None:
            return False
        pl, chunk = nxt
        if chunk.independent:  # never switch rungs inside a GOP
            decision = self._choice.decide(chunk.seg.duration)
            if decision.index != self._s.rung:
                self._choice.switch(decision)
                nxt = self._cursor.next_segment()
                if nxt is None:
                    return False
                pl, chunk = nxt
        seg = chunk.seg
        generation = self._s.generation
        try:
            if chunk.hint:
                data: bytes | None = self._loader.hint_bytes(seg)
                if data is None:
                    return True
            else:
                if not self._s.opened.is_set():
                    self._prefetch_audio()
                got = self._loader.fetch_with_fallback(pl, chunk)
                if got is not None and got[0] is not chunk:
                    chunk, seg = got[0], got[0].seg
                data = got[1] if got is not None else None
                if data is not None:
                    self._abr.finished(
                        float(self._s.ladder[self._s.rung].bitrate or 0), len(data), seg.duration
                    )
        except Abandon as ab:
            self._choice.switch(ab.decision)
            return True
        if chunk.part is not None:
            self._s.ll_stats["parts"] += 1
            self._s.ll_stats["hints"] += int(chunk.hint)
        if data is None:  # a gap: no media, the timeline moves on
            self._cursor.advance(chunk)
            with self._s.cond:
                self._s.mark("gap", f"segment {seg.sequence} is a gap")
            return True
        packets = self._segments.main(data, seg)
        if packets is None:
            self._cursor.advance(chunk)
            return True
        end = self._s.next_time + seg.duration
        if not self._s.live and pl.endlist and seg is pl.segments[-1]:
            end = float("inf")  # the renditions' tails (audio segments cut elsewhere)
        af = self._renditions.audio
        audio = af.follow_audio(self._io, end) if af is not None else []
        merged = sorted(packets + audio, key=dts_key)
        with self._s.cond:
            if generation != self._s.generation or self._s.seek_request is not None:
                return True
            for p in merged:
                self._s.queue.append(p)
                self._s.queued_bytes += p.size
            self._s.rungs_at.append((self._s.next_time, self._s.rung))
            self._cursor.advance(chunk)
            self._loader.failed_in_row = 0
            self._s.mark(None)
            self._s.cond.notify_all()
        self._renditions.follow_subtitles(end)
        if merged and not self._s.opened.is_set():
            self._segments.build_info(pl)
        return True
