"""``HlsSource``: our HLS engine behind the ``Source`` packet interface.

One loader thread fetches playlists and segments ahead of playback (bounded by
a buffer target in seconds and a byte cap), measures every download, asks the
ABR policy for the rung of each segment, decrypts, demuxes the segment bytes
with PyAV (format forced, no protocols) and maps timestamps onto one
continuous timeline. ``read()`` only pops packets, so the demux thread never
waits on the network for longer than the read timeout, and ``interrupt()`` /
``close()`` return at once whatever the server does.

This module is that loader's orchestration: what to fetch when, from which
rung, and the packet queue. The downloads, the demuxing, the alternate
renditions and the live edge's moves are collaborators in their own modules
(``downloads``, ``segment_demux``, ``followers``, ``live_edge``,
``hint_streams``), handed what they need rather than the loader's state.
"""

from __future__ import annotations

import heapq
import logging
import random
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ..abr.driver import AbrDriver, Inputs
from ..abr.hybrid import HybridPolicy
from ..abr.policy import AbrPolicy, Decision
from ..capabilities import AbrStatus, TimelineEntry
from ..clock import Clock, SystemClock
from ..config import DEFAULT_CONFIG, PlayerConfig
from ..error_text import ErrorCode
from ..errors import (
    FormatError,
    NetworkError,
    PlayerError,
    PlaylistError,
    SecurityError,
    error_for,
)
from ..events import (
    AudioInfo,
    Event,
    MediaInfo,
    Reconnected,
    Reconnecting,
    TrackInfo,
    VariantInfo,
    VariantSwitched,
    VideoInfo,
    WarningRaised,
)
from ..fetch import FetchAborted, Fetcher, HttpFetcher, HttpStatusError, TransferKind
from ..hwdec import VideoContexts
from ..redact import redact, redact_url
from ..retry import PLAYLIST_RETRY, SEGMENT_RETRY, RetryPolicy
from ..source import DemuxPacket, SourceInfo
from ..warning_reasons import Reason
from ..warning_text import WarningCode
from .crypto import decrypt_aes128
from .downloads import Downloads
from .followers import FollowerIO, Renditions
from .hint_streams import HintStreams
from .live import (
    LiveReloader,
    duration_ahead,
    max_live_lag,
    part_at,
    rejoin_reason,
    target_latency,
    uses_parts,
)
from .live_edge import (
    Chunk,
    OutageWatch,
    Track,
    edge_date,
    live_chunk,
    live_start_point,
    reload_live,
    ride_out,
    switch_params,
)
from .origin_check import OriginCheck
from .penalty_box import DEFAULT_PENALTY_S, PenaltyBox
from .playlist import MAX_SEGMENTS, MediaPlaylist, MultivariantPlaylist, Segment, Variant
from .rendition import RenditionCursor, RenditionTrack
from .segment_demux import SegmentDemuxer, dts_key
from .slow_transfer import SlowTransfer, slow_verdict
from .timeline import DateMap
from .view_cap import covering_rung, pinned_rung

__all__ = ["HlsConfig", "HlsSource", "TimelineEntry"]

log = logging.getLogger(__name__)

#: seconds read() gives the loader beyond its own timeouts before giving up
#: itself (the loader's read timeout and read()'s are the same length)
_GRACE = 1.0
#: live: playlist reloads that may show a segment failing everywhere to be
#: a hole (a newer one listed) before it is taken for the origin failing
_HOLE_RELOADS = 3
#: read timeouts without a byte after which read() gives up, however busy
#: the loader is: one retry of a stalled segment fits, and a dead origin is
#: still one clear error within 10 s (the README's bound)
_STALL_READS = 2


