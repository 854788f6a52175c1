"""Throughput traces for the simulator: piecewise-constant bandwidth over
time, and the bundled synthetic set (steps, oscillation, ramp, 3G-like random
walks, outages). Deterministic: random walks use their own seeded generator."""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass
from functools import cached_property

__all__ = [
    "BUNDLED_TRACES",
    "FRESH_TRACES",
    "HELDOUT_TRACES",
    "Link",
    "Trace",
    "bundled_traces",
    "constant_trace",
    "fresh_traces",
    "heldout_traces",
]


@dataclass(frozen=True)
class Trace:
    name: str
    #: (seconds, bit/s) pieces, played in order and looped
    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if not self.points or any(d <= 0 or b < 0 for d, b in self.points):
            raise ValueError("a trace needs pieces with positive durations and bandwidth >= 0")
        if sum(d * b for d, b in self.points) <= 0:
            raise ValueError("a trace must carry some data")

    @property
    def period(self) -> float:
        return sum(d for d, _ in self.points)

    def bandwidth_at(self, t: float) -> float:
        return Link(self).rate_at(t)

    def mean_bps(self) -> float:
        return sum(d * b for d, b in self.points) / self.period


class Link:
    """Integrates a trace: bits sent between two times, time to send some bits."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self._starts: list[float] = []
        self._cum: list[float] = []
        t = c = 0.0
        for d, b in trace.points:
            self._starts.append(t)
            self._cum.append(c)
            t += d
            c += d * b
        self._period = t
        self._period_bits = c

    @cached_property
    def _rates(self) -> list[float]:
        return [b for _, b in self.trace.points]

    def rate_at(self, t: float) -> float:
        tt = t % self._period
        i = bisect.bisect_right(self._starts, tt) - 1
        return self._rates[i]

    def cumulative(self, t: float) -> float:
        """Bits deliverable from time 0 to ``t``."""
        loops, tt = divmod(t, self._period)
        i = bisect.bisect_right(self._starts, tt) - 1
        return loops * self._period_bits + self._cum[i] + (tt - self._starts[i]) * self._rates[i]

    def bits_between(self, t0: float, t1: float) -> float:
        return self.cumulative(t1) - self.cumulative(t0)

    def dead_time(self, t0: float, t1: float, after: float) -> float:
        """Seconds of [``t0``, ``t1``] in stretches of zero rate longer than
        ``after`` (what a player's ``Silences`` leaves out of a sample)."""
        dead = run = 0.0
        t = t0
        while t < t1 - 1e-12:
            tt = t % self._period
            i = bisect.bisect_right(self._starts, tt) - 1
            end = self._starts[i] + self.trace.points[i][0]
            step = min(end - tt, t1 - t)
            if step <= 1e-12:
                # at a piece's end by rounding: on to the next one
                step = min(1e-9, t1 - t)
            if self._rates[i] == 0:
                run += step
            else:
                dead += run if run > after else 0.0
                run = 0.0
            t += step
        return dead + (run if run > after else 0.0)

    def time_to_send(self, t0: float, bits: float) -> float:
        """The time at which ``bits`` sent from ``t0`` have all arrived."""
        if bits <= 0:
            return t0
        target = self.cumulative(t0) + bits
        loops, rem = divmod(target, self._period_bits)
        if rem == 0 and loops > 0:
            loops -= 1
            rem = self._period_bits
        i = bisect.bisect_right(self._cum, rem) - 1
        # skip zero-rate pieces that end exactly at this cumulative value
        while self._rates[i] == 0 or (
            i + 1 < len(self._cum) and self._cum[i + 1] <= rem and self._rates[i] == 0
        ):
            i += 1
        return loops * self._period + self._starts[i] + (rem - self._cum[i]) / self._rates[i]


def constant_trace(bps: float, seconds: float = 600.0, name: str | None = None) -> Trace:
    return Trace(name or f"constant-{bps / 1e6:g}M", ((seconds, bps),))


def _random_walk(name: str, seed: int, mean: float, seconds: int = 320) -> Trace:
    """A 3G/HSDPA-like trace: a log-space random walk around ``mean``, one value
    per second, clamped to 0.2..4x the mean, with occasional deep fades."""
    rng = random.Random(seed)
    x = 0.0
    points: list[tuple[float, float]] = []
    for _ in range(seconds):
        x = 0.9 * x + rng.gauss(0.0, 0.25)
        bw = mean * math.exp(x)
        if rng.random() < 0.02:
            bw *= 0.15
        points.append((1.0, max(0.2 * mean, min(bw, 4 * mean))))
    return Trace(name, tuple(points))


def bundled_traces() -> tuple[Trace, ...]:
    M = 1e6
    return (
        Trace("step-up", ((60.0, 1.0 * M), (260.0, 5.0 * M))),
        Trace("step-down", ((60.0, 5.0 * M), (260.0, 1.2 * M))),
        Trace("step-up-down", ((50.0, 1.5 * M), (80.0, 4.5 * M), (190.0, 0.9 * M))),
        Trace("oscillating-10s", tuple(((10.0, 4.0 * M), (10.0, 1.0 * M)) * 16)),
        Trace("oscillating-30s", tuple(((30.0, 3.5 * M), (30.0, 1.2 * M)) * 6)),
        Trace("slow-ramp", tuple((10.0, (0.5 + 0.2 * i) * M) for i in range(32))),
        Trace("slow-ramp-down", tuple((10.0, (6.5 - 0.2 * i) * M) for i in range(32))),
        _random_walk("3g-walk-1", 1, 1.5 * M),
        _random_walk("3g-walk-2", 2, 1.0 * M),
        _random_walk("3g-walk-3", 3, 2.2 * M),
        Trace(
            "outages", ((40.0, 3.0 * M), (6.0, 0.0), (60.0, 3.0 * M), (10.0, 0.0), (204.0, 3.0 * M))
        ),
        constant_trace(2.0 * M, 320.0, "constant-2M"),
        constant_trace(5.0 * M, 320.0, "constant-5M"),
    )


def heldout_traces() -> tuple[Trace, ...]:
    """A second set, never used to tune the policies: other seeds, levels and
    periods, so a tuning that only fits ``BUNDLED_TRACES`` shows up."""
    M = 1e6
    return (
        Trace("step-up-2-4", ((80.0, 2.0 * M), (240.0, 4.0 * M))),
        Trace("step-down-3-0.8", ((90.0, 3.0 * M), (230.0, 0.8 * M))),
        Trace("oscillating-15s", tuple(((15.0, 3.0 * M), (15.0, 1.4 * M)) * 11)),
        Trace("slow-ramp-fast", tuple((5.0, (0.6 + 0.15 * i) * M) for i in range(64))),
        _random_walk("3g-walk-11", 11, 1.2 * M),
        _random_walk("3g-walk-12", 12, 2.5 * M),
        _random_walk("3g-walk-13", 13, 0.9 * M),
        _random_walk("3g-walk-14", 14, 3.5 * M),
        Trace("outage-long", ((60.0, 2.5 * M), (15.0, 0.0), (245.0, 2.5 * M))),
        constant_trace(1.0 * M, 320.0, "constant-1M"),
        constant_trace(3.2 * M, 320.0, "constant-3.2M"),
    )


def fresh_traces(seed: int = 2025) -> tuple[Trace, ...]:
    """The bundled families again with every level, time and period drawn at
    random from ``seed``: a check that nothing was tuned to particular numbers
    (``benchmarks/abr_simulator`` prints it as a third set)."""
    rng = random.Random(seed)
    M = 1e6

    def u(lo: float, hi: float) -> float:
        return round(rng.uniform(lo, hi), 2)

    low, at = u(0.8, 2.0), u(30.0, 100.0)
    up = Trace("fresh-step-up", ((at, low * M), (320.0 - at, low * u(2.0, 4.0) * M)))
    high, at = u(2.5, 5.0), u(30.0, 100.0)
    down = Trace("fresh-step-down", ((at, high * M), (320.0 - at, high / u(2.5, 4.0) * M)))
    a, b = u(20.0, 60.0), u(30.0, 90.0)
    up_down = Trace(
        "fresh-step-up-down",
        ((a, u(1.0, 2.0) * M), (b, u(3.0, 5.0) * M), (320.0 - a - b, u(0.7, 1.5) * M)),
    )
    half = u(8.0, 40.0)
    hi, lo = u(2.5, 4.5), u(0.8, 1.5)
    osc = Trace("fresh-oscillating", ((half, hi * M), (half, lo * M)) * (int(320 / half) // 2 + 1))
    start, step, width = u(0.4, 1.0), u(0.1, 0.25), u(5.0, 12.0)
    n = int(320 / width) + 1
    ramp = Trace(
        "fresh-ramp", tuple((width, (start + step * i * width / 10) * M) for i in range(n))
    )
    top = u(4.5, 7.0)
    ramp_down = Trace(
        "fresh-ramp-down",
        tuple((10.0, max(top - step * i, 0.4) * M) for i in range(32)),
    )
    walks = tuple(
        _random_walk(f"fresh-3g-walk-{i}", rng.randrange(10**6), u(0.8, 3.5) * M)
        for i in range(1, 4)
    )
    level, at, gap = u(1.5, 4.0), u(30.0, 120.0), u(5.0, 15.0)
    outage = Trace("fresh-outage", ((at, level * M), (gap, 0.0), (320.0 - at - gap, level * M)))
    constant = constant_trace(u(0.8, 5.0) * M, 320.0, "fresh-constant")
    return (up, down, up_down, osc, ramp, ramp_down, *walks, outage, constant)


BUNDLED_TRACES = bundled_traces()
HELDOUT_TRACES = heldout_traces()
FRESH_TRACES = fresh_traces()
