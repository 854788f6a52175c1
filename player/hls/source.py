"""``HlsSource``: our HLS engine behind the ``Source`` packet interface.

One loader thread fetches playlists and segments ahead of playback (bounded by
a buffer target in seconds and a byte cap), measures every download, asks the
ABR policy for the rung of each segment, decrypts, demuxes the segment bytes
with PyAV (format forced, no protocols) and maps timestamps onto one
continuous timeline. ``read()`` only pops packets, so the demux thread never
waits on the network for longer than the read timeout, and ``interrupt()`` /
``close()`` return at once whatever the server does.
"""

from __future__ import annotations

import heapq
import io
import logging
import random
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import av

from ..abr.estimator import BandwidthEstimator
from ..abr.hybrid import HybridPolicy
from ..abr.policy import AbrContext, AbrPolicy, Decision, InFlight
from ..clock import Clock, SystemClock
from ..config import DEFAULT_CONFIG, PlayerConfig
from ..errors import FormatError, NetworkError, PlayerError, PlaylistError, SecurityError
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
from ..fetch import (
    FetchAborted,
    Fetcher,
    FetchResult,
    HttpFetcher,
    HttpStatusError,
    RangeStream,
    ResponseTooLarge,
    TransferKind,
)
from ..redact import redact, redact_url
from ..retry import (
    KEY_RETRY,
    LIVE_OUTAGE_RETRY,
    PLAYLIST_RETRY,
    SEGMENT_RETRY,
    RetryPolicy,
    is_retryable,
)
from ..source import DemuxPacket, SourceInfo, StreamSpec
from .crypto import check_key, decrypt_aes128, sequence_iv
from .hints import open_hint
from .live import (
    LiveReloader,
    duration_ahead,
    hint_position,
    live_start_index,
    ll_start,
    max_live_lag,
    merge_delta,
    part_at,
    rejoin_reason,
    target_latency,
    uses_parts,
)
from .playlist import (
    MAX_PLAYLIST_BYTES,
    MAX_SEGMENTS,
    ByteRange,
    MediaPlaylist,
    MultivariantPlaylist,
    Part,
    Rendition,
    Segment,
    Variant,
    parse_playlist,
)
from .rendition import (
    RenditionCursor,
    RenditionStep,
    RenditionTrack,
    build_tracks,
    default_track,
)
from .subtitles import MAX_VTT_BYTES, Cue, CueStore, WebVtt, parse_webvtt
from .timeline import DateMap, Rebaser
from .view_cap import covering_rung

__all__ = ["HlsConfig", "HlsSource", "TimelineEntry"]

log = logging.getLogger(__name__)


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
    #: LL-HLS: fetch partial segments (and preload hints) at the live edge and
    #: aim for PART-HOLD-BACK, when the playlist offers them (hls.js's default)
    low_latency: bool = True
    #: ask for playlist delta updates (_HLS_skip=YES) when CAN-SKIP-UNTIL allows
    delta_updates: bool = True
    #: live: seconds the fetch position may fall behind the target latency
    #: before it jumps ahead to it (None: ``live.max_live_lag``'s default)
    max_live_lag: float | None = None


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

    def as_dict(self) -> dict[str, object]:
        return {
            "t": round(self.t, 3),
            "estimate_bps": round(self.estimate_bps),
            "selected_bitrate": self.selected_bitrate,
            "buffer": round(self.buffer, 3),
            "marker": self.marker,
            "detail": self.detail,
        }


@dataclass
class _Track:
    """The media playlist of one rung (or of the audio rendition)."""

    playlist: MediaPlaylist
    reloader: LiveReloader
    loaded_at: float


@dataclass
class _Follower:
    """An alternate rendition (audio or subtitles) fetched alongside the main
    segments: its playlist, and how far along the timeline it has been read."""

    kind: str  # "audio" | "subtitles"
    rendition: Rendition
    track: _Track
    cursor: RenditionCursor
    #: clock time before which a subtitle playlist is not reloaded again
    next_reload: float = 0.0
    #: discontinuity domain → timeline start (WebVTT without X-TIMESTAMP-MAP)
    domain_starts: dict[int, float] = field(default_factory=dict)
    #: LL-HLS: this rendition's preload hints work (off after one fails)
    hints_ok: bool = True


_UNSET = object()


@dataclass(frozen=True)
class _Chunk:
    """What to fetch next: a whole segment, or one part of it (LL-HLS), as a
    segment-shaped record (the part's URI, byte range and duration with the
    parent's sequence, key and init section)."""

    seg: Segment
    #: the part's index in its parent segment; None for a whole segment
    part: int | None = None
    independent: bool = True
    #: fetched through a preload hint: the duration is PART-TARGET until listed
    hint: bool = False


class _Abandon(Exception):
    def __init__(self, decision: Decision) -> None:
        self.decision = decision


def _dts_key(p: DemuxPacket) -> float:
    t = p.dts if p.dts is not None else p.pts
    return t if t is not None else -1e18


