"""``HlsSource``: our HLS engine behind the ``Source`` packet interface.

One loader thread fetches playlists and segments ahead of playback (bounded by
a buffer target in seconds and a byte cap), measures every download, asks the
ABR policy for the rung of each segment, decrypts, demuxes the segment bytes
with PyAV (format forced, no protocols) and maps timestamps onto one
continuous timeline. ``read()`` only pops packets, so the demux thread never
waits on the network for longer than the read timeout, and ``interrupt()`` /
``close()`` return at once whatever the server does.

This module is the ``Source`` API and the wiring of the loader's parts, each
in a module named for what it owns (``loader_thread``: the loop;
``packet_queue``: the read() side; ``ladder`` and ``rung_choice``: the rungs
and the ABR; ``segment_loader``: a segment's bytes, fallbacks and gaps;
``outages``; ``fetch_cursor``: the cursor and the live edge;
``track_requests``; ``segment_packets``). They share one ``LoaderState`` and
are handed the parts they call; none imports this module.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from ..abr.driver import AbrDriver
from ..abr.policies import make_policy
from ..abr.policy import AbrPolicy
from ..capabilities import AbrStatus, TimelineEntry
from ..clock import Clock, SystemClock
from ..config import DEFAULT_CONFIG, PlayerConfig
from ..decode_threads import DecodeThreads
from ..errors import FormatError, NetworkError
from ..events import Event, TrackInfo, VariantInfo
from ..fetch import Fetcher
from ..http_fetcher import HttpFetcher
from ..hwdec import VideoContexts
from ..redact import redact_url
from ..retry import RetryPolicy
from ..source_api import DemuxPacket, SourceInfo
from .config import HlsConfig
from .crypto import decrypt_aes128
from .downloads import Downloads
from .fetch_cursor import FetchCursor
from .followers import FollowerIO, Renditions
from .head_start import HeadStart
from .hint_streams import HintStreams
from .ladder import Ladder
from .live_edge import OutageWatch
from .loader_state import LoaderState
from .loader_thread import LoaderThread
from .origin_check import OriginCheck
from .outages import Outages
from .packet_queue import PacketQueue
from .penalty_box import PenaltyBox
from .rung_choice import RungChoice
from .segment_demux import SegmentDemuxer
from .segment_loader import SegmentLoader
from .segment_packets import SegmentPackets
from .timestamps import DateMap
from .track_requests import TrackRequests
from .view_cap import pinned_rung

__all__ = ["HlsConfig", "HlsSource", "TimelineEntry"]


class HlsSource:
    """An HLS stream as packets on one timeline (``Source``), with the
    adaptive, live and track capabilities."""

    def __init__(
        self,
        url: str,
        *,
        config: PlayerConfig = DEFAULT_CONFIG,
        clock: Clock | None = None,
        emit: Callable[[Event], None] | None = None,
        fetcher: Fetcher | None = None,
        policy: AbrPolicy | None = None,
        hls: HlsConfig | None = None,
        rand: Callable[[], float] | None = None,
        wall: Callable[[], datetime] | None = None,
        head_start: HeadStart | None = None,
    ) -> None:
        """``head_start``: the first playlist's request, made as the open
        began (its fetcher becomes this source's)."""
        self.url = url
        self._config = config
        self._clock = clock or SystemClock()
        if fetcher is None and head_start is not None:
            fetcher = head_start.fetcher
        self._fetcher = fetcher or HttpFetcher(config.network, self._clock)
        self._policy: AbrPolicy = policy or make_policy(config.network.abr_policy)
        self._hls = hls or HlsConfig()
        self._rand = rand or random.random
        #: the policy's wiring, shared with the trace simulator
        self._abr = AbrDriver(self._policy)
        self._s = LoaderState(
            url,
            config=config,
            hls=self._hls,
            clock=self._clock,
            meter=self._abr.meter,
            emit=emit,
            wall=wall or (lambda: datetime.now(UTC)),
        )
        self._thread: threading.Thread | None = None
        #: variants that failed lately, out of the ABR's choices for a while
        self._penalty = PenaltyBox(self._hls.variant_penalty)
        net = config.network
        self._outage = OutageWatch(net.live_outage_timeout if net.reconnect else 0.0)
        self._packets = PacketQueue(self._s, self._outage)
        self._hint_streams = HintStreams(
            self._fetcher,
            self._s.cancel,
            max_bytes=self._hls.max_segment_bytes,
            check_stop=self._s.check_stop,
            warn=self._s.warn,
            received=self._s.received,
            stats=self._s.ll_stats,
        )
        self._downloads = Downloads(
            self._fetcher,
            self._s.cancel,
            self._abr.meter,
            self._hint_streams,
            max_segments=self._hls.max_segments,
            rand=self._rand,
            sleep=self._s.sleep,
            check_stop=self._s.check_stop,
            received=self._s.received,
            failed=lambda exc, kind, delay: self._outages.note_failure(exc, kind, delay),
            worked=lambda: self._outages.fetch_worked(),
            warn=self._s.warn,
            decrypt=decrypt_aes128,
            busy=self._s.busy,
            clock=self._clock,
            head_start=head_start,
        )
        self._dates = DateMap()
        self._demuxer = SegmentDemuxer(
            VideoContexts(self._config.decode.hwdec, self._s.warn),
            # frame threading's delay is for VOD only, as in the libav path
            lambda: DecodeThreads.of(
                config.decode, low_latency=config.latency.low_latency or self._s.live
            ),
        )
        self._io = FollowerIO(
            clock=self._clock,
            stuck_factor=self._hls.stuck_factor,
            max_segment_bytes=self._hls.max_segment_bytes,
            load=lambda url, blocking: self._downloads.media_playlist(url, blocking),
            fetch=lambda seg, kind, cap, retry, edge: self._downloads.media(
                seg, kind, cap, retry=retry, live_edge=edge
            ),
            audio_packets=lambda data, seg, cut: self._segments.audio(data, seg, cut),
            anchor=lambda cursor: self._cursor.anchor(cursor),
            cue_time=lambda seconds, domain: self._segments.cue_time(seconds, domain),
            sleep=self._s.sleep,
            check_stop=self._s.check_stop,
            open_stream=self._hint_streams.open,
            warn=self._s.warn,
            stats=self._s.ll_stats,
        )
        self._renditions = Renditions(self._io)
        self._origin = OriginCheck(
            self._outage,
            self._clock,
            lambda url: self._downloads.media_playlist(url, retry=RetryPolicy(max_attempts=1)),
        )
        self._ladder = Ladder(self._s, self._downloads, self._penalty)
        self._tracks = TrackRequests(self._s, self._renditions, self._io, self._packets)
        self._choice = RungChoice(self._s, self._abr, self._ladder, self._tracks.regroup)
        self._outages = Outages(
            self._s,
            self._outage,
            self._origin,
            ladder=self._ladder,
            penalty=self._penalty,
            renditions=self._renditions,
            hint_streams=self._hint_streams,
            rand=self._rand,
        )
        self._cursor = FetchCursor(
            self._s,
            ladder=self._ladder,
            downloads=self._downloads,
            demuxer=self._demuxer,
            dates=self._dates,
            renditions=self._renditions,
            io=self._io,
            hint_streams=self._hint_streams,
            watch=self._outage,
        )
        self._loader = SegmentLoader(
            self._s,
            self._downloads,
            self._abr,
            ladder=self._ladder,
            choice=self._choice,
            penalty=self._penalty,
            outages=self._outages,
            next_segment=self._cursor.next_segment,
        )
        self._segments = SegmentPackets(self._s, self._demuxer, self._ladder, self._renditions)
        self._run = LoaderThread(
            self._s,
            downloads=self._downloads,
            abr=self._abr,
            ladder=self._ladder,
            choice=self._choice,
            cursor=self._cursor,
            loader=self._loader,
            outages=self._outages,
            packets=self._packets,
            segments=self._segments,
            tracks=self._tracks,
            renditions=self._renditions,
            io=self._io,
            demuxer=self._demuxer,
            hint_streams=self._hint_streams,
        ).run

    @property
    def segment_gaps(self) -> list[int]:
        """Sequence numbers of the segments skipped as failing everywhere."""
        return self._loader.segment_gaps

    @property
    def slow_segments(self) -> int:
        """Segments reported slow (downloading slower than they play)."""
        return self._loader.slow_segments

    @property
    def ll_stats(self) -> dict[str, int]:
        """LL-HLS counters, for the metrics and the tests."""
        return self._s.ll_stats

    # ------------------------------------------------------------------ Source API

    @property
    def is_live(self) -> bool:
        return self._s.live

    def open(self) -> SourceInfo:
        self._thread = threading.Thread(target=self._run, name="hls-loader", daemon=True)
        self._thread.start()
        deadline = self._clock.now() + self._config.network.open_timeout + 5.0
        while not self._s.opened.is_set():
            with self._s.cond:
                self._clock.wait_for(self._s.cond, self._packets.open_wakes_locked, 0.05)
                if self._s.opened.is_set():
                    break
                if self._s.error is not None:
                    raise self._s.error
                if self._s.interrupted:
                    raise NetworkError("opening the HLS stream was interrupted")
                if self._s.ended:
                    raise FormatError("the HLS stream ended before any media")
            if self._clock.now() > deadline:
                self.interrupt()
                raise NetworkError(f"timed out opening {redact_url(self.url)}")
        with self._s.cond:
            if self._s.info is None:
                raise self._s.error or FormatError("the HLS stream has no media")
            return self._s.info

    def read(self) -> DemuxPacket | None:
        return self._packets.read()

    def seek(self, position: float, exact: bool) -> None:
        if self._s.live:
            return
        self._packets.clear_for_seek(position)

    def interrupt(self) -> None:
        with self._s.cond:
            self._s.interrupted = True
            self._s.cancel.set()
            self._s.cond.notify_all()

    def close(self) -> None:
        self._s.stop.set()
        self.interrupt()
        self._fetcher.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(0.5)

    def select_variant(self, index: int | None) -> None:
        with self._s.cond:
            if index is not None and (
                index < 0 or (self._s.ladder and index >= len(self._s.ladder))
            ):
                raise ValueError(f"no variant {index}")
            self._s.manual = index
            self._s.cond.notify_all()

    def select_audio_track(self, index: int | None) -> None:
        """Play alternate audio track ``index`` (``MediaInfo.audio_tracks``);
        None: the default one. Takes effect at the next segment boundary of
        the new rendition after what has been read, timestamps continuous."""
        self._tracks.request("audio", index, self._renditions.audio_tracks)

    def select_subtitle_track(self, index: int | None) -> None:
        """Show subtitle track ``index`` (``MediaInfo.subtitle_tracks``); None: off."""
        self._tracks.request("subtitles", index, self._renditions.subtitle_tracks)

    def subtitle_text(self, position: float) -> str | None:
        """The text of the subtitle cues active at ``position`` (lines joined
        with newlines), or None. Cheap: the engine asks about 50 times a second."""
        if self._renditions.subtitle_index is None:
            return None
        return self._renditions.cues.text_at(position)

    def audio_tracks(self) -> tuple[TrackInfo, ...]:
        return tuple(t.info for t in self._renditions.audio_tracks)

    def subtitle_tracks(self) -> tuple[TrackInfo, ...]:
        return tuple(t.info for t in self._renditions.subtitle_tracks)

    def selected_tracks(self) -> tuple[int | None, int | None]:
        """(audio track, subtitle track) in use now."""
        return self._renditions.audio_index, self._renditions.subtitle_index

    # ------------------------------------------------------------------ extras

    def video_decoder(self) -> str | None:
        contexts = self._demuxer.video_contexts
        return contexts.in_use() if contexts is not None else None

    def set_playback_position(self, seconds: float) -> None:
        with self._s.cond:
            self._s.position = seconds
            self._s.cond.notify_all()

    def pin_height(self, height: int | None) -> None:
        """Lock, from the first segment on, the tallest rung at or under
        ``height`` lines (compare runs: like with like); None: automatic."""
        with self._s.cond:
            self._s.pin_height = height
            if height is None:
                self._s.manual = None
            elif self._s.ladder:
                self._s.manual = pinned_rung(self._s.ladder, height)
            self._s.cond.notify_all()

    def pin_variant(self, index: int) -> None:
        """Before ``open``: play rung ``index`` (lowest bitrate first) from
        the first segment on; one the ladder lacks fails the open."""
        if index < 0:
            raise ValueError(f"no variant {index}")
        with self._s.cond:
            self._s.pin_variant = index

    def set_max_resolution(self, width: int | None, height: int | None) -> None:
        """Cap automatic choices to the view's size (None: no cap)."""
        with self._s.cond:
            self._s.max_resolution = None if not width or not height else (width, height)

    def buffer_level(self) -> float:
        return self._s.buffer_level()

    def estimate_bps(self) -> float:
        return self._abr.meter.estimate_bps()

    def abr_status(self) -> AbrStatus:
        variant = self._s.rung
        ladder = self._s.ladder
        return AbrStatus(
            variant_index=variant,
            playing_index=self.playing_variant(),
            variant_bandwidth=ladder[variant].bandwidth
            if variant is not None and variant < len(ladder)
            else None,
            estimate_bps=self.estimate_bps(),
            buffer_s=self.buffer_level(),
            variants=len(ladder),
            segment_gaps=len(self.segment_gaps),
            slow_segments=self.slow_segments,
            estimate_measured=self.estimate_measured(),
            policy=self._policy.name,
        )

    @property
    def started_at(self) -> float:
        """The clock time the timeline's ``t`` counts from."""
        return self._s.t0

    def estimate_measured(self) -> bool:
        """False while ``estimate_bps`` is the default, before any measurement."""
        return self._abr.meter.measured

    def current_variant(self) -> int | None:
        """The rung being fetched (the ABR's latest choice)."""
        return self._s.rung

    def playing_variant(self) -> int | None:
        """The rung of the media at the playback position (None before any)."""
        return self._packets.playing_variant()

    def variants(self) -> tuple[VariantInfo, ...]:
        return self._ladder.variants()

    def timeline(self) -> list[TimelineEntry]:
        with self._s.cond:
            return list(self._s.timeline)

    def live_latency(self) -> float | None:
        """Seconds between the play position and the live edge, when live
        (``FetchCursor.live_latency``)."""
        return self._cursor.live_latency()

    def edge_latency(self) -> float | None:
        """Seconds from the play position to the end of the live playlist
        (``FetchCursor.edge_latency``)."""
        return self._cursor.edge_latency()

    def program_date_time(self, position: float) -> datetime | None:
        """The EXT-X-PROGRAM-DATE-TIME of timeline ``position`` (None without one)."""
        return self._dates.date_at(position)
