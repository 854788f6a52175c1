"""The model-predictive policy's decisions on hand-made states (pure: no
clock, no I/O), its cost, and choosing a policy by name."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from player.abr.hybrid import HybridPolicy, harmonic_mean
from player.abr.mpc import MpcPolicy
from player.abr.policies import DEFAULT_POLICY, make_policy
from player.abr.policy import AbrContext, InFlight
from player.abr.simulator import PENSIEVE_LADDER
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG, NetworkConfig, PlayerConfig
from player.hls.hls_source import HlsSource
from tests.support.clocked_run import play_to_end
from tests.support.fake_fetcher import FakeFetcher
from tests.support.hls_media import muxed_ladder_vod

M = 1e6
L = 4.0
ORIGIN = "http://origin.test/"


def ctx(rate: float | tuple[float, ...], **kw: object) -> AbrContext:
    recent = rate if isinstance(rate, tuple) else (rate,) * 5
    base: dict[str, object] = {
        "bitrates": PENSIEVE_LADDER,
        "current": 2,
        "buffer": 20.0,
        "segment_duration": L,
        "estimate_bps": recent[-1] if recent else 1 * M,
        "samples": len(recent),
        "recent_bps": recent,
    }
    base.update(kw)
    return AbrContext(**base)  # type: ignore[arg-type]


def test_startup_fetches_the_lowest_rung_until_the_link_is_measured() -> None:
    p = MpcPolicy()
    first = p.choose(ctx((), current=None, samples=0, estimate_bps=1 * M))
    assert (first.index, first.rule) == (0, "startup")


def test_drops_before_a_predicted_stall() -> None:
    # 2.85 Mb/s segments over a 1 Mb/s link take 11.4 s; 6 s are buffered
    state = ctx(1 * M, current=4, buffer=6.0)
    drop = MpcPolicy(fill_buffer=0).choose(state)
    assert drop.index < 4 and drop.rule == "mpc-down", drop
    # the chosen rung arrives before the buffer runs out
    assert PENSIEVE_LADDER[drop.index] * L / (1 * M) < 6.0
    # with stalls free, the same state keeps the rung: the drop is the stall's
    blind = MpcPolicy(fill_buffer=0, rebuffer_penalty=0.0, reserve_penalty=0.0).choose(state)
    assert blind.index >= 4, blind


def test_holds_when_the_predicted_gain_is_below_the_switch_penalty() -> None:
    # a fast link (5 Mb/s, varying, so not capped as steady), a rich buffer,
    # one segment left in the plan: 1.2 -> 1.85 Mb/s gains 0.65 and costs
    # 2 x 0.65 in switching, so the plan holds
    varied = (4.5 * M, 5.5 * M, 5 * M, 4.6 * M, 5.4 * M)
    hold = MpcPolicy(fill_buffer=0, horizon=1).choose(ctx(varied))
    assert (hold.index, hold.rule) == (2, "mpc"), hold
    # a cheaper switch: the same one segment pays for a climb
    cheap = MpcPolicy(fill_buffer=0, horizon=1, switch_penalty=0.5).choose(ctx(varied))
    assert cheap.index > 2 and cheap.rule == "mpc-up", cheap
    # five segments of gain pay for the switch too
    five = MpcPolicy(fill_buffer=0).choose(ctx(varied))
    assert five.index > 2, five


def test_respects_the_prediction_error_discount() -> None:
    p = MpcPolicy(fill_buffer=0, max_error=None)
    p.choose(ctx(2 * M))  # predicts 2 Mb/s for the next download ...
    # ... which got 1 Mb/s: an error of 100 %
    after = ctx((2 * M,) * 4 + (1 * M,), samples=6, buffer=8.0, current=3)
    mean = harmonic_mean(after.recent_bps)
    learned = p.choose(after)  # (a decision learns from the last download)
    assert p.prediction(after) == pytest.approx((mean / 2.0, mean))
    # the default caps the discount at 25 %
    capped = MpcPolicy(fill_buffer=0)
    capped.choose(ctx(2 * M))
    capped.choose(after)
    assert capped.prediction(after)[0] == pytest.approx(mean / 1.25)
    # a policy that was never wrong plans at the mean; the discounted one lower
    fresh = MpcPolicy(fill_buffer=0, max_error=None).choose(after)
    assert learned.index < fresh.index, (learned, fresh)
    # errors age out: five right predictions later the discount is gone
    for n in range(7, 12):
        p.choose(ctx(mean, samples=n))
    assert p.prediction(ctx(mean, samples=12))[0] == pytest.approx(mean)


def test_a_steady_link_is_not_climbed_above_what_it_sustains() -> None:
    # 2.25 Mb/s, a full buffer: 2.85 Mb/s segments would drain 1 s each, and
    # the plan gains from them for five segments, but the drop that follows
    # is the sawtooth the constant links must not show
    state = ctx(2.25 * M, current=3, buffer=30.0)
    assert MpcPolicy().choose(state).index == 3
    assert MpcPolicy(steady_gate=0.0).choose(state).index > 3
    # a varying link at the same mean is planned freely
    varied = (2.0 * M, 2.5 * M, 2.1 * M, 2.4 * M, 2.25 * M)
    assert MpcPolicy().choose(ctx(varied, current=3, buffer=30.0)).index > 3


def test_the_lowest_rung_is_insured_on_a_link_barely_above_it() -> None:
    # 0.36 Mb/s and easy scenes (segments at 45 % of nominal): 0.75 Mb/s
    # looks affordable, but a hard scene would stall even the lowest rung
    state = ctx(0.36 * M, current=0, size_ratio=0.45, size_ratios=(0.45,) * 5)
    insured = MpcPolicy().choose(state)
    assert (insured.index, insured.rule) == (0, "mpc-insure")
    assert MpcPolicy(insure_ratio=0.0).choose(state).index == 1


def test_the_start_up_fill_plans_at_half_the_prediction_once() -> None:
    p = MpcPolicy(fill_ramp=0)
    filling = p.choose(ctx(2 * M, buffer=6.0))
    assert "at 1.00 Mb/s" in filling.reason, filling
    p.choose(ctx(2 * M, buffer=17.0, samples=6))  # the first 16 s are in
    later = p.choose(ctx(2 * M, buffer=6.0, samples=7))
    assert "at 2.00 Mb/s" in later.reason, later


def test_the_start_up_fill_eases_as_the_buffer_builds() -> None:
    p = MpcPolicy()  # half the prediction on an empty buffer, 1 at 16 s, cubed in between
    assert p.fill_restraint(0.0, 16.0) == pytest.approx(0.5)
    assert p.fill_restraint(8.0, 16.0) == pytest.approx(0.5 + 0.5 * 0.5**3)
    assert p.fill_restraint(16.0, 16.0) == pytest.approx(1.0)
    shares = [p.fill_restraint(b, 16.0) for b in (0.0, 4.0, 8.0, 12.0, 15.9)]
    assert shares == sorted(shares) and len(set(shares)) == len(shares)
    # in a decision: 12 s of a first 16 s plan at 0.5 + 0.5 x 0.75^3 of 2 Mb/s
    eased = MpcPolicy().choose(ctx(2 * M, buffer=12.0))
    assert f"at {2 * (0.5 + 0.5 * 0.75**3):.2f} Mb/s" in eased.reason, eased
    # the fill and the error discount are not compounded: the stricter one plans
    wrong = MpcPolicy()
    wrong.choose(ctx(2 * M, buffer=2.0))  # predicts 2 Mb/s, the download got 1
    after = ctx((2 * M,) * 4 + (1 * M,), samples=6, buffer=2.0)
    mean = harmonic_mean(after.recent_bps)
    decision = wrong.choose(after)
    assert wrong.prediction(after)[0] == pytest.approx(mean / 1.25)  # a discount is owed ...
    share = wrong.fill_restraint(2.0, 16.0)
    assert f"at {mean * share / 1e6:.2f} Mb/s" in decision.reason, (decision, share)


def test_a_plan_that_reaches_the_end_of_a_vod_keeps_no_reserve() -> None:
    # 2 Mb/s, 9 s in hand, two segments left: 2.85 Mb/s segments drain the
    # buffer under the 8 s reserve, which guards a stall past the horizon;
    # past the end of the VOD there is none, so they are worth fetching
    state = ctx(2 * M, current=4, buffer=9.0, remaining=L)
    assert MpcPolicy().plan(state, 2 * M).index == 4
    assert MpcPolicy(free_at_end=False).plan(state, 2 * M).index < 4
    # far from the end, or live, the reserve holds: the same plan either way
    far = ctx(2 * M, current=4, buffer=9.0, remaining=100.0)
    live = ctx(2 * M, current=4, buffer=9.0, remaining=L, live=True)
    for state in (far, live):
        plan = MpcPolicy().plan(state, 2 * M)
        assert plan == MpcPolicy(free_at_end=False).plan(state, 2 * M), state


def test_the_plan_stops_at_the_end_of_a_vod_and_not_live() -> None:
    p = MpcPolicy()
    assert p.plan(ctx(2 * M, remaining=L), 2 * M).steps == 2
    assert p.plan(ctx(2 * M, remaining=0.0), 2 * M).steps == 1
    assert p.plan(ctx(2 * M, remaining=L, live=True), 2 * M).steps == 5


def test_a_small_live_buffer_plans_no_stall() -> None:
    # live, 6 s target: a few seconds in hand, a varying 1.5 Mb/s link
    varied = (1.3 * M, 1.7 * M, 1.4 * M, 1.6 * M, 1.5 * M)
    state = ctx(varied, current=3, buffer=4.0, buffer_target=6.0, live=True)
    decision = MpcPolicy().choose(state)
    bps = MpcPolicy().prediction(state)[0]
    assert PENSIEVE_LADDER[decision.index] * L / bps < 4.0, decision
    # and it does not collapse to the floor: it keeps what the link carries
    assert decision.index >= 1, decision


def test_a_decision_costs_well_under_two_milliseconds() -> None:
    p = MpcPolicy(fill_buffer=0)
    varied = (1.3 * M, 3.1 * M, 0.9 * M, 2.6 * M, 1.9 * M)
    states = [ctx(varied, current=c, buffer=b) for c in range(6) for b in (2.0, 9.0, 17.0, 30.0)]
    rounds = 10
    t0 = time.process_time()
    for _ in range(rounds):
        for s in states:
            p.choose(s)
    per_decision = (time.process_time() - t0) / (rounds * len(states))
    assert per_decision < 0.002, per_decision


def test_a_policy_is_chosen_by_name() -> None:
    assert DEFAULT_POLICY == NetworkConfig().abr_policy == PlayerConfig().network.abr_policy
    assert isinstance(make_policy(), MpcPolicy)
    assert isinstance(make_policy("hybrid"), HybridPolicy)
    # each call a fresh policy: they keep per-session state
    assert make_policy("mpc") is not make_policy("mpc")
    with pytest.raises(ValueError, match=r"unknown ABR policy 'pensieve'.*hybrid, mpc"):
        make_policy("pensieve")


def test_the_player_runs_the_policy_its_config_names() -> None:
    """``abr_policy = "mpc"`` reaches ``HlsSource``: its switches are MPC's,
    through the same driver as the simulator's."""
    clock = ManualClock()
    origin = FakeFetcher(clock)
    # 16 s in 2 s segments at 0.25 and 1.2 Mb/s, over an 8 Mb/s link
    origin.serve_directory(ORIGIN, muxed_ladder_vod(16.0), ttfb=0.02, bits_per_second=8e6)
    config = replace(DEFAULT_CONFIG, network=replace(DEFAULT_CONFIG.network, abr_policy="mpc"))
    src = HlsSource(ORIGIN + "master.m3u8", config=config, clock=clock, fetcher=origin)
    play_to_end(src, clock)
    switches = [e.detail for e in src.timeline() if e.marker == "switch"]
    assert switches, [e.as_dict() for e in src.timeline()]
    assert all(d.startswith(("mpc", "startup")) for d in switches), switches
    assert any(d.startswith("mpc-up") for d in switches), switches


