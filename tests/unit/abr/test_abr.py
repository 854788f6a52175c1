"""ABR: the meter, the rules, the simulator and the offline optimum."""

from __future__ import annotations

import itertools

import pytest

from player.abr.bola import Bola
from player.abr.estimator import BandwidthEstimator, Ewma
from player.abr.hybrid import HybridPolicy, harmonic_mean
from player.abr.optimal import optimal_qoe
from player.abr.policy import AbrContext, InFlight, abandon_check, highest_below
from player.abr.simulator import PENSIEVE_LADDER, make_video, qoe_lin, simulate
from player.abr.throughput import ThroughputRule
from player.abr.traces import (
    BUNDLED_TRACES,
    FRESH_TRACES,
    HELDOUT_TRACES,
    Link,
    Trace,
    constant_trace,
)

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
    assert m.add_sample(500_000, 2.0, ttfb=0.1)
    assert m.estimate_bps() == pytest.approx(2 * M)
    # too fast to time alone: pooled with the next transfer, not dropped
    assert not m.add_sample(10**6, 0.0001)
    assert m.add_sample(500_000, 2.0, ttfb=0.1)
    assert m.last_bps == pytest.approx(1_500_000 * 8 / 2.0001)
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


def test_hybrid_startup_and_rules() -> None:
    # the throughput side alone (BOLA never takes over here): see the test below
    h = HybridPolicy(bola_on=99.0)
    first = h.choose(ctx(current=None, samples=0))
    assert first.index == 0 and first.rule == "startup"
    # steady link: the highest rung under safety x the harmonic mean of recent downloads
    steady = (2.0 * M,) * 6
    d = h.choose(ctx(current=2, buffer=12.0, recent_bps=steady))
    assert d.rule == "throughput" and d.index == 3  # 1.85 <= 0.97 x 2.0
    # a steady link never gets funded, however full the buffer
    assert h.choose(ctx(current=3, buffer=29.0, recent_bps=steady)).index == 3
    # a varying one does: one rung above the throughput choice, no more
    varying = (1.6 * M, 2.6 * M, 1.7 * M, 2.5 * M, 1.8 * M, 2.4 * M)
    plain = highest_below(PENSIEVE_LADDER, 0.97 * harmonic_mean(varying), 5)
    funded = h.choose(ctx(current=plain, buffer=28.0, recent_bps=varying))
    assert funded.rule == "funded" and funded.index == plain + 1
    assert "funds one rung" in funded.reason
    # far below the buffer target the budget shrinks, so the buffer grows back
    low = h.choose(ctx(current=0, buffer=6.5, recent_bps=steady))
    assert low.rule == "buffer-target" and low.index < 3
    # a stall is near: the short estimate (the last downloads) decides
    dip = (2.0 * M,) * 4 + (0.5 * M, 0.5 * M)
    d = h.choose(ctx(current=3, buffer=3.0, recent_bps=dip))
    assert d.rule == "low-buffer" and d.index <= 1
    # a step up: two fast downloads with a full buffer are followed at once
    step = (1.0 * M,) * 4 + (5.0 * M, 5.0 * M)
    d = h.choose(ctx(current=1, buffer=25.0, recent_bps=step))
    assert d.rule == "climb" and d.index == 5


def test_hybrid_hands_over_to_bola_with_a_rich_buffer() -> None:
    h = HybridPolicy()
    varying = (1.6 * M, 2.6 * M, 1.7 * M, 2.5 * M, 1.8 * M, 2.4 * M)
    # below bola_on throughput decides...
    assert h.choose(ctx(current=2, buffer=14.0, recent_bps=varying)).rule != "bola"
    # ...from it BOLA does, and keeps deciding down to bola_off (hysteresis)
    rich = h.choose(ctx(current=2, buffer=20.0, recent_bps=varying))
    assert rich.rule == "bola" and "BOLA" in rich.reason
    assert h.choose(ctx(current=rich.index, buffer=13.0, recent_bps=varying)).rule == "bola"
    assert h.choose(ctx(current=rich.index, buffer=11.0, recent_bps=varying)).rule != "bola"
    # BOLA never climbs above what the throughput side allows (BOLA-O): a slow
    # link with a full buffer stays at the throughput choice
    slow = (0.8 * M,) * 6
    h = HybridPolicy()
    d = h.choose(ctx(current=1, buffer=29.0, recent_bps=slow))
    assert d.rule == "bola" and d.index == 1
    # ...and never drops below the lower of that choice and the current rung:
    # a dip with 20 s in hand is ridden out, not followed to the bottom
    h = HybridPolicy()
    dip = (2.0 * M,) * 5 + (0.9 * M,)
    d = h.choose(ctx(current=3, buffer=20.0, recent_bps=dip))
    assert d.rule == "bola" and d.index >= 2


def test_hybrid_down_hysteresis() -> None:
    h = HybridPolicy()
    # 1.85 Mb/s with a 1.6 Mb/s mean: over budget, but not by 40 %: hold
    hold = h.choose(ctx(current=3, buffer=12.0, recent_bps=(1.6 * M,) * 6))
    assert hold.index == 3 and hold.reason.startswith("hold")
    # with 1.2 Mb/s it is: down
    down = h.choose(ctx(current=3, buffer=12.0, recent_bps=(1.2 * M,) * 6))
    assert down.index < 3
    # above the view-size cap: down whatever the budget
    assert h.choose(ctx(current=4, buffer=25.0, recent_bps=(9 * M,) * 6, max_index=2)).index <= 2


