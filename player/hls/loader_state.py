"""What the HLS loader thread and ``read()``'s callers share: the packet
queue and its lock, the fetch cursor, the rung in use and the ladder, and
how the parts tell events, mark the timeline and wait.

``HlsSource`` and its parts (``packet_queue``, ``rung_choice``,
``segment_loader``, ``outages``, ``fetch_cursor``) each hold this one object
rather than a reference to one another: the fields are the contract.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime

from ..abr.estimator import BandwidthEstimator
from ..capabilities import TimelineEntry
from ..clock import Clock
from ..config import PlayerConfig
from ..errors import PlayerError
from ..events import Event, WarningRaised
from ..fetch import FetchAborted
from ..source_api import DemuxPacket, SourceInfo
from ..warning_text import WarningCode
from .config import HlsConfig
from .live_edge import Track
from .playlist import Variant

__all__ = ["GRACE", "LoaderState"]

log = logging.getLogger("player.hls.hls_source")

#: seconds read() gives the loader beyond its own timeouts before giving up
#: itself (the loader's read timeout and read()'s are the same length)
GRACE = 1.0


class LoaderState:
    """The fields of one HLS session, guarded by ``cond`` where two threads
    meet (the ``*_locked`` helpers expect it held)."""

    def __init__(
        self,
        url: str,
        *,
        config: PlayerConfig,
        hls: HlsConfig,
        clock: Clock,
        meter: BandwidthEstimator,
        emit: Callable[[Event], None] | None,
        wall: Callable[[], datetime],
    ) -> None:
        self.url = url
        self.config = config
        self.hls = hls
        self.clock = clock
        self.meter = meter
        self.wall = wall
        self._emit_cb = emit
        self.t0 = clock.now()
        self.buffer_target = (
            hls.buffer_target if hls.buffer_target is not None else config.buffer.max_seconds
        )

        # -- where read() and the loader meet (under cond)
        self.cond = threading.Condition()
        self.queue: deque[DemuxPacket] = deque()
        self.queued_bytes = 0
        self.ended = False
        self.error: PlayerError | None = None
        self.interrupted = False
        self.stop = threading.Event()
        self.cancel = threading.Event()
        self.opened = threading.Event()
        self.generation = 0
        self.seek_request: float | None = None
        self.position: float | None = None
        self.read_pts: float | None = None
        self.fetched_until = 0.0
        self.stalled = False
        #: clock time the loader last received bytes (read() waits while it does)
        self.progress_at = clock.now()
        #: clock time until which the loader is known to be busy with a request
        #: (connecting, or waiting to retry one): read() waits for it
        self.busy_until = clock.now()
        #: clock time the loader's first request since the last bytes began:
        #: read()'s limit for a loader making no progress counts from it, not
        #: only from the last bytes (a request begun once a full buffer had
        #: room is not late); its retries do not move it
        self.asked_at = clock.now()
        #: track changes asked for by the user, applied by the loader thread
        self.requests: dict[str, int | None] = {}
        #: read() hands out nothing at or after this time (an audio switch in progress)
        self.hold_at: float | None = None
        #: highest decode time handed out by read()
        self.read_front: float | None = None
        #: (output time where a fetched chunk starts, its rung), in fetch order:
        #: what plays at a position is the rung fetched for it, which lags the
        #: ABR's choice by the buffer
        self.rungs_at: deque[tuple[float, int]] = deque(maxlen=4096)
        self.timeline: deque[TimelineEntry] = deque(maxlen=hls.max_timeline_entries)
        self.info: SourceInfo | None = None

        # -- the ladder and the rung in use
        self.ladder: list[Variant] = []
        self.rung: int | None = None
        self.manual: int | None = None
        self.pin_height: int | None = None
        #: a rung locked by its index from the first segment on (--variant)
        self.pin_variant: int | None = None
        self.max_resolution: tuple[int, int] | None = None
        #: which copy of each rung is in use: 0 its URI, n its n-th backup
        self.copy: dict[int, int] = {}
        self.tracks: dict[int, Track] = {}

        # -- the fetch cursor (loader thread)
        self.live = False
        self.next_time = 0.0
        self.next_seq: int | None = None
        #: LL-HLS: the next part of segment ``next_seq`` (0: its start)
        self.next_part = 0
        self.ll = False
        #: the main playlist is as old as an outage: reload it before going on
        self.refresh = False
        self.live_edge_time: float | None = None
        self.edge_loaded_at = 0.0
        self.live_latency_target: float | None = None
        #: (sequence, part, assumed duration) of a part fetched by its preload hint
        self.hint_fix: tuple[int, int, float] | None = None
        #: preload hints are used (False after one failed, until an outage ends)
        self.hints_ok = True
        #: the renditions are to be lined up with the main cursor again (a rejoin)
        self.reanchor = False
        #: LL-HLS counters, for the metrics and the tests
        self.ll_stats = {
            "parts": 0,
            "hints": 0,
            "blocking_reloads": 0,
            "delta_updates": 0,
            "audio_parts": 0,
            "streamed_parts": 0,
        }

    def now(self) -> float:
        return self.clock.now() - self.t0

    def emit(self, event: Event) -> None:
        if self._emit_cb is None:
            return
        try:
            self._emit_cb(event)
        except Exception:  # a subscriber's bug must not kill the loader
            log.exception("HLS event subscriber raised")

    def warn(self, code: WarningCode, /, **params: object) -> None:
        self.emit(WarningRaised.of(code, params, t=self.now()))

    def received(self) -> None:
        """Bytes came in: read() keeps waiting for a slow download."""
        self.progress_at = self.clock.now()

    def busy(self, seconds: float | None) -> None:
        """The loader starts a request (None: it may take the connect timeout
        to answer) or waits ``seconds`` before retrying one."""
        net = self.config.network
        now = self.clock.now()
        if seconds is None and self.progress_at >= self.asked_at:
            self.asked_at = now  # the first request since the last bytes; retries keep it
        span = max(net.open_timeout - net.read_timeout, 0.0) if seconds is None else seconds
        self.busy_until = max(self.busy_until, now + span + GRACE)

    def buffer_level_locked(self) -> float:
        pos = self.position if self.position is not None else self.read_pts
        return max(0.0, self.fetched_until - (pos or 0.0))

    def buffer_level(self) -> float:
        with self.cond:
            return self.buffer_level_locked()

    def mark(self, marker: str | None, detail: str = "") -> None:
        bitrate = self.ladder[self.rung].bitrate if self.rung is not None and self.ladder else 0
        self.timeline.append(
            TimelineEntry(
                t=self.now(),
                estimate_bps=self.meter.estimate_bps(),
                selected_bitrate=bitrate,
                buffer=self.buffer_level_locked(),
                marker=marker,
                detail=detail,
                measured=self.meter.measured,
            )
        )

    def sleep(self, seconds: float) -> None:
        """Wait, waking early for stop, interrupt or a seek."""
        with self.cond:
            self.clock.wait_for(
                self.cond,
                lambda: self.stop.is_set() or self.interrupted or self.seek_request is not None,
                seconds,
            )

    def check_stop(self) -> None:
        if self.stop.is_set() or self.interrupted:
            raise FetchAborted("stopped")

    def track_of_rung(self) -> Track | None:
        """The playlist of the rung in use, once loaded."""
        return self.tracks.get(self.rung) if self.rung is not None else None
