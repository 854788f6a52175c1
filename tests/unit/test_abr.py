"""ABR: the meter, the rules, the simulator and the offline optimum."""

from __future__ import annotations

import pytest

from player.abr.bola import Bola
from player.abr.estimator import BandwidthEstimator, Ewma
from player.abr.hybrid import HybridPolicy
from player.abr.optimal import optimal_qoe
from player.abr.policy import AbrContext, InFlight, abandon_check
from player.abr.simulator import PENSIEVE_LADDER, make_video, qoe_lin, simulate
from player.abr.throughput import ThroughputRule
from player.abr.traces import BUNDLED_TRACES, Link, Trace, constant_trace

M = 1e6


def ctx(**kw: object) -> AbrContext:
    base: dict[str, object] = {
        "bitrates": PENSIEVE_LADDER,
        "current": 2,
        "buffer": 10.0,
        "segment_duration": 4.0,
        "estimate_bps": 2 * M,
        "samples": 5,
    }
    base.update(kw)
    return AbrContext(**base)  # type: ignore[arg-type]


def test_ewma_zero_bias_corrected() -> None:
    e = Ewma(3.0)
    e.sample(0.5, 1000.0)
    assert e.value() == pytest.approx(1000.0)


def test_estimator_default_ignores_tiny_and_cache() -> None:
    m = BandwidthEstimator()
    assert m.estimate_bps() == m.config.default_bps
    assert not m.add_sample(1000, 0.1)  # tiny
    assert not m.add_sample(10**6, 0.5, from_cache=True)
    assert not m.add_sample(10**6, 0.0001)  # faster than any link: a cache
    assert m.add_sample(500_000, 2.0, ttfb=0.1)
    assert m.estimate_bps() == pytest.approx(2 * M)
    assert m.ttfb() == pytest.approx(0.1)


def test_estimator_drops_fast_rises_slowly() -> None:
    m = BandwidthEstimator()
    for _ in range(10):
        m.add_sample(1_000_000, 1.0)  # 8 Mb/s
    m.add_sample(100_000, 1.0)  # a 0.8 Mb/s sample
    assert m.estimate_bps() < 7 * M  # min(fast, slow): the drop shows at once
    assert m.estimate_bps() < m.slow_bps()
    m2 = BandwidthEstimator()
    for _ in range(10):
        m2.add_sample(100_000, 1.0)
    m2.add_sample(1_000_000, 1.0)
    assert m2.estimate_bps() < 4 * M  # one fast sample does not carry it up


def test_throughput_rule_picks_sustainable() -> None:
    assert ThroughputRule().choose(ctx(estimate_bps=2.1 * M)).index == 3  # 1.85 <= 1.89
    assert ThroughputRule().choose(ctx(estimate_bps=0.1 * M)).index == 0
    assert ThroughputRule().choose(ctx(estimate_bps=99 * M, max_index=2)).index == 2


def test_bola_is_buffer_driven() -> None:
    b = Bola()
    assert b.choose(ctx(buffer=0.0)).index == 0
    assert b.choose(ctx(buffer=29.0)).index == len(PENSIEVE_LADDER) - 1
    picks = [b.choose(ctx(buffer=x)).index for x in range(0, 30, 2)]
    assert picks == sorted(picks)


def test_hybrid_modes_and_startup() -> None:
    h = HybridPolicy()
    first = h.choose(ctx(current=None, samples=0))
    assert first.index == 0 and first.rule == "throughput"
    d = h.choose(ctx(current=2, buffer=25.0, estimate_bps=5 * M, mean_bps=5 * M))
    assert d.rule == "bola" and d.index > 2
    low = h.choose(ctx(current=4, buffer=3.0, estimate_bps=1 * M))
    assert low.rule == "throughput" and low.index < 4


def test_abandon_when_stall_is_coming() -> None:
    c = ctx(buffer=3.0, estimate_bps=0.5 * M, ttfb=0.05)
    size = int(4.3 * M * 4 / 8)
    d = abandon_check(c, InFlight(index=5, bytes_done=50_000, bytes_total=size, elapsed=1.0))
    assert d is not None and d.index < 5 and d.rule == "abandon"
    assert abandon_check(ctx(buffer=30.0), InFlight(1, 10_000, 20_000, 1.0)) is None


def test_link_integration() -> None:
    link = Link(Trace("t", ((2.0, 1 * M), (2.0, 0.0), (2.0, 3 * M))))
    assert link.bits_between(0, 2) == pytest.approx(2 * M)
    assert link.time_to_send(1.0, 2 * M) == pytest.approx(4 + 1 / 3)
    assert link.time_to_send(0.0, 8 * M) == pytest.approx(6.0)
    assert link.time_to_send(0.0, 9 * M) == pytest.approx(7.0)  # loops


def test_qoe_lin() -> None:
    q, reward, smooth = qoe_lin([0, 1, 1], [1 * M, 3 * M], rebuffer=1.0)
    assert (reward, smooth) == (7.0, 2.0)
    assert q == pytest.approx(7 - 4.3 - 2)


def test_optimal_beats_every_policy_on_a_step() -> None:
    video = make_video(chunks=16)
    trace = Trace("s", ((20.0, 1 * M), (100.0, 4 * M)))
    opt = optimal_qoe(trace, video)
    assert len(opt.rungs) == 16
    for p in (HybridPolicy(), ThroughputRule(), Bola()):
        assert simulate(p, trace, video).qoe <= opt.qoe + 1e-6


@pytest.mark.parametrize("rung", [1, 2, 3])
@pytest.mark.parametrize("factor", [1.1, 1.5, 3.0])
def test_no_switch_after_20s_on_constant_trace(rung: int, factor: float) -> None:
    trace = constant_trace(PENSIEVE_LADDER[rung] * factor)
    result = simulate(HybridPolicy(), trace, make_video())
    assert [t for t in result.switch_times if t > 20.0] == []
    assert result.rebuffer < 2.0


def test_default_policy_ahead_of_baselines_on_bundled_set() -> None:
    video = make_video()
    opt = sum(optimal_qoe(t, video).qoe for t in BUNDLED_TRACES)
    score = {
        name: sum(simulate(make(), t, video).qoe for t in BUNDLED_TRACES) / opt
        for name, make in (("hybrid", HybridPolicy), ("tput", ThroughputRule), ("bola", Bola))
    }
    assert score["hybrid"] > score["tput"] and score["hybrid"] > score["bola"]
    # Regression floor at today's figure (85.5 %); the goal is 90 %.
    assert score["hybrid"] >= 0.85
