"""Several streams played side by side, each in its own ``Player``, started
together and sampled on one time base: the tester's bench. Qt-free: the
headless ``heureum compare`` and the window's compare view both drive it."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .config import DEFAULT_CONFIG, OpenOptions, PlayerConfig
from .events import (
    BufferingChanged,
    ErrorOccurred,
    Event,
    MediaOpened,
    PlayerState,
    Reconnecting,
    StateChanged,
    VariantInfo,
    VariantSwitched,
)
from .metrics import stall_rejoins
from .redact import redact
from .stats import SessionStats
from .video_sink import NullVideoSink, VideoSink

__all__ = ["MAX_STREAMS", "MIN_STREAMS", "CompareSession", "ComparedStream", "pick_rung"]

MIN_STREAMS = 2
MAX_STREAMS = 4
#: seconds of received bytes the sampled bitrate is averaged over (HLS fetches
#: whole segments in bursts)
BITRATE_WINDOW = 4.0


def pick_rung(variants: Sequence[VariantInfo], max_height: int) -> int | None:
    """The rung pinned for ``max_height``: the tallest at or under it (the
    richest of equal heights), else the lowest. None without a ladder."""
    if not variants:
        return None
    from .hls.view_cap import pinned_rung

    return pinned_rung(variants, max_height)


@dataclass
class ComparedStream:
    """One stream of the comparison and everything sampled from it."""

    index: int
    url: str
    player: Any  # player.Player (imported lazily: PyAV is heavy)
    fatal: str | None = None
    ended: bool = False
    pinned: int | None = None
    stalled: bool = False
    #: when the last stall ended (session seconds; None: none yet)
    stall_ended: float | None = None
    variants: tuple[VariantInfo, ...] = ()
    samples: list[dict[str, Any]] = field(default_factory=list)
    markers: list[dict[str, Any]] = field(default_factory=list)
    _bytes: list[tuple[float, int]] = field(default_factory=list)

    @property
    def display_url(self) -> str:
        return redact(self.url)

    @property
    def done(self) -> bool:
        return self.fatal is not None or self.ended


class CompareSession:
    """2-4 sessions on the same engine, opened within the same instant.

    ``sample()`` (any thread, typically every 0.5 s) records one row per
    stream; ``result()`` is the comparison report. ``sink_factory(i)`` gives
    stream ``i`` its video sink (the window's tiles; none headless)."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        config: PlayerConfig = DEFAULT_CONFIG,
        options: OpenOptions | None = None,
        max_height: int | None = None,
        sink_factory: Callable[[int], VideoSink | None] | None = None,
        heard: int = 0,
        on_event: Callable[[int, Event], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        player_factory: Callable[[PlayerConfig, VideoSink | None], Any] | None = None,
    ) -> None:
        if not MIN_STREAMS <= len(urls) <= MAX_STREAMS:
            raise ValueError(
                f"compare plays {MIN_STREAMS} to {MAX_STREAMS} streams, not {len(urls)}"
            )
        if max_height is not None and max_height <= 0:
            raise ValueError("--max-height must be a positive number of lines")
        self.urls = list(urls)
        self.config = config
        self.options = options
        self.max_height = max_height
        self._sink_factory = sink_factory or (lambda i: NullVideoSink())
        self._on_event = on_event
        self._clock = clock
        self._player_factory = player_factory
        self._audio: Any = None
        self._lock = threading.Lock()
        self._changed = threading.Event()
        self.heard = heard
        self.streams: list[ComparedStream] = []
        self.started_at = 0.0
        self.started_wall = ""
        self._closed = False

    # ------------------------------------------------------------ lifecycle
    def _make_player(self, sink: VideoSink | None) -> Any:
        if self._player_factory is not None:
            return self._player_factory(self.config, sink)
        from .audio_mix import SharedAudioDevice, VoicePool
        from .clock import SystemClock
        from .player import Player  # PyAV and the engine: only once a run starts

        if self._audio is None:
            # One output for every stream: the one heard, the others muted voices.
            self._audio = SharedAudioDevice(self.config.audio, SystemClock())
        return Player(self.config, video_sink=sink, audio_pool=VoicePool(self._audio))

    def start(self) -> None:
        for i, url in enumerate(self.urls):
            player = self._make_player(self._sink_factory(i))
            player.set_muted(i != self.heard)
            if self.max_height is not None:
                player.pin_height(self.max_height)
            stream = ComparedStream(i, url, player)
            player.subscribe(functools.partial(self._event, stream))
            self.streams.append(stream)
        self.started_at = self._clock()
        self.started_wall = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        # Every Player is built first: the opens below only start threads, so
        # the streams begin within milliseconds of each other.
        for stream in self.streams:
            try:
                stream.player.open(stream.url, self.options)
            except Exception as exc:  # a bad URL fails its own stream only
                stream.fatal = redact(str(exc)) or type(exc).__name__

    def t(self) -> float:
        return self._clock() - self.started_at

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        # In parallel: each close joins its session's threads.
        threads = [
            threading.Thread(target=s.player.close, name="heureum-compare-close", daemon=True)
            for s in self.streams
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join(5.0)
        if self._audio is not None:
            self._audio.close()

    @property
    def all_done(self) -> bool:
        return bool(self.streams) and all(s.done for s in self.streams)

    def wait_changed(self, timeout: float) -> bool:
        """Block until a stream ends or fails (or ``timeout``)."""
        changed = self._changed.wait(timeout)
        self._changed.clear()
        return changed

    def hear(self, index: int) -> None:
        """Make stream ``index`` the one heard; the others stay decoded and
        timed, muted."""
        self.heard = index
        for s in self.streams:
            s.player.set_muted(s.index != index)

    def pin(self, max_height: int | None) -> None:
        """Pin every adaptive stream to the tallest rung at or under
        ``max_height`` lines (None: back to automatic), while they play."""
        if max_height is not None and max_height <= 0:
            raise ValueError("a rung's height is more than 0 lines")
        self.max_height = max_height
        for s in self.streams:
            s.player.pin_height(max_height)
            s.pinned = None if max_height is None else pick_rung(s.variants, max_height)

    def ladder_heights(self) -> list[int]:
        """Every rung height any stream offers, tallest first (for a menu)."""
        heights = {v.height for s in self.streams for v in s.variants if v.height}
        return sorted((h for h in heights if h is not None), reverse=True)

    # ------------------------------------------------------------ events
    def _event(self, stream: ComparedStream, event: Event) -> None:
        t = round(self.t(), 3)
        if isinstance(event, ErrorOccurred) and event.fatal:
            with self._lock:
                stream.fatal = stream.fatal or event.message
            stream.markers.append({"t": t, "type": "error", "message": event.message})
            self._changed.set()
        elif isinstance(event, StateChanged) and event.state == PlayerState.ENDED:
            stream.ended = True
            self._changed.set()
        elif isinstance(event, BufferingChanged):
            self._stall_marker(stream, event, t)
        elif isinstance(event, VariantSwitched) and event.from_index is not None:
            # (the first choice of rung is not a switch)
            stream.markers.append(
                {"t": t, "type": "switch", "to": event.to_index, "bandwidth": event.bandwidth}
            )
        elif isinstance(event, Reconnecting):
            stream.markers.append({"t": t, "type": "reconnect", "attempt": event.attempt})
        elif isinstance(event, MediaOpened):
            stream.variants = event.info.variants
            if self.max_height is not None and event.info.variants:
                # the source locked it before its first segment (Player.pin_height)
                stream.pinned = pick_rung(event.info.variants, self.max_height)
        if self._on_event is not None:
            self._on_event(stream.index, event)

    @staticmethod
    def _stall_marker(stream: ComparedStream, event: BufferingChanged, t: float) -> None:
        """One marker per stall as the report counts them: progress is
        reported all through a stall (marked where it begins), and a stall
        that starts again within ``STALL_JOIN_S`` of its end is the same one
        (a starving low-latency stream), as ``SessionMetrics`` joins it."""
        stalled = event.buffering and event.rebuffer
        if stalled and not stream.stalled:
            if not stall_rejoins(stream.stall_ended, t):
                stream.markers.append({"t": t, "type": "stall"})
        elif stream.stalled and not stalled:
            stream.stall_ended = t
        stream.stalled = stalled

    # ------------------------------------------------------------ sampling
    def sample(self) -> list[dict[str, Any]]:
        """One row per stream, appended to its samples and returned."""
        t = self.t()
        rows = []
        for s in self.streams:
            stats = s.player.stats()
            rows.append(self._sample_one(s, t, stats))
        return rows

    def _sample_one(self, s: ComparedStream, t: float, stats: SessionStats) -> dict[str, Any]:
        latency = stats.latency
        value, kind = latency.headline()
        bytes_in = stats.bytes_in
        s._bytes.append((t, bytes_in))
        while len(s._bytes) > 2 and t - s._bytes[1][0] >= BITRATE_WINDOW:
            s._bytes.pop(0)
        t0, b0 = s._bytes[0]
        kbps = (bytes_in - b0) * 8 / 1000 / (t - t0) if t > t0 else None
        rung = stats.abr.playing_index if stats.abr is not None else None
        height = None
        if rung is not None and rung < len(s.variants):
            height = s.variants[rung].height
        elif stats.media is not None and stats.media.video is not None:
            height = stats.media.video.height
        row = {
            "t": round(t, 3),
            "state": stats.state,
            "latency_s": None if value is None else round(value, 3),
            "latency_kind": kind,
            "end_to_end_s": latency.end_to_end_s,
            "to_live_edge_s": latency.to_live_edge_s,
            "bitrate_kbps": None if kbps is None else round(kbps, 1),
            "buffer_s": stats.buffer_s if stats.opened else None,
            "rung": rung,
            "height": height,
        }
        s.samples.append(row)
        return row

    # ------------------------------------------------------------ results
    def reports(self) -> list[dict[str, Any]]:
        """Each stream's full report (the single ``--report`` schema) with a
        ``compare`` block: its samples, markers, pinned rung and outcome."""
        from .compare_table import stream_outcome

        out = []
        for s in self.streams:
            report = s.player.report()
            report["url"] = s.display_url
            played, reason = stream_outcome(report, s.fatal)
            report["compare"] = {
                "index": s.index,
                "played": played,
                "failure": reason,
                "pinned_rung": s.pinned,
                "variants": [vars(v) for v in s.variants],
                "samples": list(s.samples),
                "markers": list(s.markers),
            }
            out.append(report)
        return out

    def result(self) -> dict[str, Any]:
        from .compare_table import comparison

        streams = self.reports()
        summary = comparison(streams)
        summary["started_at"] = self.started_wall
        summary["session_seconds"] = round(self.t(), 3)
        summary["max_height"] = self.max_height
        return {"streams": streams, "comparison": summary}


def run_compare(
    session: CompareSession,
    duration: float,
    *,
    interval: float = 0.5,
    stop: threading.Event | None = None,
    before_close: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Play ``session`` in real time for ``duration`` seconds (or until every
    stream has ended or failed, or ``stop`` is set), sampling every
    ``interval``; close it and return the comparison. ``before_close``: run
    while the streams are still open (a probe's last push)."""
    stop = stop or threading.Event()
    try:
        session.start()
        deadline = session.t() + duration
        while not stop.is_set() and not session.all_done:
            left = deadline - session.t()
            if left <= 0:
                break
            stop.wait(min(interval, left))
            session.sample()
        session.sample()
        return session.result()
    finally:
        if before_close is not None:
            before_close()
        session.close()
