"""The one wiring between a bandwidth meter and an ABR policy.

``HlsSource`` and the trace simulator both drive the policy through an
``AbrDriver``: the same context is built from the same inputs, the same
abandonment checks run at the same interval with the same buffer convention
(the level *now*, never the level at request time), and an abandoned
transfer is measured the same way. So a decision the simulator shows is a
decision the player makes (``tests/unit/test_abr_driver.py`` checks it).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from .estimator import BandwidthEstimator
from .policy import AbrContext, AbrPolicy, Decision, InFlight
from .silences import Silences

__all__ = ["AbrDriver", "Download", "Inputs"]


@dataclass(frozen=True)
class Inputs:
    """What the caller knows about the stream and the buffer when it asks."""

    bitrates: tuple[float, ...]
    current: int | None
    #: seconds buffered ahead of the play position, now
    buffer: float
    segment_duration: float
    buffer_target: float
    max_index: int | None = None
    now: float = 0.0
    live: bool = False
    #: VOD: media seconds left to fetch after this segment (None: live/unknown)
    remaining: float | None = None


@dataclass
class Download:
    """A segment transfer under way, as far as the abandonment checks go."""

    rung: int
    #: bytes the rung's bitrate implies, used until the response gives a length
    expected_bytes: int
    last_check: float = 0.0
    #: (elapsed s, bytes) at each check so far, for the recent rate
    marks: list[tuple[float, int]] = field(default_factory=list)
    #: its dead time (an outage inside it), fed by the caller as bytes arrive
    silences: Silences = field(default_factory=Silences)


class AbrDriver:
    def __init__(
        self,
        policy: AbrPolicy,
        meter: BandwidthEstimator | None = None,
        *,
        check_interval: float = 0.1,
    ) -> None:
        self.policy = policy
        self.meter = meter or BandwidthEstimator()
        #: seconds between abandonment checks (hls.js: 100 ms)
        self.check_interval = check_interval
        #: a transfer's recent rate is measured over at least this many seconds
        self.recent_window = 1.0
        #: the last segments' size over their rung's nominal size (see ``finished``)
        self._ratios: deque[float] = deque(maxlen=5)

    def finished(self, rung_bps: float, size: int, duration: float) -> None:
        """A segment arrived whole: how its size compares with its rung's
        nominal bitrate. Scene complexity lasts (a segment 1.6x nominal is
        followed by others alike, on every rung), so the next choice plans
        with it rather than with the playlist's nominal figure."""
        if rung_bps > 0 and duration > 0 and size > 0:
            ratio = size * 8 / (rung_bps * duration)
            self._ratios.append(min(2.0, max(0.5, ratio)))

    def size_ratio(self) -> float:
        last = list(self._ratios)[-2:]
        return sum(last) / len(last) if last else 1.0

    def context(self, inputs: Inputs) -> AbrContext:
        m = self.meter
        return AbrContext(
            bitrates=inputs.bitrates,
            current=inputs.current,
            buffer=max(inputs.buffer, 0.0),
            segment_duration=inputs.segment_duration,
            estimate_bps=m.estimate_bps(),
            ttfb=m.ttfb(),
            max_index=inputs.max_index,
            buffer_target=inputs.buffer_target,
            samples=m.sample_count,
            now=inputs.now,
            live=inputs.live,
            mean_bps=max(m.fast_bps(), m.slow_bps()),
            recent_bps=m.recent(),
            measured=m.measured,
            remaining=inputs.remaining,
            size_ratio=self.size_ratio(),
            size_ratios=tuple(self._ratios),
        )

    def choose(self, inputs: Inputs) -> Decision:
        return self.policy.choose(self.context(inputs))

    def begin(self, rung: int, expected_bytes: int) -> Download:
        return Download(rung, max(expected_bytes, 0))

    def due(self, download: Download, elapsed: float) -> bool:
        """Whether a check is due ``elapsed`` s into ``download``."""
        return download.rung > 0 and elapsed - download.last_check >= self.check_interval - 1e-9

    def _recent(self, download: Download, done: int, elapsed: float) -> float | None:
        """Bit/s since the latest check at least ``recent_window`` s of time
        bytes could flow ago. An outage's dead time is left out, as the
        meter leaves it out of a finished download: counted in, the first
        second after the link came back read as a trickle (0.18 Mb/s on a
        3.9 Mb/s link after 20 s dead), and the transfer was abandoned for
        the lowest rung just as its bytes flowed again."""
        for then, bytes_then in reversed(download.marks):
            span = elapsed - then - download.silences.dead_between(then, elapsed)
            if span >= self.recent_window - 1e-9:
                return (done - bytes_then) * 8 / span
        return None

    def check(
        self,
        download: Download,
        inputs: Inputs,
        done: int,
        total: int | None,
        elapsed: float,
    ) -> Decision | None:
        """Called as bytes arrive; ``inputs.buffer`` is the live level. A lower
        rung to restart the segment on, or None to go on. A decision is also
        measured: the slowdown that made us give up shows in the next estimate."""
        if not self.due(download, elapsed):
            return None
        download.last_check = elapsed
        if done > (download.marks[-1][1] if download.marks else 0):
            # the checks see arrivals too (the simulator feeds nothing else)
            download.silences.heard(elapsed)
        size = total or download.expected_bytes or done * 2
        # the time bytes could flow: a first byte the origin held back for
        # seconds (an outage, a hang) is the read timeout's business, and
        # counted in, it would make a link that now delivers at full speed
        # look too slow to finish
        active = download.silences.active(elapsed)
        flight = InFlight(download.rung, done, size, active, self._recent(download, done, elapsed))
        download.marks.append((elapsed, done))
        decision = self.policy.abandon(self.context(inputs), flight)
        if decision is None or decision.index >= download.rung:
            return None
        self.measure_given_up(download, done, elapsed)
        return decision

    def measure_given_up(self, download: Download, done: int, elapsed: float) -> None:
        """A transfer given up as too slow is measured (the slowdown shows in
        the next estimate), over the time bytes could flow: an outage's dead
        time inside it is no slowness of the link."""
        active = download.silences.active(elapsed)
        ttfb = min(self.meter.ttfb(), active / 2)
        self.meter.add_sample(done, active - ttfb, None)