def test_a_steady_link_may_be_planned_above_its_rung_while_the_scenes_change() -> None:
    # 2.25 Mb/s steady, an easy scene after hard ones: with 28 s in hand the
    # cost of a rung moves, and the plan is free to spend the buffer on it
    scenes = (1.6, 1.6, 1.6, 0.8, 0.8)
    rich = ctx(2.25 * M, current=3, buffer=28.0, size_ratio=0.8, size_ratios=scenes)
    assert MpcPolicy().choose(rich).index > 4
    # with less than ``content_buffer`` the steady cap holds
    short = ctx(2.25 * M, current=3, buffer=16.0, size_ratio=0.8, size_ratios=scenes)
    capped = MpcPolicy().choose(short).index
    assert capped <= 4 and capped < MpcPolicy(content_buffer=0.0).choose(short).index
    # and the insurance holds whatever the scenes do
    easy_now = (1.1, 1.1, 1.1, 0.45, 0.45)
    slow = ctx(0.36 * M, current=0, buffer=28.0, size_ratio=0.45, size_ratios=easy_now)
    assert MpcPolicy().choose(slow).rule == "mpc-insure"


def test_a_short_vod_on_a_fast_link_is_climbed() -> None:
    # the player's short VOD: 2 s segments at 0.25 and 1.2 Mb/s, 20 Mb/s
    # measured, one segment fetched and one left after this: two segments
    # gain 2 x 0.95 Mb/s, and at the planner's usual switch weight (2.5 x
    # 0.95) the climb never pays; at the QoE's own weight it does, and the
    # link carries the upper rung many times over, so no drop back follows
    state = ctx(
        (20 * M,),
        bitrates=(0.25 * M, 1.2 * M),
        current=0,
        buffer=1.9,
        segment_duration=2.0,
        remaining=2.0,
        samples=1,
    )
    up = MpcPolicy().choose(state)
    assert (up.index, up.rule) == (1, "mpc-up"), up
    assert MpcPolicy(end_switch_penalty=None).choose(state).index == 0
    # a link that barely carries the upper rung keeps the certain switch weighed in full
    close = replace(state, recent_bps=(1.5 * M,), estimate_bps=1.5 * M)
    assert MpcPolicy(fill_buffer=0).plan(close, 1.5 * M).index == 0
    # far from the end the plan's usual weight holds, even on the fast link
    far = replace(state, remaining=None, live=True)
    plan = MpcPolicy().plan(far, 20 * M)
    assert plan == MpcPolicy(end_switch_penalty=None).plan(far, 20 * M)


