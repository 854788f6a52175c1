"""The model-predictive policy (the default since issue 10's third pass) on
the pooled trace families, the bundled, held-out and fresh traces, and
constant links: regression gates at its figures, and where it stands beside
the hybrid (the default before it).

It became the default once it was level with or ahead of the hybrid on
every pooled family and trace set (long ramps within 0.1 point, the rest
0.8-10 points ahead: the figures are in its docstring) and climbed a short
VOD as the hybrid does (``test_mpc.py``)."""

from __future__ import annotations

import itertools

import pytest

from player.abr.families import pooled_families
from player.abr.hybrid import HybridPolicy
from player.abr.mpc import MpcPolicy
from player.abr.simulator import PENSIEVE_LADDER, SimConfig, make_video, simulate
from player.abr.traces import BUNDLED_TRACES, FRESH_TRACES, HELDOUT_TRACES, Trace, constant_trace
from tests.support.family_optima import POOLED_OPTIMAL
from tests.unit.abr.test_abr import OPTIMAL

POOLED = pooled_families()

#: Σ QoE / Σ optimum of MPC's defaults: constant 91.6, long ramps 93.3,
#: early outages 89.3, square waves 83.0, 3G 59.0, LTE 89.6 % (3G 55.1 until
#: a link that faded under the lowest rung was planned with a larger reserve;
#: early outages 86.9 until an abandonment had to save more stall than its
#: drop costs, with the recent rate measured without an outage; when it was
#: added: 89.4, 91.6, 85.6, 84.5, 53.7, 86.7; early outages read 81.0 until
#: the simulator measured a download without the outage it waited through,
#: as the player does, and LTE 88.3 until a rich buffer waited 3 s before
#: judging a transfer). Regression gates, not the target of 90 %.
FLOORS = {
    "constant-between-rungs": 0.91,
    "long-ramps": 0.93,
    "early-outages": 0.89,
    "square-wave": 0.825,
    "3g (synthesised)": 0.585,
    "lte (synthesised)": 0.89,
}

#: switches a minute of MPC's defaults (the optimum's in brackets): constant
#: 1.77 (1.30), long ramps 2.37 (1.47), early outages 2.26 (1.21; 2.83 before
#: the abandonment's worth), square waves 4.62 (1.57), 3G 3.31 (1.74), LTE
#: 2.27 (1.04). Ceilings, a little above.
SWITCH_CEILINGS = {
    "constant-between-rungs": 1.8,
    "long-ramps": 2.5,
    "early-outages": 2.4,
    "square-wave": 4.8,
    "3g (synthesised)": 3.4,
    "lte (synthesised)": 2.45,
}

#: bundled 89.6 (the hybrid, tuned on them, 87.1), held-out 91.3 (89.1),
#: fresh 88.0 % (85.5)
SET_FLOORS = {"bundled": 0.89, "held-out": 0.91, "fresh": 0.875}
SETS = {"bundled": BUNDLED_TRACES, "held-out": HELDOUT_TRACES, "fresh": FRESH_TRACES}


def score(make: type, traces: tuple[Trace, ...], optima: dict[str, float]) -> float:
    video = make_video()
    qoe = sum(simulate(make(), t, video).qoe for t in traces)
    return qoe / sum(optima[t.name] for t in traces)


@pytest.mark.parametrize("family", list(FLOORS))
def test_mpc_holds_its_figure_on_each_pooled_family(family: str) -> None:
    assert set(FLOORS) == set(POOLED) == set(SWITCH_CEILINGS)
    video = make_video()
    results = [simulate(MpcPolicy(), t, video) for t in POOLED[family]]
    got = sum(r.qoe for r in results) / sum(POOLED_OPTIMAL[t.name] for t in POOLED[family])
    assert got >= FLOORS[family], (family, round(100 * got, 1))
    played = sum(video.chunks * video.segment_duration + r.rebuffer for r in results)
    per_minute = 60 * sum(r.switches for r in results) / played
    assert per_minute <= SWITCH_CEILINGS[family], (family, round(per_minute, 2))


@pytest.mark.parametrize("family", ["early-outages", "square-wave", "3g (synthesised)"])
def test_mpc_is_ahead_of_the_hybrid_where_it_plans_through_dips(family: str) -> None:
    mpc = score(MpcPolicy, POOLED[family], POOLED_OPTIMAL)
    hybrid = score(HybridPolicy, POOLED[family], POOLED_OPTIMAL)
    assert mpc > hybrid + 0.02, (family, round(100 * mpc, 1), round(100 * hybrid, 1))


#: over the traces whose optimum is positive (beside the full figure, as the
#: hybrid's): constant links 93.5 % (the hybrid 91.1), 3G 65.7 (55.8; 62.3 before the fading rule)
POSITIVE_FLOORS = {"constant-between-rungs": 0.93, "3g (synthesised)": 0.65}