def test_every_decision_carries_a_rule_and_reason() -> None:
    video = make_video()
    for trace in BUNDLED_TRACES[:4]:
        result = simulate(HybridPolicy(), trace, video)
        assert all(c.rule and c.reason for c in result.chunks)
        rules = {c.rule for c in result.chunks}
        assert rules <= {
            "startup",
            "throughput",
            "low-buffer",
            "climb",
            "funded",
            "buffer-target",
            "spend",
            "abandon",
            "bola",
        }


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
    # a constant link and content of constant complexity (the real-encode
    # table varies by scene, and then even the optimum switches)
    trace = constant_trace(PENSIEVE_LADDER[rung] * factor)
    result = simulate(HybridPolicy(), trace, make_video(vbr=0.1))
    late = [c for c in result.chunks if c.start > 20.0]
    moves = [(a.rung, b.rung, b.rule) for a, b in itertools.pairwise(late) if a.rung != b.rung]
    # no sawtooth: at most one step up (the spend of the saved buffer), never down
    assert len(moves) <= 1 and all(b == a + 1 for a, b, _rule in moves), moves
    assert result.rebuffer < 2.0


#: offline-optimal QoE of each trace (``optimal_qoe``, the simulator's defaults,
#: ``make_video()``), pinned so the suite does not spend 30 s on the DP;
#: ``test_pinned_optimum_is_the_dp_result`` recomputes some of them.
OPTIMAL = {
    "step-up": 146.01,
    "step-down": 120.262,
    "step-up-down": 125.079,
    "oscillating-10s": 127.651,
    "oscillating-30s": 121.112,
    "slow-ramp": 89.942,
    "slow-ramp-down": 181.116,
    "3g-walk-1": 112.038,
    "3g-walk-2": 53.93,
    "3g-walk-3": 117.934,
    "outages": 135.146,
    "constant-2M": 100.937,
    "constant-5M": 191.662,
    # held out: never used for tuning
    "step-up-2-4": 144.187,
    "step-down-3-0.8": 103.996,
    "oscillating-15s": 113.396,
    "slow-ramp-fast": 137.834,
    "3g-walk-11": 78.786,
    "3g-walk-12": 157.944,
    "3g-walk-13": 50.505,
    "3g-walk-14": 189.319,
    "outage-long": 114.162,
    "constant-1M": 43.962,
    "constant-3.2M": 153.928,
    # fresh (``fresh_traces()``'s default seed): drawn at random, never tuned on
    "fresh-step-up": 139.81,
    "fresh-step-down": 53.926,
    "fresh-step-up-down": 85.612,
    "fresh-oscillating": 96.608,
    "fresh-ramp": 72.627,
    "fresh-ramp-down": 155.984,
    "fresh-3g-walk-1": 41.547,
    "fresh-3g-walk-2": 172.268,
    "fresh-3g-walk-3": 143.997,
    "fresh-outage": 117.881,
    "fresh-constant": 39.304,
}


@pytest.mark.parametrize("name", ["slow-ramp-down", "3g-walk-2", "step-down"])
def test_pinned_optimum_is_the_dp_result(name: str) -> None:
    trace = next(t for t in BUNDLED_TRACES if t.name == name)
    assert optimal_qoe(trace, make_video()).qoe == pytest.approx(OPTIMAL[name], abs=0.01)


def percent_of_optimal(make: type, traces: tuple[Trace, ...]) -> float:
    video = make_video()
    return sum(simulate(make(), t, video).qoe for t in traces) / sum(
        OPTIMAL[t.name] for t in traces
    )


def test_default_policy_reaches_90_percent_of_optimum_ahead_of_baselines() -> None:
    score = {
        make.__name__: percent_of_optimal(make, BUNDLED_TRACES)
        for make in (HybridPolicy, ThroughputRule, Bola)
    }
    # 90-91 % before issue 10; the realistic simulator (real-encode segment
    # sizes, per-request RTT, 95 % payload) costs every policy: 85.9 % then,
    # 86.8 % after issue 10's rules, 86.3 % once abandonment at the recent
    # rate became the default (it lifted every pooled family, fresh +3.2,
    # held-out level: these are the traces it was tuned on); 87.1 % read at
    # issue 10's second pass. A regression gate
    assert score["HybridPolicy"] >= 0.865, score
    assert score["HybridPolicy"] > max(score["ThroughputRule"], score["Bola"]) + 0.05, score


def test_default_policy_holds_up_on_held_out_traces() -> None:
    """Traces the tuning never saw: no cliff (within a few points of the
    bundled figure) and still ahead of both baselines."""
    score = {
        make.__name__: percent_of_optimal(make, HELDOUT_TRACES)
        for make in (HybridPolicy, ThroughputRule, Bola)
    }
    # 89.1 % (86.4 % before issue 10, 87.9 until the simulator measured a
    # download without the outage it waited through)
    assert score["HybridPolicy"] >= 0.885, score
    assert score["HybridPolicy"] > max(score["ThroughputRule"], score["Bola"]), score


def test_fresh_traces_ahead_of_both_baselines() -> None:
    """Random levels, times and periods: no tuning has seen them."""
    assert all(t.name in OPTIMAL for t in FRESH_TRACES)
    score = {
        make.__name__: percent_of_optimal(make, FRESH_TRACES)
        for make in (HybridPolicy, ThroughputRule, Bola)
    }
    # 85.4 % (82.2 % before abandonment at the recent rate, 80.7 % before
    # issue 10): a regression gate
    assert score["HybridPolicy"] >= 0.85, score
    assert score["HybridPolicy"] > max(score["ThroughputRule"], score["Bola"]) + 0.05, score
