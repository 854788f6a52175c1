"""The bandwidth meter: per-download samples in, a conservative estimate out.

Two exponentially weighted moving averages of throughput, weighted by the
seconds each transfer took (hls.js's scheme; half-lives 3 s and 5 s), and the
estimate is the lower of the two, so a drop shows at once and a rise only when
it lasts. Time to first byte is measured apart (its own EWMA) so request
latency does not masquerade as low bandwidth on small segments (Shaka #3422).
Cache hits and tiny transfers are ignored: they measure the cache, not the
link (hls.js #5826; Shaka ignores samples under 16 kB).

Short transfers (a fast local server answers a whole segment in well under
the 2 ms the body time can be trusted to): such a transfer is measured over
the whole request, time to first byte included, and if even that is under
``min_transfer_seconds`` its bytes and time are pooled with the next ones
until the pool holds that much time; the pool is then one sample. The first
sample is always such a pool of at least ``min_first_bytes``, timed at no
less than ``min_transfer_seconds``. So a fast
link is measured (slightly under its true rate, by the request latency)
instead of being ignored, and the default estimate is never shown as a
measurement: ``measured`` says whether any sample has been taken.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

__all__ = ["BandwidthEstimator", "EstimatorConfig", "Ewma"]


class Ewma:
    """A weighted EWMA with zero-bias correction (as in hls.js and Shaka)."""

    def __init__(self, half_life: float) -> None:
        if half_life <= 0:
            raise ValueError("half_life must be positive")
        self.half_life = half_life
        self._estimate = 0.0
        self._total_weight = 0.0

    def sample(self, weight: float, value: float) -> None:
        adj = 0.5 ** (weight / self.half_life)
        self._estimate = adj * self._estimate + (1.0 - adj) * value
        self._total_weight += weight

    @property
    def total_weight(self) -> float:
        return self._total_weight

    def value(self) -> float:
        if self._total_weight <= 0:
            return 0.0
        zero_factor = 1.0 - 0.5 ** (self._total_weight / self.half_life)
        return float(self._estimate / zero_factor)


@dataclass(frozen=True)
class EstimatorConfig:
    fast_half_life: float = 3.0
    # Shaka's 5 s slow half-life: hls.js's 9 s kept the estimate low for too
    # long after a rise in the simulator (hls.js #7948)
    slow_half_life: float = 5.0
    #: used until enough has been measured (hls.js 500 kb/s, Shaka/dash.js 1 Mb/s)
    default_bps: float = 1_000_000.0
    #: samples smaller than this measure latency, not bandwidth (Shaka: 16 kB)
    min_bytes: int = 16_000
    #: a body faster than this came out of a socket buffer in one read
    min_transfer_seconds: float = 0.002
    #: the first measurement pools transfers until it holds this many bytes
    #: (four times Shaka's per-sample floor), so when the estimate stops being
    #: the default depends on the segment sizes alone, not on timing: the same
    #: start every run
    min_first_bytes: int = 64_000
    ttfb_half_life: float = 3.0
    #: how many recent samples ``recent()`` keeps (for predictors such as MPC's)
    history: int = 8


class BandwidthEstimator:
    def __init__(self, config: EstimatorConfig | None = None) -> None:
        self.config = config or EstimatorConfig()
        self._fast = Ewma(self.config.fast_half_life)
        self._slow = Ewma(self.config.slow_half_life)
        self._ttfb = Ewma(self.config.ttfb_half_life)
        self._samples = 0
        self._last_bps: float | None = None
        self._recent: deque[tuple[float, float]] = deque(maxlen=self.config.history)
        #: bytes and seconds of transfers too short to measure alone
        self._pool_bytes = 0
        self._pool_seconds = 0.0

    def add_sample(
        self,
        bytes_: int,
        transfer_seconds: float,
        ttfb: float | None = None,
        *,
        from_cache: bool = False,
    ) -> bool:
        """Record one download. Returns False when the sample was ignored."""
        if ttfb is not None and ttfb >= 0 and not from_cache:
            self._ttfb.sample(1.0, ttfb)
        if from_cache or bytes_ < self.config.min_bytes:
            return False
        seconds = transfer_seconds
        if seconds < self.config.min_transfer_seconds:
            # the body came out of a socket buffer in one read: time the request
            seconds += max(ttfb or 0.0, 0.0)
        first = self._samples == 0
        if seconds < self.config.min_transfer_seconds or first or self._pool_bytes:
            self._pool_bytes += bytes_
            self._pool_seconds += max(seconds, 0.0)
            if first:
                if self._pool_bytes < self.config.min_first_bytes:
                    return False
                # timed at no less than the clock can be trusted to: a lower
                # bound on a very fast link, taken at the same point every run
                seconds = max(self._pool_seconds, self.config.min_transfer_seconds)
            elif self._pool_seconds < self.config.min_transfer_seconds:
                return False
            else:
                seconds = self._pool_seconds
            bytes_ = self._pool_bytes
        self._pool_bytes, self._pool_seconds = 0, 0.0
        self._accept(bytes_, seconds)
        return True

    def _accept(self, bytes_: int, seconds: float) -> None:
        bps = bytes_ * 8 / seconds
        self._fast.sample(seconds, bps)
        self._slow.sample(seconds, bps)
        self._samples += 1
        self._last_bps = bps
        self._recent.append((bps, seconds))

    def recent(self) -> tuple[float, ...]:
        """Throughput (bit/s) of the last few accepted samples, oldest first."""
        return tuple(bps for bps, _ in self._recent)

    def has_estimate(self) -> bool:
        """True once any transfer has been measured (else the default is used)."""
        return self._samples > 0

    @property
    def measured(self) -> bool:
        return self.has_estimate()

    def estimate_bps(self) -> float:
        if not self.has_estimate():
            return self.config.default_bps
        return min(self._fast.value(), self._slow.value())

    def fast_bps(self) -> float:
        return self._fast.value() if self.has_estimate() else self.config.default_bps

    def slow_bps(self) -> float:
        return self._slow.value() if self.has_estimate() else self.config.default_bps

    def ttfb(self) -> float:
        return self._ttfb.value()

    @property
    def sample_count(self) -> int:
        return self._samples

    @property
    def last_bps(self) -> float | None:
        return self._last_bps