@pytest.mark.parametrize("family", list(POSITIVE_FLOORS))
def test_mpc_holds_its_positive_optimum_figure(family: str) -> None:
    positive = tuple(t for t in POOLED[family] if POOLED_OPTIMAL[t.name] > 0)
    assert len(positive) < len(POOLED[family])
    got = score(MpcPolicy, positive, POOLED_OPTIMAL)
    assert got >= POSITIVE_FLOORS[family], (family, round(100 * got, 1))


@pytest.mark.parametrize("family", list(FLOORS))
def test_mpc_is_level_with_or_ahead_of_the_hybrid_on_every_family(family: str) -> None:
    """Issue 10's bar for making it the default: no family more than half a
    point under the hybrid's figure (long ramps were 1.8 under, LTE 0.5)."""
    mpc = score(MpcPolicy, POOLED[family], POOLED_OPTIMAL)
    hybrid = score(HybridPolicy, POOLED[family], POOLED_OPTIMAL)
    assert mpc >= hybrid - 0.005, (family, round(100 * mpc, 1), round(100 * hybrid, 1))


@pytest.mark.parametrize("name", list(SET_FLOORS))
def test_mpc_holds_its_figure_on_the_trace_sets(name: str) -> None:
    got = score(MpcPolicy, SETS[name], OPTIMAL)
    assert got >= SET_FLOORS[name], (name, round(100 * got, 1))


@pytest.mark.parametrize("rung", [1, 2, 3])
@pytest.mark.parametrize("factor", [1.1, 1.5, 3.0])
def test_mpc_does_not_switch_after_20s_on_a_constant_link(rung: int, factor: float) -> None:
    # content of constant complexity, as the hybrid's own test (the real
    # encode's scenes make even the optimum switch)
    trace = constant_trace(PENSIEVE_LADDER[rung] * factor)
    result = simulate(MpcPolicy(), trace, make_video(vbr=0.1))
    late = [c for c in result.chunks if c.start > 20.0]
    moves = [(a.rung, b.rung, b.rule) for a, b in itertools.pairwise(late) if a.rung != b.rung]
    assert moves == [], moves
    assert result.rebuffer < 2.0
    # and it does not hide low: the rung the link sustains at its nominal size
    top = max(i for i, b in enumerate(PENSIEVE_LADDER) if b * 1.1 <= PENSIEVE_LADDER[rung] * factor)
    assert late[-1].rung >= top - 1, (late[-1].rung, top)


def test_the_benchmark_prints_the_positive_optimum_figure_beside_the_old_one() -> None:
    from benchmarks.abr_simulator import run

    # one link that cannot carry the lowest rung through a hard scene (its
    # optimum is negative), one that can
    traces = (constant_trace(0.3e6, 320.0, "slow"), constant_trace(2.0e6, 320.0, "fast"))
    out = run(traces)
    optimal = out["optimal"]
    policies = out["policies"]
    assert isinstance(optimal, dict) and isinstance(policies, dict)
    assert optimal["slow"] < 0 < optimal["fast"]
    for name, summary in policies.items():
        fast = summary["per_trace"]["fast"]["qoe"]
        # over the positive optimum only: the fast link's own figure
        assert summary["percent_positive_optimum"] == pytest.approx(
            100 * fast / optimal["fast"], rel=1e-3, abs=0.05
        ), name
        # the old Σ/Σ figure is still there, and differs: the stalls count in it
        both = sum(summary["per_trace"][t]["qoe"] for t in ("slow", "fast"))
        total = sum(optimal.values())
        # per_trace rounds each QoE to 0.01: over a small Σ optimum that is
        # more than 0.05 point
        assert summary["percent_of_optimal"] == pytest.approx(
            100 * both / total, rel=1e-3, abs=max(0.05, 100 * 0.01 / abs(total))
        ), name
        assert 0.0 < summary["bitrate_ratio"] <= 1.5, name


def test_mpc_with_a_small_live_like_buffer_is_no_worse_than_the_hybrid() -> None:
    # an 8 s buffer and 2 s segments (a live window's budget): the reserve
    # and the start-up fill scale down with the buffer, so the plan neither
    # starves nor hoards (held-out: QoE 2168 against 2156, stalls 26 s
    # against 22 s when measured)
    config = SimConfig(buffer_cap=8.0)
    video = make_video(segment_duration=2.0, chunks=96)
    mpc = [simulate(MpcPolicy(), t, video, config) for t in HELDOUT_TRACES]
    hybrid = [simulate(HybridPolicy(), t, video, config) for t in HELDOUT_TRACES]
    assert sum(r.qoe for r in mpc) >= 0.97 * sum(r.qoe for r in hybrid)
    assert sum(r.rebuffer for r in mpc) <= 1.5 * sum(r.rebuffer for r in hybrid)
