"""Abandonment at a transfer's recent rate (``abandon_check(recent=True)``,
``HybridPolicy.abandon_recent``) and the driver's measurement of that rate."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from player.abr.driver import AbrDriver, Inputs
from player.abr.hybrid import HybridPolicy
from player.abr.policy import AbrContext, Decision, InFlight, abandon_check
from player.abr.simulator import PENSIEVE_LADDER, make_video, simulate
from player.abr.traces import Trace

M = 1e6


@dataclass
class Recorder:
    """A policy that never abandons and keeps what it was shown."""

    name: str = "recorder"
    flights: list[InFlight] = field(default_factory=list)

    def choose(self, ctx: AbrContext) -> Decision:
        return Decision(0, "test", "")

    def abandon(self, ctx: AbrContext, flight: InFlight) -> Decision | None:
        self.flights.append(flight)
        return None


def test_the_driver_measures_the_last_second_of_a_transfer() -> None:
    rec = Recorder()
    driver = AbrDriver(rec, check_interval=0.1)
    inputs = Inputs(PENSIEVE_LADDER, 5, 20.0, 4.0, 30.0)
    download = driver.begin(5, 2_000_000)
    # 1 MB in the first second, then 10 kB/s: a tunnel
    for step in range(1, 31):
        t = step / 10
        done = int(1_000_000 * min(t, 1.0) + 10_000 * max(t - 1.0, 0.0))
        driver.check(download, inputs, done, 2_000_000, t)
    flights = rec.flights
    # measured between checks: none until one is a second old (the first is at 0.1 s)
    assert all(f.recent_bps is None for f in flights if f.elapsed < 1.1 - 1e-9)
    at_1 = next(f for f in flights if f.elapsed == pytest.approx(1.1))
    assert at_1.recent_bps == pytest.approx((1_001_000 - 100_000) * 8 / 1.0, rel=0.02)
    last = flights[-1]
    assert last.elapsed == pytest.approx(3.0)
    # over the last second: 10 kB/s, while the average since the start is 2.8 Mb/s
    assert last.recent_bps == pytest.approx(80_000, rel=0.02)
    assert last.bytes_done * 8 / last.elapsed > 2.5e6


def test_the_recent_rate_leaves_an_outage_out() -> None:
    rec = Recorder()
    driver = AbrDriver(rec, check_interval=0.1)
    inputs = Inputs(PENSIEVE_LADDER, 5, 20.0, 4.0, 30.0)
    download = driver.begin(5, 2_000_000)
    # 500 kB/s (4 Mb/s) for 2 s, nothing for 20 s, then 500 kB/s again
    for step in range(1, 231):
        t = step / 10
        done = int(500_000 * (min(t, 2.0) + max(t - 22.0, 0.0)))
        driver.check(download, inputs, done, 2_000_000, t)
    flights = rec.flights
    # the first second of silence is the link's own: nothing came
    at_3 = flights[29]  # the checks run every 0.1 s: this one at 3.0 s
    assert at_3.bytes_done == 1_000_000
    assert at_3.recent_bps is not None and at_3.recent_bps < 0.1 * 4 * M
    # 0.3 s after the bytes came back: the link's rate, as over the last
    # second of time bytes could flow (the 0.1 s before the first of them is
    # counted dead, as the checks see arrivals); over the last second of the
    # clock it read 1.2 Mb/s
    back = flights[222]
    assert back.bytes_done == 1_150_000
    assert back.recent_bps == pytest.approx(4 * M, rel=0.12)


def _ctx(buffer: float) -> AbrContext:
    return AbrContext(PENSIEVE_LADDER, 5, buffer, 4.0, estimate_bps=3 * M, samples=6)


def test_the_lower_rung_is_chosen_at_the_recent_rate() -> None:
    # a 4.3 Mb/s segment (2.15 MB), 40 % of it in, 0.92 Mb/s on average
    # (after a good start), 0.1 Mb/s over the last second, 9 s buffered
    size = int(4.3 * M * 4 / 8)
    done = int(size * 0.4)
    elapsed = done * 8 / 0.92e6
    flight = InFlight(5, done, size, elapsed, recent_bps=0.1 * M)
    plain = abandon_check(_ctx(9.0), flight)
    tunnel = abandon_check(_ctx(9.0), flight, recent=True)
    assert plain is not None and tunnel is not None
    # at the average a 1.2 Mb/s segment seems to arrive within the buffer; at
    # the rate the transfer gets now only the lowest rung comes close
    assert plain.index >= 2, plain
    assert tunnel.index == 0, tunnel


def test_whether_to_abandon_stays_with_the_average() -> None:
    # a one-second dip late in a transfer that is almost done: go on
    size = int(4.3 * M * 4 / 8)
    done = int(size * 0.9)
    elapsed = done * 8 / 4.0e6
    flight = InFlight(5, done, size, elapsed, recent_bps=0.05 * M)
    assert abandon_check(_ctx(9.0), flight) is None
    assert abandon_check(_ctx(9.0), flight, recent=True) is None


def test_the_default_policy_uses_it() -> None:
    size = int(4.3 * M * 4 / 8)
    done = int(size * 0.4)
    flight = InFlight(5, done, size, done * 8 / 0.92e6, recent_bps=0.1 * M)
    plain = HybridPolicy(abandon_recent=False).abandon(_ctx(9.0), flight)
    opted = HybridPolicy().abandon(_ctx(9.0), flight)
    assert plain is not None and opted is not None
    assert plain.index > opted.index == 0


def test_a_tunnel_mid_transfer_stalls_less() -> None:
    """30 s tunnels (0.05-0.2 Mb/s) at 50-90 s of a 3 Mb/s link: the lower
    rung chosen at the recent rate arrives before the buffer runs out."""
    video = make_video()
    plain = opted = 0.0
    for level in (0.05, 0.1, 0.2):
        for at in (50.0, 60.0, 70.0, 80.0, 90.0):
            trace = Trace("tunnel", ((at, 3 * M), (30.0, level * M), (300.0, 3 * M)))
            a = simulate(HybridPolicy(abandon_recent=False), trace, video).rebuffer
            b = simulate(HybridPolicy(), trace, video).rebuffer
            assert b <= a + 1e-6, (level, at, a, b)
            plain, opted = plain + a, opted + b
    # 42.3 s of stalls without, 15.6 s with (0.8 s of each run is the start)
    assert opted < plain / 2, (plain, opted)