def test_a_rich_buffer_waits_out_a_dip_at_a_transfers_start() -> None:
    # the top rung's 2.15 MB segment, 1.5 s in, 56 kB arrived (a handover dip:
    # 0.3 Mb/s since the first byte), against a 3.7 Mb/s estimate
    flight = InFlight(5, 56_000, 2_150_000, 1.5, recent_bps=0.3 * M)
    rich = ctx(3.7 * M, current=5, buffer=26.8)
    # judged this early, the dip reads as a collapse: 57 s to go, 26.8 s in hand
    assert MpcPolicy(abandon_patience=0.5).abandon(rich, flight) is not None
    # a rich buffer waits until 3 s have shown what the link does
    assert MpcPolicy().abandon(rich, flight) is None
    later = replace(flight, bytes_done=110_000, elapsed=3.0)
    assert MpcPolicy().abandon(rich, later) is not None  # still a trickle: now it goes
    # with less than 12 s in hand there is no time to wait
    poor = ctx(3.7 * M, current=5, buffer=8.0)
    assert MpcPolicy().abandon(poor, flight) is not None


def faded_policy(**kw: object) -> MpcPolicy:
    """A policy whose link, a few downloads back, ran under the lowest rung's
    rate (0.2 Mb/s: a tunnel) and has since run at 2 Mb/s for six downloads,
    so the slow one is out of the five the prediction uses."""
    p = MpcPolicy(fill_buffer=0, **kw)  # type: ignore[arg-type]
    p.choose(ctx((0.2 * M,), current=0, samples=1, buffer=4.0))
    for n in range(2, 8):
        p.choose(ctx(2 * M, current=4, buffer=18.0, samples=n))
    return p


