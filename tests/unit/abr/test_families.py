"""Issue 10's trace families (never tuned on): per-family regression gates
against pinned offline optima, and the rules that lifted them (funding a
steady link when the scenes change, never while the lowest rung is unsafe)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from player.abr.families import FAMILIES, pooled_families
from player.abr.hybrid import HybridPolicy
from player.abr.optimal import optimal_qoe
from player.abr.policy import AbrContext, AbrPolicy
from player.abr.simulator import PENSIEVE_LADDER, make_video, simulate
from tests.support.family_optima import POOLED_OPTIMAL

M = 1e6

#: offline-optimal QoE of each trace of the five-trace families: the pooled
#: sets hold them, pinned once (tests/support/family_optima.py).
OPTIMAL = {t.name: POOLED_OPTIMAL[t.name] for traces in FAMILIES.values() for t in traces}

#: Σ QoE / Σ optimum of the default policy per family, pooled over
#: ``POOLED_SEEDS`` seeds (15-25 traces a family; five were one trace's luck:
#: 3G read 73.6 % on the evaluation's five and 35.9 % pooled). Derived from
#: the default when the gates moved to the pooled sets (pooled 88.9, 93.4,
#: 72.2, 79.8, 35.9, 86.8 %; the five-trace gates read 88.9, 91.5, 69.4,
#: 84.4, 73.6, 79.1 % then), and raised with abandonment at the recent rate
#: made the default (88.9, 93.4, 72.4, 80.3, 44.7, 87.2 %; early outages
#: read 73.3 at issue 10's second pass, and its gate was raised to that;
#: 79.5 since the simulator measures a download without the outage it waited
#: through, as the player does). The hybrid was the default until issue 10's
#: third pass made MPC it; these gates hold the hybrid, still a choice.
#: Regression gates, not the target: the issue asks for 90 % on every family.
FLOORS = {
    "constant-between-rungs": 0.885,
    "long-ramps": 0.93,
    "early-outages": 0.79,
    "square-wave": 0.80,
    "3g (synthesised)": 0.445,
    "lte (synthesised)": 0.87,
}

POOLED = pooled_families()


def test_every_family_trace_has_a_pinned_optimum() -> None:
    assert set(FAMILIES) == set(FLOORS) == set(POOLED)
    assert {t.name for traces in POOLED.values() for t in traces} == set(POOLED_OPTIMAL)
    # the evaluation's own traces are among the pooled ones (OPTIMAL reads them there)
    pooled = {t.name for traces in POOLED.values() for t in traces}
    assert all(t.name in pooled for traces in FAMILIES.values() for t in traces)
    # and every random family has many more than five
    assert all(len(POOLED[f]) >= 20 for f in ("early-outages", "3g (synthesised)"))


@pytest.mark.parametrize("name", ["const-1.2Mx1.1", "square-9s-0", "3g-3@1012"])
def test_pinned_family_optimum_is_the_dp_result(name: str) -> None:
    trace = next(t for traces in POOLED.values() for t in traces if t.name == name)
    assert optimal_qoe(trace, make_video()).qoe == pytest.approx(POOLED_OPTIMAL[name], abs=0.01)


def pooled_score(policy: Callable[[], AbrPolicy], family: str) -> float:
    video = make_video()
    traces = POOLED[family]
    qoe = sum(simulate(policy(), t, video).qoe for t in traces)
    return qoe / sum(POOLED_OPTIMAL[t.name] for t in traces)


@pytest.mark.parametrize("family", list(FLOORS))
def test_the_default_policy_holds_its_figure_on_each_pooled_family(family: str) -> None:
    score = pooled_score(HybridPolicy, family)
    assert score >= FLOORS[family], (family, round(100 * score, 1))


#: the same Σ/Σ over the traces whose optimum is positive only, where a
#: family has others (links that cannot carry the lowest rung through a hard
#: scene: there every policy stalls and the figure mostly counts stall
#: seconds). Gated beside the full figure, never instead of it: constant
#: links 91.1 %, 3G 55.8 % (three of 25 traces negative)
POSITIVE_FLOORS = {"constant-between-rungs": 0.905, "3g (synthesised)": 0.555}


def positive_score(policy: Callable[[], AbrPolicy], family: str) -> float:
    video = make_video()
    traces = [t for t in POOLED[family] if POOLED_OPTIMAL[t.name] > 0]
    qoe = sum(simulate(policy(), t, video).qoe for t in traces)
    return qoe / sum(POOLED_OPTIMAL[t.name] for t in traces)


@pytest.mark.parametrize("family", list(POSITIVE_FLOORS))
def test_the_default_policy_holds_its_positive_optimum_figure(family: str) -> None:
    negative = [t for t in POOLED[family] if POOLED_OPTIMAL[t.name] <= 0]
    assert negative, "a family without a negative optimum needs no second figure"
    score = positive_score(HybridPolicy, family)
    assert score >= POSITIVE_FLOORS[family], (family, round(100 * score, 1))
    # the traces left out drag the full figure down, never up
    assert pooled_score(HybridPolicy, family) < score


def test_steady_links_between_rungs_come_near_the_optimum() -> None:
    """Where the link can carry the lowest rung through every scene, the
    surplus of a link between rungs is spent as the optimum spends it (about
    83 % before the scene-aware funding, 91.1 % after)."""
    video = make_video()
    traces = [t for t in FAMILIES["constant-between-rungs"] if OPTIMAL[t.name] > 0]
    qoe = sum(simulate(HybridPolicy(), t, video).qoe for t in traces)
    assert qoe / sum(OPTIMAL[t.name] for t in traces) >= 0.90


def _ctx(recent: float, sizes: tuple[float, ...], **kw: object) -> AbrContext:
    base: dict[str, object] = {
        "bitrates": PENSIEVE_LADDER,
        "current": 0,
        "buffer": 25.0,
        "segment_duration": 4.0,
        "estimate_bps": recent,
        "samples": 6,
        "recent_bps": (recent,) * 6,
        "size_ratios": sizes,
        "size_ratio": sum(sizes[-2:]) / len(sizes[-2:]),
    }
    base.update(kw)
    return AbrContext(**base)  # type: ignore[arg-type]


def test_a_steady_link_is_funded_when_the_scenes_change() -> None:
    # 2 Mb/s, an easy scene (segments at half their nominal size) after a
    # normal one: a rung costs half, and the buffer funds one more
    h = HybridPolicy(bola_on=99.0)  # the throughput side alone
    changing = h.choose(_ctx(2 * M, (1.1, 1.1, 1.1, 0.5, 0.5), current=4))
    assert changing.rule == "funded" and changing.index == 5
    # the same easy scene all along: nothing says the cost will move, no funding
    h = HybridPolicy(bola_on=99.0)
    steady = h.choose(_ctx(2 * M, (0.5,) * 5, current=4))
    assert steady.rule != "funded" and steady.index == 4
    # ... nor with a buffer short of ``content_buffer``
    h = HybridPolicy(bola_on=99.0)
    short = h.choose(_ctx(2 * M, (1.1, 1.1, 1.1, 0.5, 0.5), current=4, buffer=14.0))
    assert short.rule != "funded" and short.index == 4


def test_no_funding_while_the_lowest_rung_is_unsafe_in_a_hard_scene() -> None:
    # 0.33 Mb/s: an easy scene makes 0.75 Mb/s look affordable, but a scene at
    # twice nominal size would stall even the 0.3 Mb/s rung: the buffer is
    # kept for that
    scenes = (1.1, 1.1, 1.1, 0.45, 0.45)
    slow = HybridPolicy(bola_on=99.0).choose(_ctx(0.33 * M, scenes))
    assert slow.index == 0 and slow.rule != "funded"
    # (without the insurance it would have been)
    bare = HybridPolicy(bola_on=99.0, insure_ratio=0.0).choose(_ctx(0.33 * M, scenes))
    assert bare.rule == "funded" and bare.index == 1
    # at 0.7 Mb/s the lowest rung is safe at twice its size: funded
    fast = HybridPolicy(bola_on=99.0).choose(_ctx(0.7 * M, scenes))
    assert fast.rule == "funded" and fast.index >= 1