class _OriginAway(Exception):
    """Out of a VOD segment's retries: the origin is away as a whole
    (``error``: how its playlist failed); the step is ridden out."""

    def __init__(self, error: NetworkError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class HlsConfig:
    max_segments: int = MAX_SEGMENTS
    max_segment_bytes: int = 64 * 1024 * 1024
    #: seconds fetched ahead of the play position; None: ``BufferConfig.max_seconds``
    buffer_target: float | None = None
    stuck_factor: float = 3.0
    max_timeline_entries: int = 20_000
    #: consecutive segments that fail to demux before the error is fatal
    max_bad_segments: int = 3
    #: consecutive segments that fail to load from every variant and copy (VOD,
    #: or live behind the edge), each skipped as a gap, before the error is
    #: fatal (no progress is made)
    max_failed_segments: int = 3
    #: seconds of a segment transfer before its rate is judged (slow-segment)
    slow_after: float = 2.0
    #: seconds a variant whose segment failed on every copy stays out of the
    #: ABR's choices before it is re-admitted (``penalty_box``)
    variant_penalty: float = DEFAULT_PENALTY_S
    #: LL-HLS: fetch partial segments (and preload hints) at the live edge and
    #: aim for PART-HOLD-BACK, when the playlist offers them (hls.js's default)
    low_latency: bool = True
    #: ask for playlist delta updates (_HLS_skip=YES) when CAN-SKIP-UNTIL allows
    delta_updates: bool = True
    #: live: seconds the fetch position may fall behind the target latency
    #: before it jumps ahead to it (None: ``live.max_live_lag``'s default)
    max_live_lag: float | None = None


class _End:
    """The stream has no more segments (a VOD's end), as opposed to a gap."""


_END = _End()


class _Abandon(Exception):
    def __init__(self, decision: Decision) -> None:
        self.decision = decision


class HlsSource:
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
    ) -> None:
        self.url = url
        self._wall = wall or (lambda: datetime.now(UTC))
        self._config = config
        self._clock = clock or SystemClock()
        self._emit_cb = emit
        self._fetcher = fetcher or HttpFetcher(config.network, self._clock)
        self._policy: AbrPolicy = policy or HybridPolicy()
        self._hls = hls or HlsConfig()
        self._rand = rand or random.random
        self._buffer_target = (
            self._hls.buffer_target
            if self._hls.buffer_target is not None
            else config.buffer.max_seconds
        )
        #: the policy's wiring, shared with the trace simulator
        self._abr = AbrDriver(self._policy)
        self._meter = self._abr.meter
        self._t0 = self._clock.now()

        self._cond = threading.Condition()
        self._queue: deque[DemuxPacket] = deque()
        self._queued_bytes = 0
        self._ended = False
        self._error: PlayerError | None = None
        self._interrupted = False
        self._stop = threading.Event()
        self._cancel = threading.Event()
        self._opened = threading.Event()
        self._thread: threading.Thread | None = None
        self._generation = 0
        self._seek_request: float | None = None

        self._position: float | None = None
        self._read_pts: float | None = None
        self._fetched_until = 0.0
        self._stalled = False
        #: clock time the loader last received bytes (read() waits while it does)
        self._progress_at = self._clock.now()
        #: clock time until which the loader is known to be busy with a request
        #: (connecting, or waiting to retry one): read() waits for it
        self._busy_until = self._clock.now()

        self._ladder: list[Variant] = []
        #: track changes asked for by the user, applied by the loader thread
        self._requests: dict[str, int | None] = {}
        #: read() hands out nothing at or after this time (an audio switch in progress)
        self._hold_at: float | None = None
        #: highest decode time handed out by read()
        self._read_front: float | None = None
        self._rung: int | None = None
        self._manual: int | None = None
        self._pin_height: int | None = None
        #: a rung locked by its index from the first segment on (--variant)
        self._pin_variant: int | None = None
        self._max_resolution: tuple[int, int] | None = None
        #: (output time where a fetched chunk starts, its rung), in fetch order:
        #: what plays at a position is the rung fetched for it, which lags the
        #: ABR's choice by the buffer
        self._rungs_at: deque[tuple[float, int]] = deque(maxlen=4096)
        #: variants that failed lately, out of the ABR's choices for a while
        self._penalty = PenaltyBox(self._hls.variant_penalty)
        #: which copy of each rung is in use: 0 its URI, n its n-th backup
        self._copy: dict[int, int] = {}
        self._tracks: dict[int, Track] = {}
        self._live = False
        self._info: SourceInfo | None = None

        self._next_time = 0.0
        self._next_seq: int | None = None
        #: LL-HLS: the next part of segment ``_next_seq`` (0: its start)
        self._next_part = 0
        self._ll = False
        #: (sequence, part, assumed duration) of a part fetched by its preload hint
        self._hint_fix: tuple[int, int, float] | None = None
        self._hints_ok = True
        #: rung → blocking-reload parameters from a rendition report (LL switch)
        self._switch_params: dict[int, dict[str, str]] = {}
        self._live_edge_time: float | None = None
        self._edge_loaded_at = 0.0
        #: the main playlist is as old as an outage: reload it before going on
        self._refresh = False
        #: the renditions are to be lined up with the main cursor again (a rejoin)
        self._reanchor = False
        net = config.network
        self._outage = OutageWatch(net.live_outage_timeout if net.reconnect else 0.0)
        self._live_latency_target: float | None = None
        #: LL-HLS counters, for the metrics and the tests
        self.ll_stats = {
            "parts": 0,
            "hints": 0,
            "blocking_reloads": 0,
            "delta_updates": 0,
            "audio_parts": 0,
            "streamed_parts": 0,
        }
        self._hint_streams = HintStreams(
            self._fetcher,
            self._cancel,
            max_bytes=self._hls.max_segment_bytes,
            check_stop=self._check_stop,
            warn=self._warn,
            received=self._received,
            stats=self.ll_stats,
        )
        self._downloads = Downloads(
            self._fetcher,
            self._cancel,
            self._meter,
            self._hint_streams,
            max_segments=self._hls.max_segments,
            rand=self._rand,
            sleep=self._sleep,
            check_stop=self._check_stop,
            received=self._received,
            failed=self._note_failure,
            worked=self._fetch_worked,
            warn=self._warn,
            # looked up at each call, so the name here is the one used (tests spy on it)
            decrypt=lambda data, key, iv: decrypt_aes128(data, key, iv),
            busy=self._busy,
        )
        self._dates = DateMap()
        self._demuxer = SegmentDemuxer(VideoContexts(self._config.decode.hwdec, self._warn))
        self._io = FollowerIO(
            clock=self._clock,
            stuck_factor=self._hls.stuck_factor,
            max_segment_bytes=self._hls.max_segment_bytes,
            load=lambda url, blocking: self._downloads.media_playlist(url, blocking),
            fetch=lambda seg, kind, cap, retry, edge: self._downloads.media(
                seg, kind, cap, retry=retry, live_edge=edge
            ),
            audio_packets=self._audio_packets,
            anchor=self._anchor,
            cue_time=self._cue_time,
            sleep=self._sleep,
            check_stop=self._check_stop,
            open_stream=self._hint_streams.open,
            warn=self._warn,
            stats=self.ll_stats,
        )
        self._renditions = Renditions(self._io)
        self._bad_segments = 0
        #: VOD segments in a row skipped because they failed everywhere
        self._failed_in_row = 0
        self._origin = OriginCheck(
            self._outage,
            self._clock,
            lambda url: self._downloads.media_playlist(url, retry=RetryPolicy(max_attempts=1)),
        )
        #: sequence numbers of the segments skipped that way (for the tests and stats)
        self.segment_gaps: list[int] = []
        #: segments reported slow (downloading slower than they play, not in time)
        self.slow_segments = 0
        self._timeline: deque[TimelineEntry] = deque(maxlen=self._hls.max_timeline_entries)

    # ------------------------------------------------------------------ Source API

    @property
    def is_live(self) -> bool:
        return self._live

    def open(self) -> SourceInfo:
        self._thread = threading.Thread(target=self._run, name="hls-loader", daemon=True)
        self._thread.start()
        deadline = self._clock.now() + self._config.network.open_timeout + 5.0
        while not self._opened.is_set():
            with self._cond:
                self._clock.wait_for(self._cond, self._open_wakes_locked, 0.05)
                if self._opened.is_set():
                    break
                if self._error is not None:
                    raise self._error
                if self._interrupted:
                    raise NetworkError("opening the HLS stream was interrupted")
                if self._ended:
                    raise FormatError("the HLS stream ended before any media")
            if self._clock.now() > deadline:
                self.interrupt()
                raise NetworkError(f"timed out opening {redact_url(self.url)}")
        with self._cond:
            if self._info is None:
                raise self._error or FormatError("the HLS stream has no media")
            return self._info

    def read(self) -> DemuxPacket | None:
        timeout = self._config.network.read_timeout
        if self._live and self._tracks:
            timeout += 2 * max(t.playlist.target_duration for t in self._tracks.values())
        with self._cond:
            started = self._clock.now()
            while not self._readable_locked():
                if self._interrupted:
                    raise NetworkError("reading the HLS stream was interrupted")
                if self._error is not None:
                    raise self._error
                if self._ended and not self._queue:
                    return None
                waited = self._clock.now() - started
                if not self._stalled and self._position is not None and waited >= 0.25:
                    self._stalled = True
                    self._mark("stall", "no segment data ahead of playback")
                # a slow download is not a dead one: the timeout counts from the
                # later of this call, the last bytes the loader received and the
                # end of what it is known to be busy with; a grace lets the
                # loader's own read timeout (the same length) and its retry
                # act first: only the loader knows the segment is being retried
                now = self._clock.now()
                last = self._progress_at
                deadline = max(
                    started + timeout,
                    last + _GRACE + timeout,
                    min(self._busy_until + timeout, last + _STALL_READS * timeout),
                )
                failing = self._outage.failing_since
                if failing is not None:
                    # a live outage: the loader retries, bounded, and fails itself
                    deadline = max(deadline, failing + self._outage.bound + timeout)
                if now >= deadline:
                    raise NetworkError(f"no HLS data for {timeout:g} s from {redact_url(self.url)}")
                # wakes for anything the checks above read; the timeout
                # paces the stall mark and the idle deadline
                self._clock.wait_for(self._cond, self._read_wakes_locked, 0.05)
            self._stalled = False
            pkt = self._queue.popleft()
            self._queued_bytes -= pkt.size
            if pkt.pts is not None:
                self._read_pts = pkt.pts
            t = pkt.dts if pkt.dts is not None else pkt.pts
            if t is not None and (self._read_front is None or t > self._read_front):
                self._read_front = t
            self._cond.notify_all()
            return pkt

    def _open_wakes_locked(self) -> bool:
        return self._opened.is_set() or self._error is not None or self._interrupted or self._ended

    def _read_wakes_locked(self) -> bool:
        return (
            self._readable_locked()
            or self._interrupted
            or self._error is not None
            or (self._ended and not self._queue)
        )

    def _readable_locked(self) -> bool:
        if not self._queue:
            return False
        if self._hold_at is None:
            return True
        head = self._queue[0]
        t = head.dts if head.dts is not None else head.pts
        return t is None or t < self._hold_at

    def seek(self, position: float, exact: bool) -> None:
        if self._live:
            return
        with self._cond:
            self._generation += 1
            self._rungs_at.clear()
            self._queue.clear()
            self._queued_bytes = 0
            self._seek_request = max(0.0, position)
            self._position = max(0.0, position)
            self._read_pts = None
            self._read_front = None
            self._hold_at = None
            self._fetched_until = max(0.0, position)
            self._ended = False
            self._cancel.set()
            self._cond.notify_all()

    def interrupt(self) -> None:
        with self._cond:
            self._interrupted = True
            self._cancel.set()
            self._cond.notify_all()

    def close(self) -> None:
        self._stop.set()
        self.interrupt()
        self._fetcher.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(0.5)

    def select_variant(self, index: int | None) -> None:
        with self._cond:
            if index is not None and (index < 0 or (self._ladder and index >= len(self._ladder))):
                raise ValueError(f"no variant {index}")
            self._manual = index
            self._cond.notify_all()

    def select_audio_track(self, index: int | None) -> None:
        """Play alternate audio track ``index`` (``MediaInfo.audio_tracks``);
        None: the default one. Takes effect at the next segment boundary of
        the new rendition after what has been read, timestamps continuous."""
        self._request("audio", index, self._renditions.audio_tracks)

    def select_subtitle_track(self, index: int | None) -> None:
        """Show subtitle track ``index`` (``MediaInfo.subtitle_tracks``); None: off."""
        self._request("subtitles", index, self._renditions.subtitle_tracks)

    def _request(self, kind: str, index: int | None, tracks: list[RenditionTrack]) -> None:
        with self._cond:
            known = self._opened.is_set()
            if index is not None and (index < 0 or (known and index >= len(tracks))):
                raise ValueError(f"no {kind} track {index}")
            self._requests[kind] = index
            if kind == "subtitles" and index is None:
                self._renditions.subtitle_index = None  # off at once, whatever the loader is doing
            self._cond.notify_all()

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
        with self._cond:
            self._position = seconds
            self._cond.notify_all()

    def pin_height(self, height: int | None) -> None:
        """Lock, from the first segment on, the tallest rung at or under
        ``height`` lines (compare runs: like with like); None: automatic."""
        with self._cond:
            self._pin_height = height
            if height is None:
                self._manual = None
            elif self._ladder:
                self._manual = pinned_rung(self._ladder, height)
            self._cond.notify_all()

    def pin_variant(self, index: int) -> None:
        """Before ``open``: play rung ``index`` (lowest bitrate first) from
        the first segment on; one the ladder lacks fails the open."""
        if index < 0:
            raise ValueError(f"no variant {index}")
        with self._cond:
            self._pin_variant = index

    def set_max_resolution(self, width: int | None, height: int | None) -> None:
        """Cap automatic choices to the view's size (None: no cap)."""
        with self._cond:
            self._max_resolution = None if not width or not height else (width, height)

    def buffer_level(self) -> float:
        with self._cond:
            return self._buffer_level_locked()

    def estimate_bps(self) -> float:
        return self._meter.estimate_bps()

    def abr_status(self) -> AbrStatus:
        variant = self._rung
        ladder = self._ladder
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
        )

    @property
    def started_at(self) -> float:
        """The clock time the timeline's ``t`` counts from."""
        return self._t0

    def estimate_measured(self) -> bool:
        """False while ``estimate_bps`` is the default, before any measurement."""
        return self._meter.measured

    def current_variant(self) -> int | None:
        """The rung being fetched (the ABR's latest choice)."""
        return self._rung

    def playing_variant(self) -> int | None:
        """The rung of the media at the playback position (None before any)."""
        with self._cond:
            position = self._position if self._position is not None else 0.0
            for start, rung in reversed(self._rungs_at):
                if start <= position + 1e-3:
                    return rung
            return self._rungs_at[0][1] if self._rungs_at else None

    def variants(self) -> tuple[VariantInfo, ...]:
        return tuple(self._variant_info(i, v) for i, v in enumerate(self._ladder))

    def timeline(self) -> list[TimelineEntry]:
        with self._cond:
            return list(self._timeline)

    def live_latency(self) -> float | None:
        """Seconds between the play position and the live edge, when live:
        from EXT-X-PROGRAM-DATE-TIME (the wall clock now minus the date at the
        position) where the playlist has it and it agrees with the playlist
        within a few target durations, else ``edge_latency``."""
        latency = self.edge_latency()
        if latency is None:
            return None
        with self._cond:
            pos = self._position if self._position is not None else self._read_pts
        track = self._tracks.get(self._rung) if self._rung is not None else None
        if pos is None or track is None:
            return latency
        td = track.playlist.target_duration
        date = self._dates.date_at(pos)
        if date is not None:
            by_date = (self._wall() - date).total_seconds()
            if abs(by_date - latency) <= max(2 * td, 3.0):
                return max(0.0, by_date)
        return latency

    def edge_latency(self) -> float | None:
        """Seconds from the play position to the end of the live playlist
        (parts included), moved on by the time since it was loaded (at most
        one target duration while the origin answers, so a stalled server
        does not run it away). No wall clock involved."""
        if not self._live:
            return None
        with self._cond:
            pos = self._position if self._position is not None else self._read_pts
            edge = self._live_edge_time
            loaded = self._edge_loaded_at
        track = self._tracks.get(self._rung) if self._rung is not None else None
        if pos is None or edge is None or track is None:
            return None
        td = track.playlist.target_duration
        age = max(0.0, self._clock.now() - loaded)
        if self._outage.failing_since is None:
            age = min(age, td)  # a stalled origin's edge does not move; one that is away does
        return max(0.0, edge + age - pos)

    def program_date_time(self, position: float) -> datetime | None:
        """The EXT-X-PROGRAM-DATE-TIME of timeline ``position`` (None without one)."""
        return self._dates.date_at(position)

    # ------------------------------------------------------------------ helpers

    def _now(self) -> float:
        return self._clock.now() - self._t0

    def _emit(self, event: Event) -> None:
        if self._emit_cb is None:
            return
        try:
            self._emit_cb(event)
        except Exception:  # a subscriber's bug must not kill the loader
            log.exception("HLS event subscriber raised")

    def _warn(self, code: WarningCode, /, **params: object) -> None:
        self._emit(WarningRaised.of(code, params, t=self._now()))

    def _received(self) -> None:
        """Bytes came in: read() keeps waiting for a slow download."""
        self._progress_at = self._clock.now()

    def _busy(self, seconds: float | None) -> None:
        """The loader starts a request (None: it may take the connect timeout
        to answer) or waits ``seconds`` before retrying one."""
        net = self._config.network
        span = max(net.open_timeout - net.read_timeout, 0.0) if seconds is None else seconds
        self._busy_until = max(self._busy_until, self._clock.now() + span + _GRACE)

    def _buffer_level_locked(self) -> float:
        pos = self._position if self._position is not None else self._read_pts
        return max(0.0, self._fetched_until - (pos or 0.0))

    def _mark(self, marker: str | None, detail: str = "") -> None:
        bitrate = self._ladder[self._rung].bitrate if self._rung is not None and self._ladder else 0
        self._timeline.append(
            TimelineEntry(
                t=self._now(),
                estimate_bps=self._meter.estimate_bps(),
                selected_bitrate=bitrate,
                buffer=self._buffer_level_locked(),
                marker=marker,
                detail=detail,
                measured=self._meter.measured,
            )
        )

    def _sleep(self, seconds: float) -> None:
        """Wait, waking early for stop, interrupt or a seek."""
        with self._cond:
            self._clock.wait_for(
                self._cond,
                lambda: self._stop.is_set() or self._interrupted or self._seek_request is not None,
                seconds,
            )

    def _check_stop(self) -> None:
        if self._stop.is_set() or self._interrupted:
            raise FetchAborted("stopped")

    @staticmethod
    def _variant_info(i: int, v: Variant) -> VariantInfo:
        return VariantInfo(
            index=i,
            bandwidth=v.bandwidth,
            width=v.width,
            height=v.height,
            codecs=v.codecs,
            frame_rate=v.frame_rate,
            name=f"{v.height}p" if v.height else f"{v.bandwidth // 1000} kb/s",
        )

    # ------------------------------------------------------------------ fetching

    def _track(
        self, rung: int, *, reload: bool = False, retry: RetryPolicy = PLAYLIST_RETRY
    ) -> Track:
        track = self._tracks.get(rung)
        if track is not None and not reload:
            return track
        variant = self._ladder[rung]
        # from the copy in use (a redundant stream after a failover) onwards
        first = self._copy.get(rung, 0)
        urls = (variant.uri, *variant.backups)[first:]
        last: PlayerError | None = None
        params = self._switch_params.pop(rung, None)
        for n, u in enumerate(urls):
            try:
                pl = self._downloads.media_playlist(
                    u, blocking=params if u == variant.uri else None, retry=retry
                )
                self._copy[rung] = first + n
                break
            except (NetworkError, PlaylistError) as exc:
                if isinstance(exc, FetchAborted):
                    raise
                last = exc
        else:
            assert last is not None
            raise last
        if track is None:
            track = Track(pl, LiveReloader(stuck_factor=self._hls.stuck_factor), self._clock.now())
            self._tracks[rung] = track
        else:
            track.playlist = pl
            track.loaded_at = self._clock.now()
        track.reloader.update(pl, self._clock.now())
        return track

    def _segment_bytes(
        self, seg: Segment, rung: int, live_edge: bool, *, retry: RetryPolicy = SEGMENT_RETRY
    ) -> bytes:
        bitrate = self._ladder[rung].bandwidth if self._ladder[rung].bandwidth else 0
        expected = int(bitrate * seg.duration / 8) if bitrate else 0
        cap = self._hls.max_segment_bytes
        if expected:
            cap = min(cap, max(3 * expected, 4 * 1024 * 1024))
        download = self._abr.begin(rung, expected)
        last_check = [0.0]
        warned = [False]

        def progress(done: int, total: int | None, elapsed: float) -> bool:
            if elapsed >= self._hls.slow_after and elapsed - last_check[0] >= 0.1:
                last_check[0] = elapsed
                self._check_slow(seg, rung, done, total or expected or None, elapsed, warned)
            if self._manual is not None or not self._abr.due(download, elapsed):
                return True
            decision = self._abr.check(download, self._inputs(seg.duration), done, total, elapsed)
            if decision is not None:
                raise _Abandon(decision)
            return True

        return self._downloads.media(
            seg, "segment", cap, retry=retry, live_edge=live_edge, progress=progress
        )

    def _check_slow(
        self,
        seg: Segment,
        rung: int,
        done: int,
        size: int | None,
        elapsed: float,
        warned: list[bool],
    ) -> None:
        """Say when playback is waiting on a slow segment, and give up one so
        slow that waiting for it is worse than asking again or elsewhere."""
        behind, give_up = slow_verdict(
            done,
            size,
            elapsed,
            self.buffer_level(),
            seg.duration,
            patience=self._hls.stuck_factor,
        )
        if not behind:
            return
        rate = done / elapsed / 1000
        if not warned[0]:
            warned[0] = True
            self.slow_segments += 1
            with self._cond:
                self._mark("slow", f"segment {seg.sequence} at {rate:.1f} kB/s")
            self._warn(WarningCode.SLOW_SEGMENT, sequence=seg.sequence, rate=f"{rate:.1f}")
        if not give_up:
            return
        if rung > 0 and self._manual is None:
            out = self._excluded()
            lower = [i for i in range(rung) if i not in out]
            if lower:
                self._meter.add_sample(done, elapsed, None)
                raise _Abandon(
                    Decision(
                        min(lower), "slow", f"segment {seg.sequence} arriving at {rate:.1f} kB/s"
                    )
                )
        raise SlowTransfer(
            f"segment {seg.sequence} abandoned: arriving at {rate:.1f} kB/s, too slow to wait for"
        )

    # ------------------------------------------------------------------ ABR

    def _cap_index(self) -> int:
        top = len(self._ladder) - 1
        if self._max_resolution is not None:
            top = covering_rung([(v.width, v.height) for v in self._ladder], self._max_resolution)
        out = self._excluded()
        while top > 0 and top in out:
            top -= 1
        return top

    def _inputs(self, duration: float) -> Inputs:
        remaining = None
        track = self._tracks.get(self._rung) if self._rung is not None else None
        if not self._live and track is not None and track.playlist.endlist:
            total = sum(s.duration for s in track.playlist.segments)
            remaining = max(0.0, total - self._next_time - duration)
        return Inputs(
            bitrates=tuple(float(v.bitrate or 1) for v in self._ladder),
            current=self._rung,
            buffer=self.buffer_level(),
            segment_duration=duration,
            buffer_target=self._buffer_target,
            max_index=self._cap_index(),
            now=self._clock.now(),
            live=self._live,
            remaining=remaining,
        )

    def _decide(self, duration: float) -> Decision:
        if len(self._ladder) <= 1:
            return Decision(0, "single", "one variant")
        manual = self._manual
        if manual is not None:
            manual = min(manual, len(self._ladder) - 1)
            if manual not in self._excluded():
                return Decision(manual, "manual", "locked by the user")
        d = self._abr.choose(self._inputs(duration))
        cap = self._cap_index()
        index = max(0, min(d.index, cap))
        out = self._excluded()
        while index in out and index > 0:
            index -= 1
        return Decision(index, d.rule, d.reason if index == d.index else d.reason + " (capped)")

    def _switch(self, decision: Decision) -> None:
        previous = self._rung
        if previous == decision.index:
            return
        self._rung = decision.index
        variant = self._ladder[decision.index]
        if self._live and previous is not None:
            self._prepare_live_switch(previous, decision.index)
        with self._cond:
            self._mark("switch", f"{decision.rule}: {decision.reason}")
            buffer = self._buffer_level_locked()
        self._emit(
            VariantSwitched(
                from_index=previous,
                to_index=decision.index,
                bandwidth=variant.bandwidth,
                estimate_bps=self._meter.estimate_bps(),
                buffer=buffer,
                rule=decision.rule,
                reason=decision.reason,
                t=self._now(),
                estimate_measured=self._meter.measured,
            )
        )
        self._regroup()

    def _prepare_live_switch(self, old: int, new: int) -> None:
        """A live rung's playlist is stale once we leave it: drop it. In LL-HLS
        the current playlist's EXT-X-RENDITION-REPORT for the new rung says how
        far it is, so the first request for it blocks for exactly that and the
        answer is fresh."""
        self._tracks.pop(new, None)
        current = self._tracks.get(old)
        if current is None:
            return
        params = switch_params(current.playlist, self._ladder[new].uri, self._ll)
        if params is not None:
            self._switch_params[new] = params

    # ------------------------------------------------------------------ loader thread

    def _run(self) -> None:
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
            with self._cond:
                self._ended = True
                self._cond.notify_all()

    def _fail(self, exc: PlayerError) -> None:
        with self._cond:
            if self._stop.is_set():
                return
            self._error = exc
            self._mark("error", str(exc))
            self._cond.notify_all()

    def _bootstrap(self) -> None:
        top = self._downloads.playlist(self.url)
        if isinstance(top, MultivariantPlaylist):
            self._downloads.multivariant = top
            playable = [v for v in top.variants]
            self._ladder = sorted(playable, key=lambda v: (v.bitrate, v.bandwidth))
            self._renditions.offer(top, self._ladder)
            if self._pin_height is not None:
                self._manual = pinned_rung(self._ladder, self._pin_height)
        else:
            self._ladder = [Variant(index=0, uri=top.url, bandwidth=0)]
            self._tracks[0] = Track(
                top, LiveReloader(stuck_factor=self._hls.stuck_factor), self._clock.now()
            )
            self._tracks[0].reloader.update(top, self._clock.now())
        if self._pin_variant is not None:
            count = len(self._ladder)
            if self._pin_variant >= count:
                raise error_for(
                    ErrorCode.NO_SUCH_VARIANT,
                    variant=self._pin_variant,
                    count=count,
                    last=count - 1,
                )
            self._manual = self._pin_variant
        first = self._decide(0.0)
        self._switch(first)
        track = self._track(first.index)
        pl = track.playlist
        self._live = pl.is_live
        if not pl.segments and not self._live:
            raise PlaylistError("media playlist without segments")
        self._position_start(pl)
        r = self._renditions
        r.live, r.ll = self._live, self._ll
        with self._cond:
            requests = dict(self._requests)
        if "audio" in requests:
            r.audio_index = r.valid(requests.pop("audio"), audio=True)
        if "subtitles" in requests:
            r.subtitle_index = r.valid(requests.pop("subtitles"), audio=False)
        with self._cond:
            self._requests = requests
        r.start(self._group("AUDIO"), self._group("SUBTITLES"), self._next_time)
        # fetch until the first segment with media gives us the stream parameters
        while not self._opened.is_set():
            if not self._step():
                raise FormatError("the HLS stream has no playable media")

    def _position_start(self, pl: MediaPlaylist) -> None:
        if self._live:
            self._ll = self._hls.low_latency and uses_parts(pl)
            self._live_latency_target = target_latency(pl, self._ll)
            self._seek_live_start(pl)
            self._next_time = 0.0
        else:
            start = 0.0
            if pl.start_offset is not None:
                off = pl.start_offset
                start = off if off >= 0 else max(0.0, pl.duration + off)
            self._next_time = self._segment_at(pl, start).start if pl.segments else 0.0
        with self._cond:
            self._fetched_until = self._next_time

    def _seek_live_start(self, pl: MediaPlaylist) -> None:
        """Point the live cursor at the target latency from the live edge."""
        self._next_seq, self._next_part = self._live_start_point(pl)

    def _live_start_point(self, pl: MediaPlaylist) -> tuple[int, int]:
        return live_start_point(pl, self._ll, self._live_latency_target)

    @staticmethod
    def _segment_at(pl: MediaPlaylist, t: float) -> Segment:
        for s in pl.segments:
            if s.end > t + 1e-3:
                return s
        return pl.segments[-1]

    def _loop(self) -> None:
        while not self._stop.is_set():
            if self._interrupted:
                return
            self._handle_seek()
            try:
                self._apply_requests()
                if not self._wait_for_room():
                    continue
                more = self._step()
            except FetchAborted:
                if self._stop.is_set() or self._interrupted:
                    return
                continue  # a seek cancelled the download
            except _OriginAway as away:
                # a follower's fetch (alternate audio) found the origin away
                self._ride_out_outage(away.error)
                continue
            except NetworkError as exc:
                if not self._outage_tolerated(exc):
                    raise
                self._ride_out_outage(exc)
                continue
            if not more:
                # VOD finished: wait for a seek, a track change or the end
                with self._cond:
                    if self._seek_request is None:
                        self._ended = True
                    self._cond.notify_all()
                    self._clock.wait_for(
                        self._cond,
                        lambda: (
                            self._stop.is_set()
                            or self._interrupted
                            or self._seek_request is not None
                            or bool(self._requests)
                        ),
                        1.0,
                    )

    def _handle_seek(self) -> None:
        with self._cond:
            target = self._seek_request
            self._seek_request = None
        if target is None or self._rung is None:
            return
        pl = self._track(self._rung).playlist
        seg = self._segment_at(pl, target)
        self._next_time = seg.start
        for f in (self._renditions.audio, self._renditions.subs):
            if f is not None:
                f.cursor.next_time = seg.start
        self._demuxer.pending_discontinuity = True
        with self._cond:
            self._fetched_until = seg.start
            self._ended = False

    def _wait_for_room(self) -> bool:
        with self._cond:
            max_bytes = self._config.buffer.max_bytes
            while not self._stop.is_set() and not self._interrupted:
                if self._seek_request is not None or self._requests:
                    return False
                if self._has_room_locked(max_bytes):
                    return True
                self._clock.wait_for(
                    self._cond,
                    lambda: (
                        self._stop.is_set()
                        or self._interrupted
                        or self._seek_request is not None
                        or bool(self._requests)
                        or self._has_room_locked(max_bytes)
                    ),
                    0.1,
                )
        return False

    def _has_room_locked(self, max_bytes: int) -> bool:
        return self._buffer_level_locked() < self._buffer_target and self._queued_bytes < max_bytes

    def _next_segment(self) -> tuple[MediaPlaylist, Chunk] | None:
        """The next segment (or LL-HLS part) of the current rung, reloading a
        live playlist as needed."""
        assert self._rung is not None
        while not self._stop.is_set() and not self._interrupted:
            track = self._track(self._rung, reload=self._refresh)
            self._refresh = False
            pl = track.playlist
            if not self._live:
                for s in pl.segments:
                    if s.end > self._next_time + 1e-3:
                        return pl, Chunk(s)
                return None
            assert self._next_seq is not None
            self._fix_hint(pl)
            with self._cond:
                stalled = self._position is not None and self._buffer_level_locked() < 0.5
            why = rejoin_reason(
                pl,
                self._next_seq,
                self._next_part,
                self._live_latency_target or target_latency(pl, self._ll),
                max_live_lag(pl, self._hls.max_live_lag, stalled=stalled),
                self._live_start_point(pl),
            )
            if why is not None:
                self._rejoin_live(pl, why)
            chunk = self._live_chunk(pl)
            if chunk is not None:
                self._update_live_edge(pl, track)
                if self._reanchor:
                    self._reanchor = False
                    self._reanchor_followers()
                return pl, chunk
            if pl.endlist:
                return None
            self._reload_live(track)
        return None

    def _live_chunk(self, pl: MediaPlaylist) -> Chunk | None:
        """The chunk at the live cursor if ``pl`` lists it (or hints at it)."""
        assert self._next_seq is not None
        seq, idx, chunk, opened = live_chunk(
            pl, self._next_seq, self._next_part, ll=self._ll, hints_ok=self._hints_ok
        )
        self._next_seq, self._next_part = seq, idx
        if opened is not None:
            # its bytes flow while the blocking reload waits for the part's
            # listing (and length); the listed part is then read from them
            self._hint_streams.open("main", opened.uri, opened.byterange_start or 0)
        return chunk

    def _fix_hint(self, pl: MediaPlaylist) -> None:
        """A part fetched by its hint is listed now: use its real duration."""
        if self._hint_fix is None:
            return
        seq, idx, guess = self._hint_fix
        part = part_at(pl, seq, idx)
        if part is None and pl.last_sequence < seq:
            return  # not listed yet
        self._hint_fix = None
        if part is not None and part.duration != guess:
            self._next_time += part.duration - guess
            with self._cond:
                self._fetched_until = self._next_time

    def _update_live_edge(self, pl: MediaPlaylist, track: Track) -> None:
        assert self._next_seq is not None
        ahead = duration_ahead(pl, self._next_seq, self._next_part)
        with self._cond:
            self._live_edge_time = self._next_time + ahead
            self._edge_loaded_at = track.loaded_at
        # EXT-X-PROGRAM-DATE-TIME of the latest segment that has one
        dated = edge_date(pl, self._next_seq, self._next_part, self._next_time)
        if dated is not None:
            self._dates.add(*dated)

    def _reload_live(self, track: Track) -> None:
        assert self._rung is not None
        reload_live(
            track,
            self._ladder[self._rung].uri,
            (self._next_seq, self._next_part) if self._next_seq is not None else None,
            ll=self._ll,
            delta_updates=self._hls.delta_updates,
            stuck_factor=self._hls.stuck_factor,
            failing=self._outage.failing_since is not None,
            clock=self._clock,
            load=lambda url, blocking, retry: self._downloads.media_playlist(url, blocking, retry),
            sleep=self._sleep,
            check_stop=self._check_stop,
            stats=self.ll_stats,
        )

    def _fetch_worked(self) -> None:
        if self._origin.checking:
            return  # the origin answers, but the fetch that failed has not worked
        self._origin.worked()
        if self._outage.failing_since is not None:
            self._failures_over()

    def _outage_tolerated(self, exc: NetworkError) -> bool:
        """Whether ``exc`` (out of a step) is the origin being away for a
        while: live, failures that last; VOD, once the playlist failed too."""
        if not self._live and not self._outage.playlist_failed:
            return False
        return self._outage.tolerated(exc)

    def _note_failure(self, exc: NetworkError, kind: TransferKind, delay: float | None) -> None:
        """A fetch failed (``delay``: it is tried again after that long).
        Live: failures that last are an outage: each retry is reported
        (``Reconnecting``) until something loads again. VOD: a segment that
        fails in a way an outage makes it fail has the origin asked whether
        it still answers (``_origin_away``)."""
        if not self._live:
            self._origin.failed()
            media = kind in ("segment", "part", "init", "key")
            if media and not self._origin.checking and self._origin_away(exc):
                raise _OriginAway(exc)
            return
        if self._outage.note(exc, kind, delay, self._clock.now()):
            assert delay is not None
            self._outage_reported(redact(str(exc)), delay)

    def _origin_away(self, exc: NetworkError, *, again: bool = False) -> bool:
        """VOD: whether the origin as a whole is away after a segment failed
        with ``exc`` (``OriginCheck``): ridden out then as a live outage is,
        the segment fetched again once it answers."""
        if self._rung is None:
            return False
        variant = self._ladder[self._rung]
        copies = (variant.uri, *variant.backups)[self._copy.get(self._rung, 0) :]
        return self._origin.away(exc, copies, again=again)

    def _outage_reported(self, reason: str, delay: float) -> None:
        if not self._outage.attempt:
            with self._cond:
                self._mark("error", f"{'live ' if self._live else ''}origin unreachable: {reason}")
        self._outage.attempt += 1
        self._emit(Reconnecting.of(self._outage.attempt, delay, reason, t=self._now()))

    def _failures_over(self) -> None:
        """Something loaded after failures. After a reported outage nothing
        could advance or work meanwhile: stuck clocks restart, preload hints
        (and variants, if the playlists failed too) get another chance, and
        the playlist is reloaded before the next fetch (it is as old as the
        outage: we may have to rejoin)."""
        now = self._clock.now()
        outage, attempts, origin_wide = self._outage.over(now)
        if not attempts:
            return
        if origin_wide:
            self._penalty.clear()
        if not self._live:
            # VOD: the segment that failed is fetched again, nothing to rejoin
            with self._cond:
                self._mark("reload", f"origin back after {outage:.1f} s")
            self._emit(Reconnected(attempt=attempts, outage=outage, t=self._now()))
            return
        for track in self._tracks.values():
            track.reloader.restart(now)
        for f in (self._renditions.audio, self._renditions.subs):
            if f is not None:
                f.track.reloader.restart(now)
                f.hints_ok = True
        self._hints_ok = True
        self._hint_streams.ok = True
        self._refresh = True
        with self._cond:
            self._mark("reload", f"live origin back after {outage:.1f} s")
        self._emit(Reconnected(attempt=attempts, outage=outage, t=self._now()))

    def _ride_out_outage(self, exc: NetworkError) -> None:
        """A step failed for good with the origin away: reload the playlist
        with backoff and jitter until the origin answers (live:
        ``_next_segment`` then decides whether to rejoin; VOD: the segment
        is fetched again) or the outage bound has passed (then one fatal
        error). read() meanwhile waits without timing out: a stall."""
        assert self._rung is not None and self._outage.failing_since is not None
        rung = self._rung

        def reload() -> None:
            # one request per attempt: the backoff is the retry policy
            self._track(rung, reload=True, retry=RetryPolicy(max_attempts=1))

        ride_out(
            self._outage,
            exc,
            self.url,
            clock=self._clock,
            rand=self._rand,
            reload=reload,
            report=self._outage_reported,
            sleep=self._sleep,
            check_stop=self._check_stop,
            live=self._live,
        )
        self._refresh = False  # just reloaded
        # the step failed on every variant it could try: all get another chance
        self._penalty.clear()

    def _rejoin_live(self, pl: MediaPlaylist, why: Reason) -> None:
        """Jump the live cursor ahead to the target latency point, as at the
        start. The media skips ahead but the timeline goes on from where it
        is, re-based as at a discontinuity: the decoders see a break, not a
        hole as long as the lag."""
        with self._cond:
            self._mark("rejoin", why.english())
        self._seek_live_start(pl)
        self._hint_fix = None
        self._demuxer.pending_discontinuity = True
        self._demuxer.rebaser.break_next()
        self._reanchor = True
        self._warn(WarningCode.LIVE_REJOIN, reason=why)

    def _reanchor_followers(self) -> None:
        """After a rejoin: the renditions are lined up with the main cursor
        again, from fresh playlists (theirs are as old as the outage)."""
        for f in (self._renditions.audio, self._renditions.subs):
            if f is not None:
                f.reanchor(self._io, self._next_time)

    def _step(self) -> bool:
        """Fetch, demux and queue one segment (or part). False at the end of a VOD."""
        assert self._rung is not None
        nxt = self._next_segment()
        if nxt is None:
            return False
        pl, chunk = nxt
        if chunk.independent:  # never switch rungs inside a GOP
            decision = self._decide(chunk.seg.duration)
            if decision.index != self._rung:
                self._switch(decision)
                nxt = self._next_segment()
                if nxt is None:
                    return False
                pl, chunk = nxt
        seg = chunk.seg
        generation = self._generation
        try:
            if chunk.hint:
                data: bytes | None = self._hint_bytes(seg)
                if data is None:
                    return True
            else:
                got = self._fetch_with_fallback(pl, chunk)
                if got is not None and got[0] is not chunk:
                    chunk, seg = got[0], got[0].seg
                data = got[1] if got is not None else None
                if data is not None:
                    self._abr.finished(
                        float(self._ladder[self._rung].bitrate or 0), len(data), seg.duration
                    )
        except _Abandon as ab:
            self._switch(ab.decision)
            return True
        if chunk.part is not None:
            self.ll_stats["parts"] += 1
            self.ll_stats["hints"] += int(chunk.hint)
        if data is None:  # a gap: no media, the timeline moves on
            self._advance(chunk)
            with self._cond:
                self._mark("gap", f"segment {seg.sequence} is a gap")
            return True
        packets = self._demux_segment(data, seg)
        if packets is None:
            self._advance(chunk)
            return True
        end = self._next_time + seg.duration
        if not self._live and pl.endlist and seg is pl.segments[-1]:
            end = float("inf")  # the renditions' tails (audio segments cut elsewhere)
        af = self._renditions.audio
        audio = af.follow_audio(self._io, end) if af is not None else []
        merged = sorted(packets + audio, key=dts_key)
        with self._cond:
            if generation != self._generation or self._seek_request is not None:
                return True
            for p in merged:
                self._queue.append(p)
                self._queued_bytes += p.size
            self._rungs_at.append((self._next_time, self._rung))
            self._advance(chunk)
            self._failed_in_row = 0
            self._mark(None)
            self._cond.notify_all()
        self._renditions.follow_subtitles(end)
        if merged and not self._opened.is_set():
            self._build_info(pl)
        return True

    def _hint_bytes(self, seg: Segment) -> bytes | None:
        """A part fetched through its preload hint (the server answers when the
        part exists). One attempt: a server that fails hints gets blocking
        playlist reloads instead."""
        assert self._rung is not None
        try:
            return self._segment_bytes(seg, self._rung, True, retry=RetryPolicy(max_attempts=1))
        except (FetchAborted, SecurityError):
            raise
        except NetworkError as exc:
            self._check_stop()  # closing mid-request is not a failing hint
            self._hints_ok = False
            self._warn(WarningCode.PRELOAD_HINT_FAILED, reason=exc)
            return None

    def _advance(self, chunk: Chunk) -> None:
        seg = chunk.seg
        self._dates.add(seg.program_date_time, self._next_time)
        self._next_time += seg.duration
        if self._live:
            if chunk.part is None:
                self._next_seq, self._next_part = seg.sequence + 1, 0
            else:
                self._next_seq, self._next_part = seg.sequence, chunk.part + 1
                if chunk.hint:
                    self._hint_fix = (seg.sequence, chunk.part, seg.duration)
        self._fetched_until = self._next_time

    def _fetch_with_fallback(self, pl: MediaPlaylist, chunk: Chunk) -> tuple[Chunk, bytes] | None:
        """The chunk's bytes; on lasting failure, the same time from another
        copy or rung (which may be another chunk: it is returned with its
        bytes). None for a gap."""
        assert self._rung is not None
        #: rungs that failed this time of the stream
        tried: set[int] = set()
        while True:
            seg = chunk.seg
            if seg.gap:
                return None
            live_edge = self._live and seg.sequence >= pl.last_sequence - 1
            try:
                return chunk, self._segment_bytes(seg, self._rung, live_edge)
            except (FetchAborted, SecurityError):
                raise
            except _OriginAway as away:
                raise away.error from None
            except NetworkError as exc:
                failure = exc
            with self._cond:
                self._mark("error", str(failure))
            nxt = self._elsewhere(failure, tried)
            while nxt is None:
                if len(tried) < len(self._ladder):
                    # the rung fallen back to could not even list the segment
                    nxt = self._elsewhere(failure, tried)
                    continue
                if self._live and not self._live_hole(seg, failure):
                    raise NetworkError(
                        f"every variant failed; last error: {failure}. Check the stream URL "
                        "or try again later."
                    ) from None
                # the origin may have gone away during the retries: asked again
                if not self._live and self._origin_away(failure, again=True):
                    raise failure  # not this segment's fault: ridden out, then fetched again
                self._skip_failed(seg, failure)
                return None
            if nxt is _END:
                return None
            assert not isinstance(nxt, _End)
            pl, chunk = nxt

    def _elsewhere(
        self, exc: NetworkError, tried: set[int]
    ) -> tuple[MediaPlaylist, Chunk] | _End | None:
        """After the current rung failed (``exc``): the same time from its
        next redundant copy, else from another rung (``_END``: the stream has
        no such time). None when every rung has been ``tried``, or when the
        one moved to failed to load its playlist (it is then ``tried`` too)."""
        assert self._rung is not None
        rung = self._rung
        moved = self._to_backup(rung, exc)
        if not moved:
            tried.add(rung)
            self._penalty.penalise(rung, self._clock.now())
            choice = self._penalty.fallback(rung, len(self._ladder), tried)
            if choice is None:
                return None
            target, readmitted = choice
            if readmitted:
                # every rung out of the box failed here too: try the boxed ones
                self._penalty.release(target)
                self._readmit(target, "every other variant failed")
            self._warn(WarningCode.VARIANT_FAILED, variant=rung, reason=exc, target=target)
            self._switch(Decision(target, "fallback", f"variant {rung} failed"))
        try:
            nxt = self._next_segment()
        except (FetchAborted, SecurityError):
            raise
        except (NetworkError, PlaylistError) as err:
            # the copy or rung moved to has no playlist to offer: it failed too
            with self._cond:
                self._mark("error", str(err))
            if moved:
                return self._elsewhere(exc, tried)
            tried.add(self._rung)
            self._penalty.penalise(self._rung, self._clock.now())
            return None
        return _END if nxt is None else nxt

    def _live_hole(self, seg: Segment, exc: NetworkError) -> bool:
        """Live: whether a segment that failed everywhere is a hole in a stream
        that goes on (the origin answers and lists newer segments: skip it as
        a gap) rather than the origin being away (ride the outage out). A 404
        behind the edge is a hole already; otherwise the playlist decides,
        reloaded a target duration apart until it lists a newer segment (at
        most ``_HOLE_RELOADS`` times)."""
        assert self._rung is not None
        if isinstance(exc, HttpStatusError) and seg.sequence < self._edge_sequence() - 1:
            return True
        for n in range(_HOLE_RELOADS):
            if n:
                self._sleep(self._tracks[self._rung].playlist.target_duration)
                self._check_stop()
            try:
                track = self._track(self._rung, reload=True, retry=RetryPolicy(max_attempts=1))
            except (FetchAborted, SecurityError):
                raise
            except (NetworkError, PlaylistError):
                return False  # the origin is away: an outage
            if track.playlist.last_sequence > seg.sequence:
                return True
        return False

    def _edge_sequence(self) -> int:
        track = self._tracks.get(self._rung) if self._rung is not None else None
        return track.playlist.last_sequence if track is not None else -1

    def _excluded(self) -> frozenset[int]:
        """The variants out of the ABR's choices now; those whose time in the
        penalty box is up are re-admitted first."""
        for rung in self._penalty.release_due(self._clock.now()):
            self._readmit(rung, f"{self._penalty.seconds:g} s after it failed")
        return self._penalty.rungs

    def _readmit(self, rung: int, why: str) -> None:
        """``rung`` is back in the ladder, from its first copy and a fresh
        playlist (the copy it failed on may have been a backup)."""
        if rung != self._rung:
            self._copy.pop(rung, None)
            self._tracks.pop(rung, None)
        log.info("variant %d re-admitted: %s", rung, why)
        with self._cond:
            self._mark("readmit", f"variant {rung} re-admitted: {why}")

    def _skip_failed(self, seg: Segment, exc: NetworkError) -> None:
        """A segment failed on every variant and copy. It is skipped as a
        gap (the timeline keeps its time) and playback goes on; the variants
        get another chance with the next segment, the fault was this one's.
        Too many in a row and no progress is being made: one fatal error."""
        self._failed_in_row += 1
        if self._failed_in_row >= self._hls.max_failed_segments:
            raise NetworkError(
                f"{self._failed_in_row} segments in a row failed on every variant; "
                f"last error: {exc}. Check the stream URL or try again later."
            ) from None
        self._penalty.clear()
        self.segment_gaps.append(seg.sequence)
        self._warn(
            WarningCode.SEGMENT_SKIPPED,
            sequence=seg.sequence,
            reason=exc,
            duration=f"{seg.duration:.1f}",
        )

    def _to_backup(self, rung: int, exc: PlayerError) -> bool:
        """Move ``rung`` to its next redundant copy (same variant, another
        URI) after a segment kept failing on this one; False when none is left.
        The same time is then fetched from the copy's playlist."""
        variant = self._ladder[rung]
        copies = (variant.uri, *variant.backups)
        current = self._copy.get(rung, 0)
        if current + 1 >= len(copies):
            return False
        self._copy[rung] = current + 1
        self._tracks.pop(rung, None)
        self._warn(
            WarningCode.REDUNDANT_FAILOVER,
            variant=rung,
            reason=exc,
            url=redact_url(copies[current + 1]),
        )
        return True

    # ------------------------------------------------------------------ demux

    def _demux_segment(self, data: bytes, seg: Segment) -> list[DemuxPacket] | None:
        try:
            packets = self._demuxer.main_segment(
                data,
                seg,
                self._next_time,
                rung=self._rung,
                bit_rate=self._bit_rate(),
                drop_audio=self._renditions.audio is not None,
            )
        except FormatError as exc:
            self._bad_segments += 1
            with self._cond:
                self._mark("error", str(exc))
            self._warn(WarningCode.BAD_SEGMENT, reason=exc)
            if self._bad_segments >= self._hls.max_bad_segments:
                raise
            self._demuxer.pending_discontinuity = True
            return None
        self._bad_segments = 0
        return packets

    def _audio_packets(self, data: bytes, seg: Segment, cut: float | None) -> list[DemuxPacket]:
        try:
            return self._demuxer.rendition_audio(
                data, seg, cut, rung=self._rung, bit_rate=self._bit_rate()
            )
        except FormatError as exc:
            self._warn(WarningCode.BAD_SEGMENT, reason=exc)
            return []

    def _bit_rate(self) -> int | None:
        """The BANDWIDTH of the rung being fetched (its video's bit rate)."""
        return self._ladder[self._rung].bandwidth if self._rung is not None else None

    def _cue_time(self, media_seconds: float, domain: int) -> float | None:
        mpegts = self._demuxer.container == "mpegts"
        return self._demuxer.rebaser.map_in_domain(media_seconds, domain, mpegts)

    # ------------------------------------------------------------------ renditions

    def _group(self, kind: str) -> str | None:
        if self._rung is None or not self._ladder:
            return None
        v = self._ladder[self._rung]
        return v.audio_group if kind == "AUDIO" else v.subtitles_group

    def _main_anchor(self) -> tuple[int, float]:
        """(sequence, timeline start) of the main segment at the live cursor,
        which in LL-HLS may be some parts into it: a rendition is lined up
        with that segment's start, not with the cursor."""
        assert self._next_seq is not None
        t = self._next_time
        track = self._tracks.get(self._rung) if self._rung is not None else None
        if self._next_part and track is not None:
            pl = track.playlist
            for i in range(self._next_part):
                part = part_at(pl, self._next_seq, i)
                t -= part.duration if part is not None else (pl.part_target or 0.0)
        return self._next_seq, t

    def _anchor(self, cursor: RenditionCursor) -> None:
        """Line a live rendition up with the main live cursor (once there is one)."""
        if self._next_seq is None:
            return
        seq, t = self._main_anchor()
        cursor.anchor_live(seq, t, self._live_edge_time, self._dates)

    def _apply_requests(self) -> None:
        """Track changes the user asked for (loader thread)."""
        with self._cond:
            requests, self._requests = self._requests, {}
        r = self._renditions
        if "subtitles" in requests:
            index = r.valid(requests["subtitles"], audio=False)
            r.cues.clear()
            r.subtitle_index = index
            with self._cond:
                pos = self._position if self._position is not None else self._read_pts
                fetched = self._fetched_until
            start = pos if pos is not None else self._next_time
            r.start_subtitles(self._group("SUBTITLES"), start)
            r.follow_subtitles(fetched)
        if "audio" in requests:
            self._set_audio(r.valid(requests["audio"], audio=True))

    def _set_audio(self, index: int | None) -> None:
        """Switch the audio track. What has been queued past the new track's
        first boundary after what read() handed out is replaced (read() holds
        there meanwhile), so the switch is heard at once, timestamps continuous."""
        switched = self._renditions.switch_audio(index, self._group("AUDIO"), self._next_time)
        if switched is None:
            return
        f, frontier = switched
        generation = self._generation
        with self._cond:
            # the boundary and the hold in one step, so read() cannot pass it meanwhile
            front = self._read_front
            if front is None:
                front = self._position if self._position is not None else self._next_time
            boundary = f.cursor.boundary_at_or_after(front + 0.1, parts=self._ll)
            if boundary is None or boundary >= frontier - 1e-3:
                return  # nothing fetched past the boundary: the next segments bring it
            self._hold_at = boundary
            kept: deque[DemuxPacket] = deque()
            for p in self._queue:
                t = p.pts if p.pts is not None else p.dts
                if p.stream.kind == "audio" and t is not None and t >= boundary - 1e-3:
                    self._queued_bytes -= p.size
                else:
                    kept.append(p)
            self._queue = kept
            self._cond.notify_all()
        f.cursor.next_time = boundary
        try:
            while f.cursor.next_time < frontier - 1e-3:
                got = f.follow_audio(self._io, frontier, cut=boundary - 1e-3, one=True)
                with self._cond:
                    if generation != self._generation:
                        return
                    self._merge_locked(got)
                    self._hold_at = f.cursor.next_time
                    self._cond.notify_all()
        finally:
            with self._cond:
                self._hold_at = None
                self._cond.notify_all()

    def _merge_locked(self, packets: list[DemuxPacket]) -> None:
        if not packets:
            return
        merged = list(heapq.merge(self._queue, sorted(packets, key=dts_key), key=dts_key))
        self._queue = deque(merged)
        self._queued_bytes += sum(p.size for p in packets)

    def _regroup(self) -> None:
        self._renditions.regroup(self._group("AUDIO"), self._group("SUBTITLES"))

    def _build_info(self, pl: MediaPlaylist) -> None:
        v, a = self._demuxer.first_video, self._demuxer.first_audio
        media = MediaInfo(
            url=redact_url(self.url),
            protocol="hls",
            container=self._demuxer.container,
            duration=None if self._live else pl.duration,
            is_live=self._live,
            seekable=not self._live,
            video=VideoInfo(v.codec_name, v.width, v.height, v.fps, v.pix_fmt, v.bit_rate)
            if v
            else None,
            audio=AudioInfo(a.codec_name, a.sample_rate, a.channels) if a else None,
            variants=self.variants() if len(self._ladder) > 1 else (),
            audio_tracks=self.audio_tracks(),
            subtitle_tracks=self.subtitle_tracks(),
        )
        with self._cond:
            self._info = SourceInfo(
                media=media,
                video=v,
                audio=a,
                start_time=0.0,
                variants=media.variants,
                extra={
                    "live_target_latency": self._live_latency_target if self._live else None,
                    "low_latency": self._ll,
                },
            )
            self._opened.set()
            self._cond.notify_all()