def test_a_link_that_faded_under_the_lowest_rung_is_planned_with_a_larger_reserve() -> None:
    state = ctx(2 * M, current=4, buffer=16.0, samples=8)
    # never faded: 16 s in hand carry the 2.85 Mb/s rung over the 2 Mb/s link
    fresh = MpcPolicy(fill_buffer=0)
    assert fresh.choose(state).index == 4 and not fresh.fading(state)
    # the tunnel is remembered past the prediction's five downloads: a plan
    # must keep 16 s, not 8, and the buffer is not spent on the rung
    faded = faded_policy()
    assert faded.fading(state)
    assert faded.choose(state).index < 4
    # the rule off, the same history plans as the fresh policy
    assert faded_policy(fade_ratio=0.0).choose(state).index == 4


def test_an_abandoned_segment_on_a_fading_link_drops_to_a_share_of_the_buffer() -> None:
    # the 2.85 Mb/s rung's 1.43 MB segment, 4 s in, 200 kB arrived (0.4 Mb/s),
    # 9 s in hand: the rest needs 24.5 s, so the segment is abandoned
    flight = InFlight(4, 200_000, 1_425_000, 4.0, recent_bps=0.4 * M)
    state = ctx(2 * M, current=4, buffer=9.0, samples=8)
    # the shared rule takes the highest rung that arrives within the buffer
    # (0.75 Mb/s: 7.5 s at 0.4 Mb/s)
    plain = MpcPolicy(fill_buffer=0).abandon(state, flight)
    assert plain is not None and plain.index == 1, plain
    # on a link that faded under the lowest rung, the fade may deepen: the
    # rung that arrives in under a third of the buffer
    faded = faded_policy().abandon(state, flight)
    assert faded is not None and faded.index == 0 and "fading link" in faded.reason, faded


def test_an_abandonment_must_save_more_stall_than_its_drop_costs() -> None:
    # the 4.3 Mb/s rung's 2.15 MB segment, 650 kB to go at 3.9 Mb/s (1.3 s),
    # 0.3 s in hand, as when a link comes back from an outage: the shared rule
    # abandons for the lowest rung (0.25 s to fetch), saving a 1 s stall
    flight = InFlight(5, 1_500_000, 2_150_000, 3.1, recent_bps=3.9 * M)
    state = ctx(3.9 * M, current=5, buffer=0.3, samples=8, estimate_bps=3.9 * M)
    shared = MpcPolicy(abandon_worth=0.0).abandon(state, flight)
    assert shared is not None and shared.index == 0, shared
    # a 1 s stall (4.3) is worth less than dropping 4 Mb/s and climbing back
    assert MpcPolicy().abandon(state, flight) is None
    # a long stall is worth the drop: 5x the bytes left, at a fifth of the rate
    slow = InFlight(5, 300_000, 2_150_000, 3.1, recent_bps=0.8 * M)
    taken = MpcPolicy().abandon(replace(state, estimate_bps=0.8 * M), slow)
    assert taken is not None and taken.index < 5, taken
