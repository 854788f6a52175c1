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

import io
import logging
import random
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
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
    VariantInfo,
    VariantSwitched,
    VideoInfo,
    WarningRaised,
)
from ..fetch import FetchAborted, Fetcher, FetchResult, HttpFetcher, HttpStatusError, TransferKind
from ..redact import redact_url
from ..retry import KEY_RETRY, PLAYLIST_RETRY, SEGMENT_RETRY, RetryPolicy
from ..source import DemuxPacket, SourceInfo, StreamSpec
from .crypto import check_key, decrypt_aes128, sequence_iv
from .live import LiveReloader, live_start_index, target_latency
from .playlist import (
    MAX_PLAYLIST_BYTES,
    MAX_SEGMENTS,
    MediaPlaylist,
    MultivariantPlaylist,
    Rendition,
    Segment,
    Variant,
    parse_playlist,
)
from .timeline import DateMap, Rebaser

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


class _Abandon(Exception):
    def __init__(self, decision: Decision) -> None:
        self.decision = decision


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
    ) -> None:
        self.url = url
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

        self._ladder: list[Variant] = []
        self._multivariant: MultivariantPlaylist | None = None
        self._audio_rendition: Rendition | None = None
        self._rung: int | None = None
        self._manual: int | None = None
        self._max_resolution: tuple[int, int] | None = None
        self._failed: set[int] = set()
        self._tracks: dict[int, _Track] = {}
        self._audio_track: _Track | None = None
        self._live = False
        self._info: SourceInfo | None = None

        self._next_time = 0.0
        self._next_seq: int | None = None
        self._audio_next_time = 0.0
        self._audio_next_seq: int | None = None
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
            waited = 0.0
            while not self._queue:
                if self._interrupted:
                    raise NetworkError("reading the HLS stream was interrupted")
                if self._error is not None:
                    raise self._error
                if self._ended:
                    return None
                if not self._stalled and self._position is not None:
                    self._stalled = True
                    self._mark("stall", "no segment data ahead of playback")
                if waited >= timeout:
                    raise NetworkError(f"no HLS data for {timeout:g} s from {redact_url(self.url)}")
                self._cond.wait(0.05)
                waited += 0.05
            self._stalled = False
            pkt = self._queue.popleft()
            self._queued_bytes -= pkt.size
            if pkt.pts is not None:
                self._read_pts = pkt.pts
            self._cond.notify_all()
            return pkt

    def seek(self, position: float, exact: bool) -> None:
        if self._live:
            return
        with self._cond:
            self._generation += 1
            self._queue.clear()
            self._queued_bytes = 0
            self._seek_request = max(0.0, position)
            self._position = max(0.0, position)
            self._read_pts = None
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
        return self._rung

    def variants(self) -> tuple[VariantInfo, ...]:
        return tuple(self._variant_info(i, v) for i, v in enumerate(self._ladder))

    def timeline(self) -> list[TimelineEntry]:
        with self._cond:
            return list(self._timeline)

    def live_latency(self) -> float | None:
        """Seconds between the play position and the live edge, when live."""
        if not self._live or self._rung not in self._tracks:
            return None
        with self._cond:
            pos = self._position if self._position is not None else self._read_pts
            edge = self._live_edge_time
        return None if pos is None or edge is None else max(0.0, edge - pos)

    _live_edge_time: float | None = None

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
        while True:
            self._check_stop()
            self._cancel.clear()
            try:
                result = self._fetcher.get(
                    url,
                    kind=kind,
                    max_bytes=max_bytes,
                    byterange=byterange,
                    progress=progress,
                    cancel=self._cancel,
                )
            except FetchAborted:
                raise
            except SecurityError:
                raise
            except NetworkError as exc:
                attempt += 1
                status = exc.status if isinstance(exc, HttpStatusError) else None
                if not retry.should_retry(attempt, status, live_edge=live_edge):
                    raise
                delay = retry.delay(attempt, self._rand)
                log.info("retrying %s in %.2fs: %s", redact_url(url), delay, exc)
                self._sleep(delay)
                continue
            if kind in ("segment", "part"):
                s = result.stats
                self._meter.add_sample(s.bytes, s.transfer_seconds, s.ttfb, from_cache=s.from_cache)
            return result

    def _load_playlist(
        self, url: str, *, blocking: dict[str, str] | None = None
    ) -> MultivariantPlaylist | MediaPlaylist:
        target = _with_query(url, blocking) if blocking else url
        result = self._get(target, "playlist", MAX_PLAYLIST_BYTES, retry=PLAYLIST_RETRY)
        try:
            text = result.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PlaylistError(f"playlist is not UTF-8 (byte {exc.start})") from None
        imported = self._multivariant.variables if self._multivariant else None
        return parse_playlist(
            text, result.url, max_segments=self._hls.max_segments, imported=imported
        )

    def _load_media(self, url: str, blocking: dict[str, str] | None = None) -> MediaPlaylist:
        pl = self._load_playlist(url, blocking=blocking)
        if isinstance(pl, MultivariantPlaylist):
            raise PlaylistError("a multivariant playlist where a media playlist was expected")
        return pl

    def _track(self, rung: int, *, reload: bool = False) -> _Track:
        track = self._tracks.get(rung)
        if track is not None and not reload:
            return track
        variant = self._ladder[rung]
        urls = (variant.uri, *variant.backups)
        last: PlayerError | None = None
        for u in urls:
            try:
                pl = self._load_media(u)
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

    def _segment_bytes(self, seg: Segment, rung: int, live_edge: bool) -> bytes:
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
                raise _Abandon(decision)
            return True

        data = self._get(
            seg.uri,
            "segment",
            cap,
            byterange=(br.offset, br.length) if br else None,
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
            w, h = self._max_resolution
            fits = [
                i
                for i, v in enumerate(self._ladder)
                if v.height is None or (v.height <= h * 1.1 and (v.width or 0) <= w * 1.1)
            ]
            top = max(fits) if fits else 0
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
            self._audio_rendition = self._pick_audio(top)
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
        if self._audio_rendition is not None and self._audio_rendition.uri:
            apl = self._load_media(self._audio_rendition.uri)
            self._audio_track = _Track(
                apl, LiveReloader(stuck_factor=self._hls.stuck_factor), self._clock.now()
            )
        if not pl.segments and not self._live:
            raise PlaylistError("media playlist without segments")
        self._position_start(pl)
        # fetch until the first segment with media gives us the stream parameters
        while not self._opened.is_set():
            if not self._step():
                raise FormatError("the HLS stream has no playable media")

    def _pick_audio(self, top: MultivariantPlaylist) -> Rendition | None:
        groups = {v.audio_group for v in self._ladder if v.audio_group}
        candidates = [r for r in top.renditions if r.type == "AUDIO" and r.group_id in groups]
        if not candidates:
            return None
        for pick in (
            [r for r in candidates if r.default],
            [r for r in candidates if r.autoselect],
            candidates,
        ):
            if pick:
                return pick[0]
        return None

    def _position_start(self, pl: MediaPlaylist) -> None:
        if self._live:
            low = self._config.latency.low_latency
            i = live_start_index(pl, low)
            if pl.segments:
                self._next_seq = pl.segments[i].sequence
            else:
                self._next_seq = pl.first_sequence
            self._next_time = 0.0
            self._live_latency_target = target_latency(pl, low)
        else:
            start = 0.0
            if pl.start_offset is not None:
                off = pl.start_offset
                start = off if off >= 0 else max(0.0, pl.duration + off)
            self._next_time = self._segment_at(pl, start).start if pl.segments else 0.0
        self._audio_next_time = self._next_time
        with self._cond:
            self._fetched_until = self._next_time

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
            if not self._wait_for_room():
                continue
            try:
                more = self._step()
            except FetchAborted:
                if self._stop.is_set() or self._interrupted:
                    return
                continue  # a seek cancelled the download
            if not more:
                # VOD finished: wait for a seek or the end
                with self._cond:
                    if self._seek_request is None:
                        self._ended = True
                    self._cond.notify_all()
                    self._cond.wait_for(
                        lambda: (
                            self._stop.is_set()
                            or self._interrupted
                            or self._seek_request is not None
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
        self._audio_next_time = seg.start
        self._pending_discontinuity = True
        with self._cond:
            self._fetched_until = seg.start
            self._ended = False

    def _wait_for_room(self) -> bool:
        with self._cond:
            max_bytes = self._config.buffer.max_bytes
            while not self._stop.is_set() and not self._interrupted:
                if self._seek_request is not None:
                    return False
                if (
                    self._buffer_level_locked() < self._buffer_target
                    and self._queued_bytes < max_bytes
                ):
                    return True
                self._cond.wait(0.1)
        return False

    def _next_segment(self) -> tuple[MediaPlaylist, Segment] | None:
        """The next segment of the current rung, reloading a live playlist as needed."""
        assert self._rung is not None
        while not self._stop.is_set() and not self._interrupted:
            track = self._track(self._rung)
            pl = track.playlist
            if not self._live:
                for s in pl.segments:
                    if s.end > self._next_time + 1e-3:
                        return pl, s
                return None
            assert self._next_seq is not None
            if pl.segments and self._next_seq < pl.first_sequence:
                # fell out of the live window (a long outage): rejoin at the live edge
                i = live_start_index(pl, self._config.latency.low_latency)
                with self._cond:
                    self._mark("rejoin", f"segment {self._next_seq} left the live window")
                self._next_seq = pl.segments[i].sequence
                self._pending_discontinuity = True
            for s in pl.segments:
                if s.sequence == self._next_seq:
                    self._update_live_edge(pl)
                    return pl, s
            if pl.endlist:
                return None
            self._reload_live(track)
        return None

    def _update_live_edge(self, pl: MediaPlaylist) -> None:
        assert self._next_seq is not None
        ahead = sum(s.duration for s in pl.segments if s.sequence >= self._next_seq)
        with self._cond:
            self._live_edge_time = self._next_time + ahead

    def _reload_live(self, track: _Track) -> None:
        assert self._rung is not None
        pl = track.playlist
        now = self._clock.now()
        if track.reloader.stuck(pl, now):
            raise NetworkError(
                f"the live playlist has not advanced for {self._hls.stuck_factor:g} target "
                f"durations ({redact_url(pl.url)}): the stream has stalled"
            )
        blocking = None
        if pl.server_control.can_block_reload and self._next_seq is not None:
            blocking = {"_HLS_msn": str(self._next_seq)}
        else:
            wait = track.reloader.delay(pl) - (now - track.loaded_at)
            if wait > 0:
                self._sleep(wait)
            self._check_stop()
        variant = self._ladder[self._rung]
        new = self._load_media(variant.uri, blocking=blocking)
        if new.skipped_segments:
            raise PlaylistError("delta playlist update (EXT-X-SKIP) without a request for one")
        track.playlist = new
        track.loaded_at = self._clock.now()
        track.reloader.update(new, track.loaded_at)

    def _step(self) -> bool:
        """Fetch, demux and queue one segment. False at the end of a VOD."""
        assert self._rung is not None
        nxt = self._next_segment()
        if nxt is None:
            return False
        pl, seg = nxt
        decision = self._decide(seg.duration)
        if decision.index != self._rung:
            self._switch(decision)
            nxt = self._next_segment()
            if nxt is None:
                return False
            pl, seg = nxt
        generation = self._generation
        try:
            data = self._fetch_with_fallback(pl, seg)
        except _Abandon as ab:
            self._switch(ab.decision)
            return True
        if data is None:  # a gap: no media, the timeline moves on
            self._advance(seg)
            with self._cond:
                self._mark("gap", f"segment {seg.sequence} is a gap")
            return True
        packets = self._demux_segment(data, seg)
        if packets is None:
            self._advance(seg)
            return True
        audio = self._audio_packets(seg) if self._audio_track is not None else []
        merged = sorted(packets + audio, key=lambda p: p.dts if p.dts is not None else -1e18)
        with self._cond:
            if generation != self._generation or self._seek_request is not None:
                return True
            for p in merged:
                self._queue.append(p)
                self._queued_bytes += p.size
            self._advance(seg)
            self._mark(None)
            self._cond.notify_all()
        if merged and not self._opened.is_set():
            self._build_info(pl)
        return True

    def _advance(self, seg: Segment) -> None:
        self._dates.add(seg.program_date_time, self._next_time)
        self._next_time += seg.duration
        if self._live:
            self._next_seq = seg.sequence + 1
        self._fetched_until = self._next_time

    def _fetch_with_fallback(self, pl: MediaPlaylist, seg: Segment) -> bytes | None:
        """The segment's bytes; on lasting failure, the same time from another rung."""
        assert self._rung is not None
        while True:
            if seg.gap:
                return None
            try:
                live_edge = self._live and seg.sequence >= pl.last_sequence - 1
                return self._segment_bytes(seg, self._rung, live_edge)
            except (FetchAborted, SecurityError):
                raise
            except NetworkError as exc:
                with self._cond:
                    self._mark("error", str(exc))
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
                pl, seg = nxt

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

    def _audio_packets(self, seg: Segment) -> list[DemuxPacket]:
        track = self._audio_track
        assert track is not None
        out: list[DemuxPacket] = []
        end = self._next_time + seg.duration
        while self._audio_next_time < end - 1e-3:
            apl = track.playlist
            aseg = None
            for s in apl.segments:
                if s.end > self._audio_next_time + 1e-3:
                    aseg = s
                    break
            if aseg is None:
                if apl.endlist or not self._live:
                    break
                self._sleep(0.05)
                track.playlist = self._load_media(apl.url)
                continue
            if aseg.gap:
                self._audio_next_time = aseg.end
                continue
            data = self._get(aseg.uri, "segment", self._hls.max_segment_bytes).data
            if aseg.key is not None and aseg.key.uri:
                data = decrypt_aes128(
                    data, self._key_bytes(aseg.key.uri), aseg.key.iv or sequence_iv(aseg.sequence)
                )
            if aseg.init is not None:
                data = self._init_bytes(aseg) + data
            fmt = "mp4" if aseg.init is not None else "mpegts"
            self._container_hint = fmt
            if data[:3] == b"ID3" or data[:2] in (b"\xff\xf1", b"\xff\xf9"):
                fmt = "aac"
            try:
                raw = [r for r in self._demux(data, fmt, "rendition") if r[0].kind == "audio"]
            except FormatError as exc:
                self._emit(WarningRaised(code="bad-segment", message=str(exc), t=self._now()))
                raw = []
            out.extend(self._to_packets(raw, fmt, False))
            self._audio_next_time = aseg.end
        return out

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
                if self._audio_track is not None and origin == "main":
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
        spec = self._specs.get(key)
        if spec is not None:
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
        )
        with self._cond:
            self._info = SourceInfo(
                media=media,
                video=v,
                audio=a,
                start_time=0.0,
                variants=media.variants,
                extra={"live_target_latency": getattr(self, "_live_latency_target", None)},
            )
        self._opened.set()