def _with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in extra]
    query += list(extra.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


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
        self._meter = BandwidthEstimator()
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

        self._ladder: list[Variant] = []
        self._multivariant: MultivariantPlaylist | None = None
        self._audio_tracks: list[RenditionTrack] = []
        self._subtitle_tracks: list[RenditionTrack] = []
        #: the selected tracks (indexes into the lists above)
        self._audio_index: int | None = None
        self._subtitle_index: int | None = None
        #: track changes asked for by the user, applied by the loader thread
        self._requests: dict[str, int | None] = {}
        self._audio: _Follower | None = None
        self._subs: _Follower | None = None
        self._cues = CueStore()
        #: read() hands out nothing at or after this time (an audio switch in progress)
        self._hold_at: float | None = None
        #: highest decode time handed out by read()
        self._read_front: float | None = None
        self._rung: int | None = None
        self._manual: int | None = None
        self._max_resolution: tuple[int, int] | None = None
        #: (output time where a fetched chunk starts, its rung), in fetch order:
        #: what plays at a position is the rung fetched for it, which lags the
        #: ABR's choice by the buffer
        self._rungs_at: deque[tuple[float, int]] = deque(maxlen=4096)
        self._failed: set[int] = set()
        #: which copy of each rung is in use: 0 its URI, n its n-th backup
        self._copy: dict[int, int] = {}
        self._tracks: dict[int, _Track] = {}
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
        #: live: clock time since which fetches have been failing (None: the
        #: last one worked), and the last failure
        self._failing_since: float | None = None
        self._last_failure: NetworkError | None = None
        #: a playlist failed too since then: the origin is away, not one variant
        self._playlist_failed = False
        #: Reconnecting events of the outage under way (0: none reported)
        self._outage_attempt = 0
        #: the main playlist is as old as an outage: reload it before going on
        self._refresh = False
        #: the renditions are to be lined up with the main cursor again (a rejoin)
        self._reanchor = False
        #: how long a live origin may stay unreachable (0: not at all)
        net = config.network
        self._outage_bound = net.live_outage_timeout if net.reconnect else 0.0
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
        #: open-ended preload hints being read ("main" | "audio" → (URL, stream))
        self._streams: dict[str, tuple[str, RangeStream]] = {}
        self._open_hints_ok = True
        self._last_video: dict[int | None, StreamSpec] = {}
        self._pending_discontinuity = False
        self._rebaser = Rebaser()
        self._dates = DateMap()
        self._specs: dict[tuple[Any, ...], StreamSpec] = {}
        self._first_video: StreamSpec | None = None
        self._first_audio: StreamSpec | None = None
        self._container = "mpegts"
        self._container_hint = "mpegts"
        self._keys: dict[str, bytes] = {}
        self._inits: dict[tuple[str, int | None, int | None], bytes] = {}
        self._warned_http_key = False
        self._bad_segments = 0
        self._timeline: deque[TimelineEntry] = deque(maxlen=self._hls.max_timeline_entries)

    # ------------------------------------------------------------------ Source API

    @property
    def is_live(self) -> bool:
        return self._live

    def open(self) -> SourceInfo:
        self._thread = threading.Thread(target=self._run, name="hls-loader", daemon=True)
        self._thread.start()
        deadline = self._clock.now() + self._config.network.open_timeout + 5.0
        while not self._opened.wait(0.05):
            with self._cond:
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
                # later of this call and the last bytes the loader received
                now = self._clock.now()
                deadline = max(started, self._progress_at) + timeout
                failing = self._failing_since
                if failing is not None:
                    # a live outage: the loader retries, bounded, and fails itself
                    deadline = max(deadline, failing + self._outage_bound + timeout)
                if now >= deadline:
                    raise NetworkError(f"no HLS data for {timeout:g} s from {redact_url(self.url)}")
                self._cond.wait(0.05)
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
        self._request("audio", index, self._audio_tracks)

    def select_subtitle_track(self, index: int | None) -> None:
        """Show subtitle track ``index`` (``MediaInfo.subtitle_tracks``); None: off."""
        self._request("subtitles", index, self._subtitle_tracks)

    def _request(self, kind: str, index: int | None, tracks: list[RenditionTrack]) -> None:
        with self._cond:
            known = self._opened.is_set()
            if index is not None and (index < 0 or (known and index >= len(tracks))):
                raise ValueError(f"no {kind} track {index}")
            self._requests[kind] = index
            if kind == "subtitles" and index is None:
                self._subtitle_index = None  # off at once, whatever the loader is doing
            self._cond.notify_all()

    def subtitle_text(self, position: float) -> str | None:
        """The text of the subtitle cues active at ``position`` (lines joined
        with newlines), or None. Cheap: the engine asks about 50 times a second."""
        if self._subtitle_index is None:
            return None
        return self._cues.text_at(position)

    def audio_tracks(self) -> tuple[TrackInfo, ...]:
        return tuple(t.info for t in self._audio_tracks)

    def subtitle_tracks(self) -> tuple[TrackInfo, ...]:
        return tuple(t.info for t in self._subtitle_tracks)

    def selected_tracks(self) -> tuple[int | None, int | None]:
        """(audio track, subtitle track) in use now."""
        return self._audio_index, self._subtitle_index

    # ------------------------------------------------------------------ extras

    def set_playback_position(self, seconds: float) -> None:
        with self._cond:
            self._position = seconds
            self._cond.notify_all()

    def set_max_resolution(self, width: int | None, height: int | None) -> None:
        """Cap automatic choices to the view's size (None: no cap)."""
        with self._cond:
            self._max_resolution = None if not width or not height else (width, height)

    def buffer_level(self) -> float:
        with self._cond:
            return self._buffer_level_locked()

    def estimate_bps(self) -> float:
        return self._meter.estimate_bps()

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
        within a few target durations, else from the end of the playlist
        (parts included), moved on by the time since it was loaded (at most
        one target duration, so a stalled server does not run it away)."""
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
        if self._failing_since is None:
            age = min(age, td)  # a stalled origin's edge does not move; one that is away does
        latency = max(0.0, edge + age - pos)
        date = self._dates.date_at(pos)
        if date is not None:
            by_date = (self._wall() - date).total_seconds()
            if abs(by_date - latency) <= max(2 * td, 3.0):
                return max(0.0, by_date)
        return latency

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
            )
        )

    def _sleep(self, seconds: float) -> None:
        """Wait, waking early for stop, interrupt or a seek."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._stop.is_set() or self._interrupted or self._seek_request is not None,
                timeout=seconds,
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

    def _get(
        self,
        url: str,
        kind: TransferKind,
        max_bytes: int,
        *,
        byterange: tuple[int, int] | None = None,
        retry: RetryPolicy = SEGMENT_RETRY,
        live_edge: bool = False,
        progress: Callable[[int, int | None, float], bool] | None = None,
    ) -> FetchResult:
        attempt = 0

        def tick(done: int, total: int | None, elapsed: float) -> bool:
            self._progress_at = self._clock.now()
            return progress(done, total, elapsed) if progress is not None else True

        while True:
            self._check_stop()
            self._cancel.clear()
            try:
                result = self._fetcher.get(
                    url,
                    kind=kind,
                    max_bytes=max_bytes,
                    byterange=byterange,
                    progress=tick,
                    cancel=self._cancel,
                )
            except (FetchAborted, ResponseTooLarge, SecurityError):
                raise
            except NetworkError as exc:
                attempt += 1
                status = exc.status if isinstance(exc, HttpStatusError) else None
                if not retry.should_retry(attempt, status, live_edge=live_edge):
                    self._note_failure(exc, kind, None)
                    raise
                delay = retry.delay(attempt, self._rand)
                self._note_failure(exc, kind, delay)
                log.info("retrying %s in %.2fs: %s", redact_url(url), delay, exc)
                self._sleep(delay)
                continue
            if self._failing_since is not None:
                self._failures_over()
            if kind in ("segment", "part"):
                s = result.stats
                self._meter.add_sample(s.bytes, s.transfer_seconds, s.ttfb, from_cache=s.from_cache)
            return result

    def _load_playlist(
        self,
        url: str,
        *,
        blocking: dict[str, str] | None = None,
        retry: RetryPolicy = PLAYLIST_RETRY,
    ) -> MultivariantPlaylist | MediaPlaylist:
        target = _with_query(url, blocking) if blocking else url
        result = self._get(target, "playlist", MAX_PLAYLIST_BYTES, retry=retry)
        try:
            text = result.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PlaylistError(f"playlist is not UTF-8 (byte {exc.start})") from None
        imported = self._multivariant.variables if self._multivariant else None
        return parse_playlist(
            text, result.url, max_segments=self._hls.max_segments, imported=imported
        )

    def _load_media(
        self,
        url: str,
        blocking: dict[str, str] | None = None,
        retry: RetryPolicy = PLAYLIST_RETRY,
    ) -> MediaPlaylist:
        pl = self._load_playlist(url, blocking=blocking, retry=retry)
        if isinstance(pl, MultivariantPlaylist):
            raise PlaylistError("a multivariant playlist where a media playlist was expected")
        return pl

    def _track(
        self, rung: int, *, reload: bool = False, retry: RetryPolicy = PLAYLIST_RETRY
    ) -> _Track:
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
                pl = self._load_media(u, blocking=params if u == variant.uri else None, retry=retry)
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
            track = _Track(pl, LiveReloader(stuck_factor=self._hls.stuck_factor), self._clock.now())
            self._tracks[rung] = track
        else:
            track.playlist = pl
            track.loaded_at = self._clock.now()
        track.reloader.update(pl, self._clock.now())
        return track

    def _key_bytes(self, uri: str) -> bytes:
        key = self._keys.get(uri)
        if key is None:
            if urlsplit(uri).scheme == "http" and not self._warned_http_key:
                self._warned_http_key = True
                self._emit(
                    WarningRaised(
                        code="key-over-http",
                        message=f"AES-128 key fetched over plain HTTP: {redact_url(uri)}",
                        t=self._now(),
                    )
                )
            key = check_key(self._get(uri, "key", 64, retry=KEY_RETRY).data)
            self._keys[uri] = key
        return key

    def _init_bytes(self, seg: Segment) -> bytes:
        assert seg.init is not None
        br = seg.init.byterange
        cache_key = (seg.init.uri, br.offset if br else None, br.length if br else None)
        data = self._inits.get(cache_key)
        if data is None:
            data = self._get(
                seg.init.uri,
                "init",
                4 * 1024 * 1024,
                byterange=(br.offset, br.length) if br else None,
            ).data
            if seg.key is not None and seg.key.method == "AES-128" and seg.key.uri:
                iv = seg.key.iv or sequence_iv(seg.sequence)
                data = decrypt_aes128(data, self._key_bytes(seg.key.uri), iv)
            self._inits[cache_key] = data
        return data

    def _segment_bytes(
        self, seg: Segment, rung: int, live_edge: bool, *, retry: RetryPolicy = SEGMENT_RETRY
    ) -> bytes:
        if seg.key is not None and seg.key.method != "AES-128":
            raise SecurityError(f"encryption {seg.key.method} is not supported (DRM)")
        bitrate = self._ladder[rung].bandwidth if self._ladder[rung].bandwidth else 0
        expected = int(bitrate * seg.duration / 8) if bitrate else 0
        cap = self._hls.max_segment_bytes
        if expected:
            cap = min(cap, max(3 * expected, 4 * 1024 * 1024))
        br = seg.byterange
        last_check = [0.0]

        def progress(done: int, total: int | None, elapsed: float) -> bool:
            if self._manual is not None or rung == 0 or elapsed - last_check[0] < 0.1:
                return True
            last_check[0] = elapsed
            ctx = self._context(seg.duration)
            flight = InFlight(rung, done, total or expected or done * 2, elapsed)
            decision = self._policy.abandon(ctx, flight)
            if decision is not None and decision.index < rung:
                # what arrived is a measurement too: the slowdown that made us
                # give up must show in the estimate the next choice is made with
                ttfb = min(self._meter.ttfb(), elapsed / 2)
                self._meter.add_sample(done, elapsed - ttfb, None)
                raise _Abandon(decision)
            return True

        data = self._streamed(seg.uri, br)
        if data is None:
            data = self._get(
                seg.uri,
                "segment",
                cap,
                byterange=(br.offset, br.length) if br else None,
                retry=retry,
                live_edge=live_edge,
                progress=progress,
            ).data
        if seg.key is not None and seg.key.uri:
            data = decrypt_aes128(
                data, self._key_bytes(seg.key.uri), seg.key.iv or sequence_iv(seg.sequence)
            )
        if seg.init is not None:
            data = self._init_bytes(seg) + data
        return data

    # ------------------------------------------------------------------ ABR

    def _cap_index(self) -> int:
        top = len(self._ladder) - 1
        if self._max_resolution is not None:
            top = covering_rung([(v.width, v.height) for v in self._ladder], self._max_resolution)
        while top > 0 and top in self._failed:
            top -= 1
        return top

    def _context(self, duration: float) -> AbrContext:
        return AbrContext(
            bitrates=tuple(float(v.bitrate or 1) for v in self._ladder),
            current=self._rung,
            buffer=self.buffer_level(),
            segment_duration=duration,
            estimate_bps=self._meter.estimate_bps(),
            ttfb=self._meter.ttfb(),
            max_index=self._cap_index(),
            buffer_target=self._buffer_target,
            samples=self._meter.sample_count,
            now=self._clock.now(),
            live=self._live,
            mean_bps=max(self._meter.fast_bps(), self._meter.slow_bps()),
            recent_bps=self._meter.recent(),
        )

    def _decide(self, duration: float) -> Decision:
        if len(self._ladder) <= 1:
            return Decision(0, "single", "one variant")
        manual = self._manual
        if manual is not None:
            manual = min(manual, len(self._ladder) - 1)
            if manual not in self._failed:
                return Decision(manual, "manual", "locked by the user")
        d = self._policy.choose(self._context(duration))
        cap = self._cap_index()
        index = max(0, min(d.index, cap))
        while index in self._failed and index > 0:
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
        if current is None or not current.playlist.server_control.can_block_reload:
            return
        target = self._ladder[new].uri
        for r in current.playlist.rendition_reports:
            if r.last_msn is None or urlsplit(r.uri).path != urlsplit(target).path:
                continue
            params = {"_HLS_msn": str(r.last_msn)}
            if r.last_part is not None and self._ll:
                params["_HLS_part"] = str(r.last_part)
            self._switch_params[new] = params
            return

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
            self._close_streams()
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
        top = self._load_playlist(self.url)
        if isinstance(top, MultivariantPlaylist):
            self._multivariant = top
            playable = [v for v in top.variants]
            self._ladder = sorted(playable, key=lambda v: (v.bitrate, v.bandwidth))
            self._audio_tracks = build_tracks(top, self._ladder, "AUDIO")
            self._subtitle_tracks = build_tracks(top, self._ladder, "SUBTITLES")
            self._audio_index = default_track(self._audio_tracks, "AUDIO")
            self._subtitle_index = default_track(self._subtitle_tracks, "SUBTITLES")
        else:
            self._ladder = [Variant(index=0, uri=top.url, bandwidth=0)]
            self._tracks[0] = _Track(
                top, LiveReloader(stuck_factor=self._hls.stuck_factor), self._clock.now()
            )
            self._tracks[0].reloader.update(top, self._clock.now())
        first = self._decide(0.0)
        self._switch(first)
        track = self._track(first.index)
        pl = track.playlist
        self._live = pl.is_live
        if not pl.segments and not self._live:
            raise PlaylistError("media playlist without segments")
        self._position_start(pl)
        with self._cond:
            requests = dict(self._requests)
        if "audio" in requests:
            self._audio_index = self._valid_track(requests.pop("audio"), self._audio_tracks, True)
        if "subtitles" in requests:
            self._subtitle_index = self._valid_track(
                requests.pop("subtitles"), self._subtitle_tracks, False
            )
        with self._cond:
            self._requests = requests
        if self._audio_index is not None:
            rendition = self._audio_tracks[self._audio_index].for_group(self._group("AUDIO"))
            if rendition.uri:
                self._audio = self._make_follower("audio", rendition, self._next_time)
        if self._subtitle_index is not None:
            self._start_subtitles(self._next_time)
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
        """(sequence, part) at the target latency from the live edge: an
        independent part in LL-HLS, else a segment (RFC 8216 §6.3.3)."""
        if self._ll:
            hold = self._live_latency_target or target_latency(pl, True)
            pos = ll_start(pl, hold)
            if pos is not None:
                return pos
        i = live_start_index(pl, self._ll)
        return (pl.segments[i].sequence if pl.segments else pl.first_sequence), 0

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
                    self._cond.wait_for(
                        lambda: (
                            self._stop.is_set()
                            or self._interrupted
                            or self._seek_request is not None
                            or bool(self._requests)
                        ),
                        timeout=1.0,
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
        for f in (self._audio, self._subs):
            if f is not None:
                f.cursor.next_time = seg.start
        self._pending_discontinuity = True
        with self._cond:
            self._fetched_until = seg.start
            self._ended = False

    def _wait_for_room(self) -> bool:
        with self._cond:
            max_bytes = self._config.buffer.max_bytes
            while not self._stop.is_set() and not self._interrupted:
                if self._seek_request is not None or self._requests:
                    return False
                if (
                    self._buffer_level_locked() < self._buffer_target
                    and self._queued_bytes < max_bytes
                ):
                    return True
                self._cond.wait(0.1)
        return False

    def _next_segment(self) -> tuple[MediaPlaylist, _Chunk] | None:
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
                        return pl, _Chunk(s)
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

    def _live_chunk(self, pl: MediaPlaylist) -> _Chunk | None:
        """The chunk at the live cursor if ``pl`` lists it (or hints at it)."""
        assert self._next_seq is not None
        while True:
            seq, idx = self._next_seq, self._next_part
            seg = next((s for s in pl.segments if s.sequence == seq), None)
            if seg is None:
                break
            if idx == 0:
                return _Chunk(seg)
            if idx < len(seg.parts):
                return self._part_chunk(pl, seg, seq, idx, seg.parts[idx])
            # every part of this (now complete) segment is in hand: the next one
            self._next_seq, self._next_part = seq + 1, 0
        if not self._ll or seq != pl.last_sequence + 1:
            return None
        part = part_at(pl, seq, idx)
        if part is not None:
            return self._part_chunk(pl, None, seq, idx, part)
        hint = hint_position(pl)
        if hint is not None and self._hints_ok and hint[:2] == (seq, idx) and pl.part_target:
            h = hint[2]
            br = None
            if h.byterange_start is not None and h.byterange_length:
                br = ByteRange(h.byterange_length, h.byterange_start)
            guess = Part(h.uri, pl.part_target, byterange=br)
            return self._part_chunk(pl, None, seq, idx, guess, hint=True)
        opened = open_hint(pl)
        if opened is not None and opened[:2] == (seq, idx):
            # its bytes flow while the blocking reload waits for the part's
            # listing (and length); the listed part is then read from them
            self._open_stream("main", opened[2].uri, opened[2].byterange_start or 0)
        return None

    @staticmethod
    def _part_chunk(
        pl: MediaPlaylist,
        seg: Segment | None,
        seq: int,
        idx: int,
        part: Part,
        *,
        hint: bool = False,
    ) -> _Chunk:
        base = seg if seg is not None else (pl.segments[-1] if pl.segments else None)
        record = Segment(
            uri=part.uri,
            duration=part.duration,
            sequence=seq,
            discontinuity_sequence=(
                base.discontinuity_sequence if base is not None else pl.discontinuity_sequence
            ),
            start=0.0,
            key=base.key if base is not None else None,
            init=base.init if base is not None else None,
            byterange=part.byterange,
            program_date_time=seg.program_date_time if seg is not None and idx == 0 else None,
            gap=part.gap,
        )
        return _Chunk(record, idx, part.independent or idx == 0, hint)

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

    def _update_live_edge(self, pl: MediaPlaylist, track: _Track) -> None:
        assert self._next_seq is not None
        ahead = duration_ahead(pl, self._next_seq, self._next_part)
        with self._cond:
            self._live_edge_time = self._next_time + ahead
            self._edge_loaded_at = track.loaded_at
        # EXT-X-PROGRAM-DATE-TIME of the latest segment that has one
        nxt = next((s for s in pl.segments if s.sequence == self._next_seq), None)
        if nxt is not None:
            here = nxt.start + sum(p.duration for p in nxt.parts[: self._next_part])
        elif pl.segments and self._next_seq == pl.last_sequence + 1:
            here = pl.segments[-1].end + sum(
                p.duration for p in pl.trailing_parts[: self._next_part]
            )
        else:
            return
        for s in reversed(pl.segments):
            if s.program_date_time is not None:
                self._dates.add(s.program_date_time, self._next_time - here + s.start)
                return

    def _reload_live(self, track: _Track) -> None:
        assert self._rung is not None
        pl = track.playlist
        now = self._clock.now()
        # while fetches fail the origin is down, not stuck: the outage bound rules
        if self._failing_since is None and track.reloader.stuck(pl, now):
            raise NetworkError(
                f"the live playlist has not advanced for {self._hls.stuck_factor:g} target "
                f"durations ({redact_url(pl.url)}): the stream has stalled"
            )
        params: dict[str, str] = {}
        sc = pl.server_control
        if sc.can_block_reload and self._next_seq is not None and track.reloader.changed:
            # the server answers when what we need next is there (LL-HLS §6.2.5.2)
            params["_HLS_msn"] = str(self._next_seq)
            if self._ll:
                params["_HLS_part"] = str(self._next_part)
            self.ll_stats["blocking_reloads"] += 1
        else:
            wait = track.reloader.delay(pl) - (now - track.loaded_at)
            if wait > 0:
                self._sleep(wait)
            self._check_stop()
        skip = (
            self._hls.delta_updates
            and sc.can_skip_until is not None
            and self._clock.now() - track.loaded_at < sc.can_skip_until / 2
        )
        if skip:
            params["_HLS_skip"] = "YES"
        variant = self._ladder[self._rung]
        if "_HLS_msn" in params:
            try:
                new = self._load_media(variant.uri, params, retry=RetryPolicy(max_attempts=1))
            except (FetchAborted, ResponseTooLarge, SecurityError, PlaylistError):
                raise
            except NetworkError as exc:
                # a held request that timed out is no news, not an error: the
                # next reload waits instead, and stuck detection takes over
                log.info("blocking playlist reload failed: %s", exc)
                track.reloader.update(pl, self._clock.now())
                return
        else:
            new = self._load_media(variant.uri, blocking=params or None)
        if new.skipped_segments:
            if not skip:
                raise PlaylistError("delta playlist update (EXT-X-SKIP) without a request for one")
            try:
                new = merge_delta(pl, new)
                self.ll_stats["delta_updates"] += 1
            except PlaylistError as exc:
                log.info("full playlist reload: %s", exc)
                params.pop("_HLS_skip")
                new = self._load_media(variant.uri, blocking=params or None)
                if new.skipped_segments:
                    raise PlaylistError(
                        "delta update (EXT-X-SKIP) without a request for one"
                    ) from None
        track.playlist = new
        track.loaded_at = self._clock.now()
        track.reloader.update(new, track.loaded_at)

    def _outage_tolerated(self, exc: NetworkError) -> bool:
        """Whether ``exc`` (out of a live step) is the origin being away for a
        while: fetches failing the way a restart, an overload or a network cut
        makes them fail. A refusal (401, 403) or a stuck playlist is not."""
        if not self._live or self._outage_bound <= 0:
            return False
        if isinstance(exc, FetchAborted | ResponseTooLarge):
            return False
        last = self._last_failure
        if self._failing_since is None or last is None:
            return False
        status = last.status if isinstance(last, HttpStatusError) else None
        return is_retryable(status, live_edge=True)

    def _note_failure(self, exc: NetworkError, kind: TransferKind, delay: float | None) -> None:
        """Live: a fetch failed (``delay``: it is tried again after that long).
        Failures that last are an outage: each retry is reported
        (``Reconnecting``) until something loads again."""
        if not self._live:
            return
        now = self._clock.now()
        if self._failing_since is None:
            self._failing_since = now
        self._last_failure = exc
        self._playlist_failed = self._playlist_failed or kind == "playlist"
        # one quick retry that works is a hiccup the buffer hides, not worth a word
        if delay is not None and (self._outage_attempt or now - self._failing_since >= 1.0):
            self._outage_reported(redact(str(exc)), delay)

    def _outage_reported(self, reason: str, delay: float) -> None:
        if not self._outage_attempt:
            with self._cond:
                self._mark("error", f"live origin unreachable: {reason}")
        self._outage_attempt += 1
        self._emit(
            Reconnecting(attempt=self._outage_attempt, delay=delay, reason=reason, t=self._now())
        )

    def _failures_over(self) -> None:
        """Something loaded after failures. After a reported outage nothing
        could advance or work meanwhile: stuck clocks restart, preload hints
        (and variants, if the playlists failed too) get another chance, and
        the playlist is reloaded before the next fetch (it is as old as the
        outage: we may have to rejoin)."""
        assert self._failing_since is not None
        now = self._clock.now()
        outage = now - self._failing_since
        attempts, self._outage_attempt = self._outage_attempt, 0
        origin_wide, self._playlist_failed = self._playlist_failed, False
        self._failing_since = None
        if not attempts:
            return
        if origin_wide:
            self._failed.clear()
        for track in self._tracks.values():
            track.reloader.restart(now)
        for f in (self._audio, self._subs):
            if f is not None:
                f.track.reloader.restart(now)
                f.hints_ok = True
        self._hints_ok = True
        self._open_hints_ok = True
        self._refresh = True
        with self._cond:
            self._mark("reload", f"live origin back after {outage:.1f} s")
        self._emit(Reconnected(attempt=attempts, outage=outage, t=self._now()))

    def _ride_out_outage(self, exc: NetworkError) -> None:
        """A live step failed for good: reload the playlist with backoff and
        jitter until the origin answers (``_next_segment`` then decides
        whether to rejoin) or the outage bound has passed (then one fatal
        error). read() meanwhile waits without timing out: a stall."""
        assert self._rung is not None and self._failing_since is not None
        started = self._failing_since
        reason = redact(str(exc))
        attempt = 0
        while True:
            self._check_stop()
            elapsed = self._clock.now() - started
            if elapsed >= self._outage_bound:
                raise NetworkError(
                    f"the live stream has been unreachable for {elapsed:.0f} s "
                    f"({redact_url(self.url)}); last error: {reason}. "
                    "Check the connection or try again later."
                )
            attempt += 1
            delay = min(LIVE_OUTAGE_RETRY.delay(attempt, self._rand), self._outage_bound - elapsed)
            self._outage_reported(reason, delay)
            self._sleep(delay)
            self._check_stop()
            try:
                # one request per attempt: the backoff above is the retry policy
                self._track(self._rung, reload=True, retry=RetryPolicy(max_attempts=1))
            except (FetchAborted, SecurityError):
                raise
            except NetworkError as again:
                if not self._outage_tolerated(again):
                    raise
                reason = redact(str(again))
                continue
            self._refresh = False  # just reloaded
            # the step failed on every variant it could try: all get another chance
            self._failed.clear()
            return

    def _rejoin_live(self, pl: MediaPlaylist, why: str) -> None:
        """Jump the live cursor ahead to the target latency point, as at the
        start. The media skips ahead but the timeline goes on from where it
        is, re-based as at a discontinuity: the decoders see a break, not a
        hole as long as the lag."""
        with self._cond:
            self._mark("rejoin", why)
        self._seek_live_start(pl)
        self._hint_fix = None
        self._pending_discontinuity = True
        self._rebaser.break_next()
        self._reanchor = True
        self._emit(
            WarningRaised(
                code="live-rejoin", message=f"rejoined the live edge: {why}", t=self._now()
            )
        )

    def _reanchor_followers(self) -> None:
        """After a rejoin: the renditions are lined up with the main cursor
        again, from fresh playlists (theirs are as old as the outage)."""
        for f in (self._audio, self._subs):
            if f is None:
                continue
            assert f.rendition.uri is not None
            new = self._load_media(f.rendition.uri)
            now = self._clock.now()
            f.cursor.update(new)
            seq, t = self._main_anchor()
            f.cursor.anchor_live(seq, t, self._live_edge_time, self._dates)
            f.cursor.next_time = self._next_time
            f.track.playlist = new
            f.track.loaded_at = now
            f.track.reloader.restart(now)
            f.track.reloader.update(new, now)
            f.next_reload = 0.0

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
        audio = self._follow_audio(self._audio, end) if self._audio is not None else []
        merged = sorted(packets + audio, key=_dts_key)
        with self._cond:
            if generation != self._generation or self._seek_request is not None:
                return True
            for p in merged:
                self._queue.append(p)
                self._queued_bytes += p.size
            self._rungs_at.append((self._next_time, self._rung))
            self._advance(chunk)
            self._mark(None)
            self._cond.notify_all()
        if self._subs is not None:
            self._follow_subtitles(self._subs, end)
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
            self._emit(
                WarningRaised(
                    code="preload-hint-failed",
                    message=f"preload hints disabled: {exc}",
                    t=self._now(),
                )
            )
            return None

    def _advance(self, chunk: _Chunk) -> None:
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

    def _fetch_with_fallback(self, pl: MediaPlaylist, chunk: _Chunk) -> tuple[_Chunk, bytes] | None:
        """The chunk's bytes; on lasting failure, the same time from another
        rung (which may be another chunk: it is returned with its bytes).
        None for a gap."""
        assert self._rung is not None
        while True:
            seg = chunk.seg
            if seg.gap:
                return None
            try:
                live_edge = self._live and seg.sequence >= pl.last_sequence - 1
                return chunk, self._segment_bytes(seg, self._rung, live_edge)
            except (FetchAborted, SecurityError):
                raise
            except NetworkError as exc:
                with self._cond:
                    self._mark("error", str(exc))
                if self._to_backup(self._rung, exc):
                    nxt = self._next_segment()
                    if nxt is None:
                        return None
                    pl, chunk = nxt
                    continue
                self._failed.add(self._rung)
                others = [i for i in range(len(self._ladder)) if i not in self._failed]
                if not others:
                    raise NetworkError(
                        f"every variant failed; last error: {exc}. Check the stream URL "
                        "or try again later."
                    ) from None
                lower = [i for i in others if i < self._rung]
                target = max(lower) if lower else min(others)
                self._emit(
                    WarningRaised(
                        code="variant-failed",
                        message=f"variant {self._rung} failed ({exc}); trying variant {target}",
                        t=self._now(),
                    )
                )
                self._switch(Decision(target, "fallback", f"variant {self._rung} failed"))
                nxt = self._next_segment()
                if nxt is None:
                    return None
                pl, chunk = nxt

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
        self._emit(
            WarningRaised(
                code="redundant-failover",
                message=f"variant {rung} failed ({exc}); trying its backup "
                f"{redact_url(copies[current + 1])}",
                t=self._now(),
            )
        )
        return True

    # ------------------------------------------------------------------ demux

    def _demux_segment(self, data: bytes, seg: Segment) -> list[DemuxPacket] | None:
        boxes = (b"ftyp", b"styp", b"moof")
        fmt = "mp4" if seg.init is not None or data[4:8] in boxes else "mpegts"
        self._container_hint = fmt
        try:
            raw = self._demux(data, fmt, "main")
        except FormatError as exc:
            self._bad_segments += 1
            with self._cond:
                self._mark("error", str(exc))
            self._emit(WarningRaised(code="bad-segment", message=str(exc), t=self._now()))
            if self._bad_segments >= self._hls.max_bad_segments:
                raise
            self._pending_discontinuity = True
            return None
        self._bad_segments = 0
        self._container = fmt
        if not raw:
            return []
        firsts = [p[2] if p[2] is not None else p[1] for p in raw]
        first = min((t for t in firsts if t is not None), default=None)
        brk = self._rebaser.begin_segment(
            seg.discontinuity_sequence, self._next_time, first, fmt == "mpegts"
        )
        return self._to_packets(raw, fmt, brk or self._pending_discontinuity or seg.discontinuity)

    def _to_packets(
        self,
        raw: list[tuple[StreamSpec, float | None, float | None, float, Any]],
        fmt: str,
        discontinuity: bool,
    ) -> list[DemuxPacket]:
        out = []
        for spec, pts, dts, duration, packet in raw:
            mpts = self._rebaser.map(pts, fmt == "mpegts") if pts is not None else None
            mdts = self._rebaser.map(dts, fmt == "mpegts") if dts is not None else None
            out.append(
                DemuxPacket(
                    stream=spec,
                    packet=packet,
                    pts=mpts,
                    dts=mdts,
                    duration=duration,
                    size=packet.size,
                    keyframe=bool(packet.is_keyframe),
                    discontinuity=False,
                )
            )
        if out and discontinuity:
            for kind in ("video", "audio"):
                for p in out:
                    if p.stream.kind == kind:
                        p.discontinuity = True
                        break
        self._pending_discontinuity = False
        return out

    # ------------------------------------------------------------------ renditions

    def _group(self, kind: str) -> str | None:
        if self._rung is None or not self._ladder:
            return None
        v = self._ladder[self._rung]
        return v.audio_group if kind == "AUDIO" else v.subtitles_group

    def _valid_track(
        self, index: int | None, tracks: list[RenditionTrack], audio: bool
    ) -> int | None:
        if index is None:
            return default_track(tracks, "AUDIO") if audio else None
        if not 0 <= index < len(tracks):
            self._emit(
                WarningRaised(
                    code="no-such-track",
                    message=f"there is no {'audio' if audio else 'subtitle'} track {index}",
                    t=self._now(),
                )
            )
            return default_track(tracks, "AUDIO") if audio else None
        return index

    def _make_follower(self, kind: str, rendition: Rendition, start: float) -> _Follower:
        """Load a rendition's playlist and place it on the timeline at ``start``."""
        assert rendition.uri is not None
        pl = self._load_media(rendition.uri)
        cursor = RenditionCursor(pl)
        if pl.is_live and self._live:
            seq, t = self._main_anchor()
            cursor.anchor_live(seq, t, self._live_edge_time, self._dates)
        else:
            cursor.anchor_vod()
        cursor.next_time = start
        now = self._clock.now()
        track = _Track(pl, LiveReloader(stuck_factor=self._hls.stuck_factor), now)
        track.reloader.update(pl, now)
        return _Follower(kind, rendition, track, cursor)

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

    def _reload_follower(
        self, f: _Follower, *, wait: bool, part: tuple[int, int] | None = None
    ) -> None:
        """Reload a rendition's playlist; ``wait``: for something new, blocking
        (until part ``part`` = (sequence, index) is listed, in LL-HLS) when the
        server can, else after the reload delay."""
        pl = f.track.playlist
        now = self._clock.now()
        if f.kind == "audio" and f.track.reloader.stuck(pl, now):
            raise NetworkError(
                f"the audio rendition playlist has not advanced for {self._hls.stuck_factor:g} "
                f"target durations ({redact_url(pl.url)}): the stream has stalled"
            )
        blocking = None
        nxt = pl.last_sequence + 1
        if pl.server_control.can_block_reload and wait:
            if part is not None and self._ll:
                blocking = {"_HLS_msn": str(part[0]), "_HLS_part": str(part[1])}
            else:
                blocking = {"_HLS_msn": str(nxt)}
        elif wait:
            delay = f.track.reloader.delay(pl) - (now - f.track.loaded_at)
            if delay > 0:
                self._sleep(delay)
            self._check_stop()
        assert f.rendition.uri is not None
        new = self._load_media(f.rendition.uri, blocking=blocking)
        if not f.cursor.update(new) and self._next_seq is not None:
            seq, t = self._main_anchor()
            f.cursor.anchor_live(seq, t, self._live_edge_time, self._dates)
        f.track.playlist = new
        f.track.loaded_at = self._clock.now()
        f.track.reloader.update(new, f.track.loaded_at)

    def _follows_parts(self, f: _Follower) -> bool:
        pl = f.track.playlist
        return self._ll and f.kind == "audio" and pl.is_live and pl.part_target is not None

    def _follow_audio(
        self, f: _Follower, until: float, *, cut: float | None = None, one: bool = False
    ) -> list[DemuxPacket]:
        """Audio packets of rendition ``f`` from its cursor up to ``until``
        (one segment or part only with ``one``). Packets before ``cut`` are
        dropped (an audio switch starts exactly at its boundary). In LL-HLS
        the rendition is followed part by part, with blocking reloads and
        preload hints, so audio never holds the live edge a segment back."""
        out: list[DemuxPacket] = []
        while f.cursor.next_time < until - 1e-3:
            self._check_stop()
            if self._follows_parts(f):
                step = f.cursor.next_step(f.hints_ok)
                if step is None and f.track.playlist.endlist:
                    f.cursor.next_time = until
                    break
                if not isinstance(step, RenditionStep):
                    part = (step.sequence, step.part) if step is not None else None
                    if step is not None and step.open_hint is not None:
                        h = step.open_hint
                        self._open_stream("audio", h.uri, h.byterange_start or 0)
                    self._reload_follower(f, wait=True, part=part)
                    continue
                packets = self._audio_step(f, step, cut)
                if packets is None:
                    continue  # its hint failed: the listed part instead
                out.extend(packets)
                f.cursor.advance(step)
                self.ll_stats["audio_parts"] += int(step.part is not None)
                if one:
                    break
                continue
            nxt = f.cursor.next_segment()
            if nxt is None:
                if f.track.playlist.endlist or not self._live:
                    f.cursor.next_time = until
                    break
                self._reload_follower(f, wait=True)
                continue
            seg, start = nxt
            if not seg.gap:
                data = self._rendition_bytes(seg, "segment", self._hls.max_segment_bytes)
                out.extend(self._audio_packets(data, seg, cut))
            f.cursor.next_time = max(f.cursor.next_time, start + seg.duration)
            if one:
                break
        return out

    def _audio_step(
        self, f: _Follower, step: RenditionStep, cut: float | None
    ) -> list[DemuxPacket] | None:
        """The packets of one LL-HLS audio step; None if it was a preload hint
        that failed (hints are then off for this rendition)."""
        if step.item is None:
            assert step.segment is not None
            seg = step.segment
        else:
            pl = f.track.playlist
            idx = step.part or 0
            seg = self._part_chunk(pl, step.segment, step.sequence, idx, step.item).seg
        if seg.gap:
            return []
        cap = self._hls.max_segment_bytes
        kind: TransferKind = "segment" if step.part is None else "part"
        if step.hint:
            try:
                data = self._rendition_bytes(
                    seg, kind, cap, retry=RetryPolicy(max_attempts=1), live_edge=True
                )
            except (FetchAborted, SecurityError):
                raise
            except NetworkError as exc:
                self._check_stop()  # closing mid-request is not a failing hint
                f.hints_ok = False
                self._emit(
                    WarningRaised(
                        code="preload-hint-failed",
                        message=f"audio preload hints disabled: {exc}",
                        t=self._now(),
                    )
                )
                return None
        else:
            data = self._rendition_bytes(seg, kind, cap, live_edge=step.part is not None)
        if step.cut is not None:
            cut = step.cut if cut is None else max(cut, step.cut)
        return self._audio_packets(data, seg, cut)

    def _audio_packets(self, data: bytes, seg: Segment, cut: float | None) -> list[DemuxPacket]:
        fmt = "mp4" if seg.init is not None else "mpegts"
        self._container_hint = fmt
        if data[:3] == b"ID3" or data[:2] in (b"\xff\xf1", b"\xff\xf9"):
            fmt = "aac"
        try:
            raw = [r for r in self._demux(data, fmt, "rendition") if r[0].kind == "audio"]
        except FormatError as exc:
            self._emit(WarningRaised(code="bad-segment", message=str(exc), t=self._now()))
            raw = []
        pending = self._pending_discontinuity
        packets = self._to_packets(raw, fmt, False)
        self._pending_discontinuity = pending
        if cut is not None:
            packets = [p for p in packets if (p.pts if p.pts is not None else cut) >= cut]
        return packets

    def _rendition_bytes(
        self,
        seg: Segment,
        kind: TransferKind,
        cap: int,
        *,
        retry: RetryPolicy = SEGMENT_RETRY,
        live_edge: bool = False,
    ) -> bytes:
        if seg.key is not None and seg.key.method != "AES-128":
            raise SecurityError(f"encryption {seg.key.method} is not supported (DRM)")
        br = seg.byterange
        data = self._streamed(seg.uri, br)
        if data is None:
            data = self._get(
                seg.uri,
                kind,
                cap,
                byterange=(br.offset, br.length) if br else None,
                retry=retry,
                live_edge=live_edge,
            ).data
        if seg.key is not None and seg.key.uri:
            data = decrypt_aes128(
                data, self._key_bytes(seg.key.uri), seg.key.iv or sequence_iv(seg.sequence)
            )
        if seg.init is not None:
            data = self._init_bytes(seg) + data
        return data

    # ------------------------------------------------------------------ open-ended hints

    def _open_stream(self, owner: str, url: str, offset: int) -> None:
        """Ask for ``url`` from ``offset`` on (an open-ended preload hint), the
        body read later as parts of it are listed. One stream per owner (the
        main track, the audio rendition): a new one replaces the old."""
        current = self._streams.get(owner)
        if current is not None and current[0] == url and current[1].offset == offset:
            return  # the hinted part is what this stream delivers next
        self._drop_stream(owner)
        if not self._open_hints_ok:
            return
        self._check_stop()
        self._cancel.clear()
        try:
            stream = self._fetcher.open_range(
                url, offset, kind="part", max_bytes=self._hls.max_segment_bytes, cancel=self._cancel
            )
        except (FetchAborted, SecurityError):
            raise
        except NetworkError as exc:
            self._check_stop()
            # parts are still listed with their byte ranges: fetch those instead
            self._open_hints_ok = False
            self._emit(
                WarningRaised(
                    code="preload-hint-failed",
                    message=f"open-ended preload hints disabled: {exc}",
                    t=self._now(),
                )
            )
            return
        self._streams[owner] = (url, stream)

    def _streamed(self, url: str, br: ByteRange | None) -> bytes | None:
        """The bytes of range ``br`` of ``url`` from an open stream, if one is
        at that offset (else None: fetch them). A stream that fails is
        dropped and the range fetched as usual."""
        if br is None:
            return None
        for owner, (u, stream) in list(self._streams.items()):
            if u != url:
                continue
            if stream.offset != br.offset:
                self._drop_stream(owner)  # another part than it delivers next
                return None
            try:
                data = stream.read(br.length)
            except FetchAborted:
                self._drop_stream(owner)
                raise
            except NetworkError as exc:
                log.info("open-ended hint stream failed, fetching the range: %s", exc)
                self._drop_stream(owner)
                return None
            self._progress_at = self._clock.now()
            self.ll_stats["streamed_parts"] += 1
            return data
        return None

    def _drop_stream(self, owner: str) -> None:
        old = self._streams.pop(owner, None)
        if old is not None:
            old[1].close()

    def _close_streams(self) -> None:
        for owner in list(self._streams):
            self._drop_stream(owner)

    def _start_subtitles(self, start: float) -> None:
        """Follow the selected subtitle track from timeline time ``start``."""
        self._subs = None
        if self._subtitle_index is None:
            return
        rendition = self._subtitle_tracks[self._subtitle_index].for_group(self._group("SUBTITLES"))
        try:
            self._subs = self._make_follower("subtitles", rendition, start)
        except (FetchAborted, SecurityError):
            raise
        except (NetworkError, FormatError) as exc:
            self._emit(
                WarningRaised(
                    code="subtitles-failed",
                    message=f"subtitle track {rendition.name!r} is unavailable: {exc}",
                    t=self._now(),
                )
            )

    def _follow_subtitles(self, f: _Follower, until: float) -> None:
        """Fetch and parse the subtitle segments up to ``until``. A subtitle
        failure is a warning: playback goes on without those cues."""
        reloaded = False
        while f.cursor.next_time < until - 1e-3:
            self._check_stop()
            nxt = f.cursor.next_segment()
            if nxt is None:
                pl = f.track.playlist
                if pl.endlist or not self._live or reloaded:
                    break
                now = self._clock.now()
                if now < f.next_reload:
                    break
                f.next_reload = now + pl.target_duration / 2
                reloaded = True
                try:
                    self._reload_follower(f, wait=False)
                except (FetchAborted, SecurityError):
                    raise
                except (NetworkError, FormatError) as exc:
                    self._subtitle_warning(str(exc))
                    break
                continue
            seg, start = nxt
            f.cursor.next_time = max(f.cursor.next_time, start + seg.duration)
            if seg.gap:
                continue
            try:
                data = self._rendition_bytes(seg, "subtitle", MAX_VTT_BYTES)
                cues = self._place_cues(f, parse_webvtt(data), seg, start)
            except (FetchAborted, SecurityError):
                raise
            except (NetworkError, FormatError) as exc:
                self._subtitle_warning(str(exc))
                continue
            if self._subs is f:
                self._cues.add(cues)

    def _subtitle_warning(self, message: str) -> None:
        self._emit(
            WarningRaised(code="subtitles-failed", message=f"subtitles: {message}", t=self._now())
        )

    def _place_cues(self, f: _Follower, vtt: WebVtt, seg: Segment, start: float) -> list[Cue]:
        """Cues in the WebVTT file's own clock → timeline seconds."""
        domain = seg.discontinuity_sequence
        tmap = vtt.timestamp_map
        if tmap is None:
            base = f.domain_starts.get(domain)
            if base is None:
                base = start
                for s in f.cursor.playlist.segments:
                    if s.discontinuity_sequence == domain:
                        known = f.cursor.start_of(s)
                        base = known if known is not None else start
                        break
                f.domain_starts[domain] = base
            return [Cue(base + c.start, base + c.end, c.text) for c in vtt.cues]
        mpegts = self._container == "mpegts"
        out = []
        for c in vtt.cues:
            a = self._rebaser.map_in_domain(tmap.media_seconds(c.start), domain, mpegts)
            if a is None:
                continue
            out.append(Cue(a, a + (c.end - c.start), c.text))
        return out

    def _apply_requests(self) -> None:
        """Track changes the user asked for (loader thread)."""
        with self._cond:
            requests, self._requests = self._requests, {}
        if "subtitles" in requests:
            index = self._valid_track(requests["subtitles"], self._subtitle_tracks, False)
            self._cues.clear()
            self._subtitle_index = index
            with self._cond:
                pos = self._position if self._position is not None else self._read_pts
                fetched = self._fetched_until
            start = pos if pos is not None else self._next_time
            self._start_subtitles(start)
            if self._subs is not None:
                self._follow_subtitles(self._subs, fetched)
        if "audio" in requests:
            self._set_audio(self._valid_track(requests["audio"], self._audio_tracks, True))

    def _set_audio(self, index: int | None) -> None:
        if index is None or index == self._audio_index:
            return
        rendition = self._audio_tracks[index].for_group(self._group("AUDIO"))
        old = self._audio
        frontier = old.cursor.next_time if old is not None else self._next_time
        if rendition.uri is None:
            # audio muxed in the variant: it comes with the segments not fetched yet
            self._audio_index = index
            self._audio = None
            return
        try:
            f = self._make_follower("audio", rendition, frontier)
        except (FetchAborted, SecurityError):
            raise
        except (NetworkError, FormatError) as exc:
            self._emit(
                WarningRaised(
                    code="audio-track-failed",
                    message=f"audio track {rendition.name!r} is unavailable: {exc}",
                    t=self._now(),
                )
            )
            return  # the current track plays on
        self._audio_index = index
        self._audio = f
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
                got = self._follow_audio(f, frontier, cut=boundary - 1e-3, one=True)
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
        merged = list(heapq.merge(self._queue, sorted(packets, key=_dts_key), key=_dts_key))
        self._queue = deque(merged)
        self._queued_bytes += sum(p.size for p in packets)

    def _regroup(self) -> None:
        """After a variant switch: renditions of the new variant's groups."""
        if self._audio is not None and self._audio_index is not None:
            r = self._audio_tracks[self._audio_index].for_group(self._group("AUDIO"))
            if r.uri and r.uri != self._audio.rendition.uri:
                self._audio = self._make_follower("audio", r, self._audio.cursor.next_time)
        if self._subs is not None and self._subtitle_index is not None:
            r = self._subtitle_tracks[self._subtitle_index].for_group(self._group("SUBTITLES"))
            if r.uri and r.uri != self._subs.rendition.uri:
                self._start_subtitles(self._subs.cursor.next_time)

    def _demux(
        self, data: bytes, fmt: str, origin: str
    ) -> list[tuple[StreamSpec, float | None, float | None, float, Any]]:
        """Demux one segment's bytes: (spec, pts s, dts s, duration s, av.Packet)."""
        out: list[tuple[StreamSpec, float | None, float | None, float, Any]] = []
        try:
            opened: Any = av.open(io.BytesIO(data), format=fmt, options={"protocol_whitelist": ""})
            with opened as container:
                streams = []
                video = next((s for s in container.streams if s.type == "video"), None)
                audio = next((s for s in container.streams if s.type == "audio"), None)
                if self._audio is not None and origin == "main":
                    audio = None  # audio comes from the rendition
                specs: dict[int, StreamSpec] = {}
                for s in (video, audio):
                    if s is not None:
                        specs[s.index] = self._spec_for(s, origin)
                        streams.append(s)
                if not streams:
                    return out
                for packet in container.demux(*streams):
                    if packet.size == 0 or (packet.pts is None and packet.dts is None):
                        continue
                    tb = packet.time_base or packet.stream.time_base
                    pts = float(packet.pts * tb) if packet.pts is not None else None
                    dts = float(packet.dts * tb) if packet.dts is not None else None
                    duration = float(packet.duration * tb) if packet.duration else 0.0
                    out.append((specs[packet.stream.index], pts, dts, duration, packet))
        except av.FFmpegError as exc:
            raise FormatError(f"could not demux an HLS segment ({fmt}): {exc}") from None
        return out

    def _spec_for(self, stream: Any, origin: str) -> StreamSpec:
        cc = stream.codec_context
        extradata = bytes(cc.extradata) if cc.extradata else None
        name = cc.name
        if stream.type == "video":
            rate = stream.average_rate or stream.guessed_rate
            # TS carries parameter sets in-band: its extradata changes with every
            # segment's first SPS/PPS and must not make a new decoder each time
            key: tuple[Any, ...] = (
                "video",
                name,
                extradata if self._container_hint == "mp4" else None,
                cc.width,
                cc.height,
                self._rung,
            )
        else:
            key = ("audio", name, extradata, cc.sample_rate, cc.layout.nb_channels, origin)
        if stream.type == "video" and not cc.width and self._rung in self._last_video:
            # an LL-HLS part that starts inside a GOP carries no parameter sets
            return self._last_video[self._rung]
        spec = self._specs.get(key)
        if spec is not None:
            if stream.type == "video":
                self._last_video[self._rung] = spec
            return spec

        def make_decoder(name: str = name, extradata: bytes | None = extradata) -> Any:
            ctx = av.CodecContext.create(name, "r")
            if extradata:
                ctx.extradata = extradata
            return ctx

        if stream.type == "video":
            spec = StreamSpec(
                kind="video",
                codec_name=name,
                time_base=Fraction(stream.time_base or Fraction(1, 90_000)),
                make_decoder=make_decoder,
                width=cc.width,
                height=cc.height,
                fps=float(rate) if rate else None,
                pix_fmt=cc.pix_fmt,
                bit_rate=self._ladder[self._rung].bandwidth if self._rung is not None else None,
            )
            self._first_video = self._first_video or spec
            self._last_video[self._rung] = spec
        else:
            spec = StreamSpec(
                kind="audio",
                codec_name=name,
                time_base=Fraction(stream.time_base or Fraction(1, 90_000)),
                make_decoder=make_decoder,
                sample_rate=cc.sample_rate,
                channels=cc.layout.nb_channels,
            )
            self._first_audio = self._first_audio or spec
        self._specs[key] = spec
        return spec

    def _build_info(self, pl: MediaPlaylist) -> None:
        v, a = self._first_video, self._first_audio
        media = MediaInfo(
            url=redact_url(self.url),
            protocol="hls",
            container=self._container,
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
