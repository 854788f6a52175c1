"""Issue 10's ABR fixes: short transfers are measured, an unmeasured estimate
says so, the start is deterministic on a fast loopback server, and the
simulator drives the policy through the same wiring as ``HlsSource``."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lab.demo_hls import make_hls_demo
from lab.origin import ThrottleServer
from player.abr.driver import AbrDriver, Inputs
from player.abr.estimator import BandwidthEstimator
from player.abr.hybrid import HybridPolicy
from player.abr.optimal import optimal_qoe
from player.abr.policy import AbrContext, Decision, InFlight, abandon_check
from player.abr.simulator import PENSIEVE_LADDER, SimConfig, make_video, simulate
from player.abr.traces import Trace, constant_trace
from player.capabilities import TimelineEntry
from player.clock import ManualClock
from player.hls.hls_source import HlsSource
from player.hls.playlist import MultivariantPlaylist
from player.hls.playlist_parser import parse_playlist
from tests.support.clocked_run import play_to_end
from tests.support.fake_fetcher import FakeFetcher
from tests.support.hls_media import muxed_ladder_vod

ORIGIN = "http://origin.test/"

M = 1e6


def test_short_transfers_are_measured_over_the_request_then_pooled() -> None:
    m = BandwidthEstimator()
    measured = m.measured
    assert not measured and m.estimate_bps() == m.config.default_bps
    m.add_sample(100_000, 0.5, ttfb=0.01)  # the first measurement (0.2 Mb/s... x4)
    assert m.measured and m.sample_count == 1
    # 400 kB whose body took 0.5 ms: timed with its 1 ms TTFB it is still
    # under 2 ms, so it is pooled with the next, not thrown away
    assert not m.add_sample(400_000, 0.0005, ttfb=0.001)
    assert m.sample_count == 1
    assert m.add_sample(400_000, 0.0005, ttfb=0.001)  # the pool now holds 3 ms
    assert m.sample_count == 2 and m.last_bps == pytest.approx(800_000 * 8 / 0.003)
    # a body just under 2 ms with a TTFB that takes it over: timed whole
    assert m.add_sample(200_000, 0.0015, ttfb=0.001)
    assert m.last_bps == pytest.approx(200_000 * 8 / 0.0025)
    # what was measured is what is reported
    assert m.recent()[-1] == pytest.approx(m.last_bps)


def test_a_slow_transfer_is_measured_without_its_ttfb() -> None:
    m = BandwidthEstimator()
    assert m.add_sample(1_000_000, 2.0, ttfb=0.3)
    assert m.estimate_bps() == pytest.approx(4 * M)


def test_the_first_measurement_waits_for_enough_bytes_whatever_the_timing() -> None:
    for body in (0.0001, 0.01, 0.5):  # loopback, LAN, slow link
        m = BandwidthEstimator()
        assert not m.add_sample(40_000, body, ttfb=0.0001)
        assert m.add_sample(40_000, body, ttfb=0.0001)
        assert m.sample_count == 1 and m.measured
        # never faster than 80 kB in the 2 ms the clock can be trusted with
        assert m.estimate_bps() <= 80_000 * 8 / 0.002 + 1


def test_the_rule_counts_elapsed_time_once() -> None:
    size = int(PENSIEVE_LADDER[4] * 4 / 8)
    # 4 s buffered now, 1 s into a download running at 2 Mb/s: 0.25 of the
    # segment in, 4.3 s to go: it outlasts the live 4 s buffer -> abandon
    flight = InFlight(4, size // 4, size, 1.0)
    ctx = AbrContext(PENSIEVE_LADDER, 4, 4.0, 4.0, 2 * M, ttfb=0.05, samples=5)
    assert abandon_check(ctx, flight) is not None
    # with 5 s buffered now it does not: the rule must not subtract the
    # elapsed second again (the old rule saw a runway of 4 s and abandoned)
    ctx = AbrContext(PENSIEVE_LADDER, 4, 5.0, 4.0, 2 * M, ttfb=0.05, samples=5)
    assert abandon_check(ctx, flight) is None


@dataclass
class Recorder:
    """A policy that records every context and flight it is shown."""

    inner: HybridPolicy = field(default_factory=HybridPolicy)
    name: str = "recorder"
    chosen: list[AbrContext] = field(default_factory=list)
    checked: list[tuple[AbrContext, InFlight, Decision | None]] = field(default_factory=list)

    def choose(self, ctx: AbrContext) -> Decision:
        self.chosen.append(ctx)
        return self.inner.choose(ctx)

    def abandon(self, ctx: AbrContext, flight: InFlight) -> Decision | None:
        d = self.inner.abandon(ctx, flight)
        self.checked.append((ctx, flight, d))
        return d


def test_the_simulator_and_the_player_wiring_decide_alike() -> None:
    """The simulator's calls, replayed through a fresh driver exactly as
    HlsSource makes them (``Inputs`` from the live buffer, ``check`` on
    progress), give the same decisions; and every abandonment check saw the
    live buffer (request buffer minus elapsed), never the request-time one."""
    trace = Trace("drop", ((30.0, 4.0 * M), (0.5, 0.4 * M), (300.0, 0.4 * M)))
    rec = Recorder()
    result = simulate(rec, trace, make_video(vbr=0.1))
    assert any(c.abandoned_from is not None for c in result.chunks)
    assert rec.checked
    for ctx, flight, _d in rec.checked:
        assert ctx.buffer >= 0 and flight.elapsed > 0
    # replay through a driver (the player's wiring) with the same meter state
    for ctx, flight, decision in rec.checked:
        replay = HybridPolicy()
        replay._bola_mode = rec.inner._bola_mode  # stateless for abandon anyway
        driver = AbrDriver(replay)
        _load(driver.meter, ctx)
        inputs = Inputs(
            bitrates=ctx.bitrates,
            current=ctx.current,
            buffer=ctx.buffer,
            segment_duration=ctx.segment_duration,
            buffer_target=ctx.buffer_target,
            now=ctx.now,
            remaining=ctx.remaining,
        )
        download = driver.begin(flight.index, flight.bytes_total)
        got = driver.check(download, inputs, flight.bytes_done, flight.bytes_total, flight.elapsed)
        if decision is None or decision.index >= flight.index:
            assert got is None
        else:
            assert got is not None and got.index == decision.index


def _load(meter: BandwidthEstimator, ctx: AbrContext) -> None:
    """Give a fresh meter the estimate and TTFB ``ctx`` was built from."""
    meter.add_sample(int(ctx.estimate_bps), 8.0, ttfb=ctx.ttfb)
    assert meter.estimate_bps() == pytest.approx(ctx.estimate_bps)
    assert meter.ttfb() == pytest.approx(ctx.ttfb)


@dataclass
class _Recording:
    """HybridPolicy, keeping every context it is asked with."""

    inner: HybridPolicy = field(default_factory=HybridPolicy)
    seen: list[AbrContext] = field(default_factory=list)
    name: str = "recording"

    def choose(self, ctx: AbrContext) -> Decision:
        self.seen.append(ctx)
        return self.inner.choose(ctx)

    def abandon(self, ctx: AbrContext, flight: InFlight) -> Decision | None:
        return self.inner.abandon(ctx, flight)


def test_the_player_uses_the_driver() -> None:
    """The source asks its policy through ``AbrDriver`` (the simulator's
    wiring): the contexts carry the driver's size ratios, fed by each
    segment, and the estimate the source reports is the driver's meter's."""
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.serve_directory(ORIGIN, muxed_ladder_vod(), ttfb=0.02, bits_per_second=3e6)
    policy = _Recording()
    src = HlsSource(
        ORIGIN + "master.m3u8", clock=clock, fetcher=origin, policy=policy, rand=lambda: 0.5
    )
    assert not src.estimate_measured()
    play_to_end(src, clock)
    assert len(policy.seen) >= 2
    first, last = policy.seen[0], policy.seen[-1]
    assert first.samples == 0 and not first.measured and first.size_ratios == ()
    assert last.measured and last.samples > 0 and last.size_ratios
    assert last.size_ratio == pytest.approx(sum(last.size_ratios[-2:]) / len(last.size_ratios[-2:]))
    # one meter behind the policy, the timeline and estimate_bps()
    estimates = [e.estimate_bps for e in src.timeline() if e.marker is None]
    assert last.estimate_bps in estimates
    assert src.estimate_measured() and src.estimate_bps() == estimates[-1]


# -- a real loopback server -----------------------------------------------------


@pytest.fixture(scope="module")
def ladder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rungs = ((320, 180, 150_000), (480, 270, 400_000), (640, 360, 900_000))
    return make_hls_demo(
        tmp_path_factory.mktemp("abr-start") / "l", seconds=4, loops=4, rungs=rungs
    )


@pytest.fixture
def server(ladder: Path) -> Iterator[ThrottleServer]:
    with ThrottleServer(ladder.parent) as s:
        yield s


def _first_rungs(
    url: str, segments: int, master: Path
) -> tuple[list[int], list[dict[str, object]]]:
    """The rung of each of the first ``segments`` segments (from the
    timeline's one sample per segment queued) and the whole timeline."""
    ladder = parse_playlist(master.read_text(), url)
    assert isinstance(ladder, MultivariantPlaylist)
    # the source plays the ladder lowest first and samples the rung's ABR bitrate
    bitrates = sorted(v.bitrate for v in ladder.variants)
    src = HlsSource(url)
    try:
        src.open()

        def samples() -> list[TimelineEntry]:
            return [e for e in src.timeline() if e.marker is None]

        while len(samples()) < segments:
            if src.read() is None:
                break
        rungs = [bitrates.index(e.selected_bitrate) for e in samples()[:segments]]
        return rungs, [e.as_dict() for e in src.timeline()]
    finally:
        src.close()


def test_a_fast_server_starts_at_the_same_rung_every_run(
    server: ThrottleServer, ladder: Path
) -> None:
    runs = [_first_rungs(server.url("master.m3u8"), 5, ladder) for _ in range(4)]
    sequences = [rungs for rungs, _ in runs]
    # the lowest rung until the link is measured, then the top one, every time
    assert all(s == sequences[0] for s in sequences), sequences
    assert sequences[0][0] == 0 and sequences[0][-1] == 2
    for _rungs, timeline in runs:
        samples = [e for e in timeline if e["marker"] is None]
        # the estimate was measured after the first segments, and it says so
        assert samples[-1]["estimate_measured"] is True
        assert float(samples[-1]["estimate_bps"]) > 10 * M  # type: ignore[arg-type]


# -- the policy on issue 10's cases (Pensieve's model: constant content) ---------------

SIMPLE = SimConfig(rtt_jitter=0.0, payload=1.0)


@pytest.mark.parametrize("rung", [1, 2, 3])
def test_a_steady_link_between_rungs_spends_its_surplus_once(rung: int) -> None:
    trace = constant_trace(PENSIEVE_LADDER[rung] * 1.1, 320.0)
    video = make_video(vbr=0.1)
    result = simulate(HybridPolicy(), trace, video, SIMPLE)
    never = simulate(HybridPolicy(spend_horizon=0.0), trace, video, SIMPLE)
    late = [c for c in result.chunks if c.start > 20.0]
    moves = [(a.rung, b.rung) for a, b in itertools.pairwise(late) if a.rung != b.rung]
    # one step up near the end, on the saved buffer, never back down
    assert moves == [(rung, rung + 1)] and late[-1].rule == "spend"
    assert result.rebuffer == pytest.approx(never.rebuffer, abs=0.05)
    assert result.qoe > never.qoe + 1.0
    assert result.qoe >= 0.9 * optimal_qoe(trace, video, SIMPLE).qoe


def test_a_long_decline_does_not_stall() -> None:
    # 6 -> 0.3 Mb/s over five minutes: 43 s of stalls before issue 10
    trace = Trace("ramp", tuple((5.0, (6.0 - 5.7 * i / 59) * M) for i in range(60)))
    for video, config in ((make_video(), SimConfig()), (make_video(vbr=0.1), SIMPLE)):
        result = simulate(HybridPolicy(), trace, video, config)
        assert result.rebuffer < 1.5  # the startup's first segment, about
        assert result.qoe >= 0.9 * optimal_qoe(trace, video, config).qoe


def test_planning_follows_the_segments_real_size() -> None:
    """A scene whose segments are 1.6x their nominal size: the next choice
    plans with that, on the same link."""
    driver = AbrDriver(HybridPolicy())
    for _ in range(4):
        driver.meter.add_sample(1_000_000, 2.0, ttfb=0.05)  # 4 Mb/s
    inputs = Inputs(PENSIEVE_LADDER, 3, 12.0, 4.0, 30.0)
    nominal = driver.choose(inputs).index
    driver.finished(PENSIEVE_LADDER[4], int(PENSIEVE_LADDER[4] * 4 / 8 * 1.6), 4.0)
    driver.finished(PENSIEVE_LADDER[4], int(PENSIEVE_LADDER[4] * 4 / 8 * 1.6), 4.0)
    assert driver.size_ratio() == pytest.approx(1.6, rel=0.01)
    assert nominal == 4 and driver.choose(inputs).index == 3  # 4 Mb/s / 1.6 = 2.5
