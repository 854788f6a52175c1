"""Each ABR policy's QoE as a percent of the offline optimum, per trace family:
the bundled traces (which the hybrid was tuned on), the held-out and
fresh ones (the same families with every level, time and period drawn at
random from a seed: ``--seed`` draws another family), and the families of
issue 10 it was not tuned on (``player.abr.families``: constant links between
rungs, long ramps, early outages, square waves, synthesised 3G and LTE logs),
pooled over ``--family-seeds N`` seeds (default ``POOLED_SEEDS``, 15-25 traces
a family, as the unit tests gate them; 1: the five-trace sets of one seed,
``--family-seed`` draws another). The first table is one line per family.
``--tuning`` adds the split issue 10's rules were tuned on
(``player.abr.families.tuning_families``: the same generators at another
seed, constant links at 1.05 and 1.15 x the rungs 0.75-2.85 Mb/s), marked "tuning split";
``--tuning-seeds N`` pools N seeds of it (five traces a family are noisy).
``--breakdown`` splits each policy's shortfall from the optimum into bitrate,
rebuffering and switching, in points of the optimum.
The "hybrid + fill" column is the hybrid with its opt-in start-up fill
(``HybridPolicy.fill_buffer`` = 8 s), measured beside it; "hybrid, plain
abandon" is the hybrid as it was before abandonment at the recent rate
(``abandon_recent``) became the default. "mpc (default)" is the
model-predictive rule (``player.abr.mpc``; ``NetworkConfig.abr_policy``'s
default since issue 10's third pass; "hybrid" is ``--abr-policy hybrid``);
``--cost`` measures each policy's CPU time per decision.

    .venv/bin/python -m benchmarks.abr_simulator [--json] [--seed N] [--family-seed N]
        [--family-seeds N] [--traces] [--simple] [--tuning] [--tuning-seeds N] [--breakdown]
        [--cost]

QoE_lin (Pensieve): Σ bitrate (Mb/s) − 4.3 × rebuffer s − Σ |Δ bitrate|; ladder
300–4300 kb/s, 4 s segments, 48 segments, 30 s buffer; segment sizes from a
real encode, per-request RTT, 95 % payload share (``player.abr.simulator``). The headline figure is
Σ QoE_policy / Σ QoE_optimal over the set: a trace's negative QoE counts in
full (clipping it at zero would hide a stalling policy), and no trace with a
small optimum can blow up the figure as it would in a mean of ratios. That
weighs traces by their optimum, so the mean of per-trace percents and the
worst trace are printed beside it. About two minutes: the offline
optimum is a dynamic programme per trace.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable

from player.abr.bola import Bola
from player.abr.families import POOLED_SEEDS, families, pooled_families, tuning_families
from player.abr.hybrid import HybridPolicy
from player.abr.mpc import MpcPolicy
from player.abr.optimal import optimal_qoe
from player.abr.policy import AbrContext, AbrPolicy, Decision, InFlight
from player.abr.simulator import SimConfig, SimResult, make_video, qoe_lin, simulate
from player.abr.throughput import ThroughputRule
from player.abr.traces import BUNDLED_TRACES, HELDOUT_TRACES, Trace, fresh_traces

POLICIES: dict[str, Callable[[], AbrPolicy]] = {
    "mpc (default)": MpcPolicy,
    "hybrid": HybridPolicy,
    "hybrid + fill": lambda: HybridPolicy(fill_buffer=8.0, name="hybrid+fill"),
    "hybrid, plain abandon": lambda: HybridPolicy(abandon_recent=False, name="hybrid-plain"),
    "throughput-only": ThroughputRule,
    "bola-only": Bola,
}


def run(traces: tuple[Trace, ...] = BUNDLED_TRACES, *, simple: bool = False) -> dict[str, object]:
    """``simple``: Pensieve's model (nominal sizes ±10 %, one fixed RTT, the
    whole trace rate for the payload), the model before issue 10."""
    video = make_video(vbr=0.1) if simple else make_video()
    config = SimConfig(rtt_jitter=0.0, payload=1.0) if simple else SimConfig()
    optimal_runs = {t.name: optimal_qoe(t, video, config) for t in traces}
    optimal = {name: o.qoe for name, o in optimal_runs.items()}
    results: dict[str, list[SimResult]] = {
        name: [simulate(make(), t, video, config) for t in traces]
        for name, make in POLICIES.items()
    }
    total_opt = sum(optimal.values())
    # the optimum's QoE terms: bitrate reward, rebuffer and switching penalties
    opt_reward = opt_penalty = 0.0
    for o in optimal_runs.values():
        _q, reward, smooth = qoe_lin(
            o.rungs, video.bitrates, o.rebuffer, config.rebuffer_penalty, config.smooth_penalty
        )
        opt_reward += reward
        opt_penalty += smooth * config.smooth_penalty
    opt_rebuffer = sum(o.rebuffer for o in optimal_runs.values()) * config.rebuffer_penalty
    summary: dict[str, object] = {}
    for name, rs in results.items():
        percents = [100 * r.qoe / optimal[r.trace] for r in rs]
        summary[name] = {
            "percent_of_optimal": 100 * sum(r.qoe for r in rs) / total_opt,
            # where the shortfall comes from, in points of the optimum
            "loss_points": {
                "bitrate": 100 * (opt_reward - sum(r.bitrate_reward for r in rs)) / total_opt,
                "rebuffer": 100
                * (config.rebuffer_penalty * sum(r.rebuffer for r in rs) - opt_rebuffer)
                / total_opt,
                "switching": 100
                * (config.smooth_penalty * sum(r.smoothness for r in rs) - opt_penalty)
                / total_opt,
            },
            # Σ/Σ over the traces whose optimum is positive only: on the
            # others (links that cannot carry the lowest rung through a hard
            # scene) the figure mostly counts stall seconds
            "percent_positive_optimum": _percent_positive(rs, optimal),
            # bitrate reward over the optimum's, stalls apart
            "bitrate_ratio": sum(r.bitrate_reward for r in rs) / opt_reward,
            # every optimum here is positive; a mean of ratios is meaningless otherwise
            "mean_trace_percent": sum(percents) / len(percents),
            "worst_trace_percent": min(percents),
            "rebuffer_ratio": sum(r.rebuffer for r in rs)
            / sum(r.rebuffer + video.chunks * video.segment_duration for r in rs),
            "switches": sum(r.switches for r in rs),
            "rebuffer_s": sum(r.rebuffer for r in rs),
            "switches_per_min": 60
            * sum(r.switches for r in rs)
            / sum(video.chunks * video.segment_duration + r.rebuffer for r in rs),
            "per_trace": {
                r.trace: {
                    "qoe": round(r.qoe, 2),
                    "percent": round(100 * r.qoe / optimal[r.trace], 1),
                    "rebuffer_s": round(r.rebuffer, 2),
                    "switches": r.switches,
                }
                for r in rs
            },
        }
    opt_switches = sum(
        sum(1 for a, b in zip(o.rungs, o.rungs[1:], strict=False) if a != b)
        for o in optimal_runs.values()
    )
    return {
        "optimal": optimal,
        "optimal_rebuffer_s": sum(o.rebuffer for o in optimal_runs.values()),
        "optimal_switches_per_min": 60
        * opt_switches
        / sum(video.chunks * video.segment_duration + o.rebuffer for o in optimal_runs.values()),
        "policies": summary,
    }


def _percent_positive(rs: list[SimResult], optimal: dict[str, float]) -> float | None:
    positive = [r for r in rs if optimal[r.trace] > 0]
    if not positive:
        return None
    return 100 * sum(r.qoe for r in positive) / sum(optimal[r.trace] for r in positive)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument(
        "--seed", type=int, default=None, help="seed of the fresh traces (fresh_traces' default)"
    )
    parser.add_argument(
        "--family-seed", type=int, default=None, help="seed of issue 10's families (one seed)"
    )
    parser.add_argument(
        "--family-seeds",
        type=int,
        default=POOLED_SEEDS,
        help="issue 10's families pooled over N seeds (1: the evaluation's five traces)",
    )
    parser.add_argument("--traces", action="store_true", help="also print every trace")
    parser.add_argument(
        "--tuning", action="store_true", help="also the families' tuning split (tuned on)"
    )
    parser.add_argument(
        "--tuning-seeds",
        type=int,
        default=0,
        help="also the tuning split pooled over N seeds (implies --tuning)",
    )
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="split each policy's shortfall into bitrate, rebuffering and switching",
    )
    parser.add_argument(
        "--simple",
        action="store_true",
        help="Pensieve's simulator model (nominal sizes, fixed RTT), as before issue 10",
    )
    parser.add_argument(
        "--cost", action="store_true", help="CPU time per decision of each policy (ms)"
    )
    args = parser.parse_args(argv)
    fresh = fresh_traces() if args.seed is None else fresh_traces(args.seed)
    sets: dict[str, tuple[Trace, ...]] = {
        "bundled (tuned on)": BUNDLED_TRACES,
        "held-out": HELDOUT_TRACES,
        "fresh": fresh,
    }
    if args.family_seed is not None:
        new = families(args.family_seed)
    elif args.family_seeds > 1:
        new = pooled_families(args.family_seeds)
    else:
        new = families()
    sets.update(new)
    if args.tuning or args.tuning_seeds:
        split = tuning_families(max(args.tuning_seeds, 1))
        sets.update({f"{k} (tuning split)": v for k, v in split.items()})
    if args.cost:
        cost_table(tuple(t for traces in sets.values() for t in traces))
        return 0
    results = {title: run(traces, simple=args.simple) for title, traces in sets.items()}
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
        return 0
    family_table(results, untuned=tuple(new))
    if args.breakdown:
        breakdown_table(results)
    if args.traces:
        for title, out in results.items():
            print(f"\n== {title} traces")
            table(out)
    return 0


class _Timed:
    """A policy whose decisions are timed (CPU time of this process)."""

    def __init__(self, inner: AbrPolicy) -> None:
        self.inner = inner
        self.name = inner.name
        self.seconds: list[float] = []

    def choose(self, ctx: AbrContext) -> Decision:
        t0 = time.process_time()
        decision = self.inner.choose(ctx)
        self.seconds.append(time.process_time() - t0)
        return decision

    def abandon(self, ctx: AbrContext, flight: InFlight) -> Decision | None:
        return self.inner.abandon(ctx, flight)


def decision_cost(traces: tuple[Trace, ...]) -> dict[str, dict[str, float]]:
    """Per policy: mean, 99th percentile and largest CPU ms per decision over
    every segment of ``traces``."""
    video = make_video()
    out = {}
    for name, make in POLICIES.items():
        seconds: list[float] = []
        for trace in traces:
            timed = _Timed(make())
            simulate(timed, trace, video)
            seconds += timed.seconds
        seconds.sort()
        out[name] = {
            "decisions": float(len(seconds)),
            "mean_ms": 1000 * sum(seconds) / len(seconds),
            "p99_ms": 1000 * seconds[int(0.99 * (len(seconds) - 1))],
            "max_ms": 1000 * seconds[-1],
        }
    return out


def cost_table(traces: tuple[Trace, ...]) -> None:
    print(f"{'CPU per decision':<24}{'decisions':>10}{'mean ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for name, c in decision_cost(traces).items():
        print(
            f"{name:<24}{c['decisions']:>10.0f}{c['mean_ms']:>10.3f}"
            f"{c['p99_ms']:>10.3f}{c['max_ms']:>10.3f}"
        )


def family_table(results: dict[str, dict[str, object]], untuned: tuple[str, ...]) -> None:
    """One line per family: % of optimum, rebuffer s, switches/min per policy."""
    names = list(POLICIES)
    width = max(26, *(len(t) + 2 for t in results))
    head = f"{'family':<{width}}{'optimum':>18}" + "".join(f"{n:>26}" for n in names)
    print(head)
    print(f"{'':<{width}}{'reb s  sw/min':>18}" + f"{'%opt  reb s  sw/min':>26}" * len(names))
    print("-" * len(head))
    for title, out in results.items():
        policies = out["policies"]
        assert isinstance(policies, dict)
        opt_reb, opt_sw = out["optimal_rebuffer_s"], out["optimal_switches_per_min"]
        assert isinstance(opt_reb, float) and isinstance(opt_sw, float)
        cells = "".join(
            f"{policies[n]['percent_of_optimal']:>12.1f}%"
            f"{policies[n]['rebuffer_s']:>7.1f}{policies[n]['switches_per_min']:>7.2f}"
            for n in names
        )
        mark = "*" if title in untuned else " "
        print(f"{mark}{title:<{width - 1}}{opt_reb:>11.1f}{opt_sw:>7.2f}{cells}")
    print("* not tuned on; target >= 90 % of the optimum for the default (mpc)")


def breakdown_table(results: dict[str, dict[str, object]]) -> None:
    """Each policy's shortfall from the optimum, split by QoE term (points of
    the optimum; negative: the policy did better than the optimum on that
    term, paid for on another)."""
    names = list(POLICIES)
    width = max(26, *(len(t) + 2 for t in results))
    print(f"\n{'shortfall (points)':<{width}}" + "".join(f"{n:>26}" for n in names))
    print(f"{'':<{width}}" + f"{'bitrate rebuf switch':>26}" * len(names))
    for title, out in results.items():
        policies = out["policies"]
        assert isinstance(policies, dict)
        cells = "".join(
            f"{policies[n]['loss_points']['bitrate']:>12.1f}"
            f"{policies[n]['loss_points']['rebuffer']:>7.1f}"
            f"{policies[n]['loss_points']['switching']:>7.1f}"
            for n in names
        )
        print(f"{title:<{width}}{cells}")
    print(
        "\nbeside Σ QoE / Σ optimum (%opt): the same over the traces whose optimum"
        " is positive (%opt+), bitrate reward over the optimum's (bitr), stall s"
    )
    print(f"{'':<{width}}" + f"{'%opt  %opt+  bitr   stall':>26}" * len(names))
    for title, out in results.items():
        policies = out["policies"]
        assert isinstance(policies, dict)
        cells = ""
        for n in names:
            p = policies[n]
            plus = p["percent_positive_optimum"]
            cells += (
                f"{p['percent_of_optimal']:>8.1f}{'-' if plus is None else f'{plus:.1f}':>7}"
                f"{p['bitrate_ratio']:>6.2f}{p['rebuffer_s']:>5.0f}"
            )
        print(f"{title:<{width}}{cells}")


def table(out: dict[str, object]) -> None:
    policies = out["policies"]
    assert isinstance(policies, dict)
    names = list(policies)
    print(f"{'trace':<20}{'optimal':>9}" + "".join(f"{n:>20}" for n in names))
    optimal = out["optimal"]
    assert isinstance(optimal, dict)
    for trace, opt in optimal.items():
        cells = "".join(f"{policies[n]['per_trace'][trace]['percent']:>19.1f}%" for n in names)
        print(f"{trace:<20}{opt:>9.1f}{cells}")
    print("-" * (27 + 20 * len(names)))
    print(
        f"{'% of optimal':<29}"
        + "".join(f"{policies[n]['percent_of_optimal']:>19.1f}%" for n in names)
    )
    print(
        f"{'mean of trace %':<29}"
        + "".join(f"{policies[n]['mean_trace_percent']:>19.1f}%" for n in names)
    )
    print(
        f"{'worst trace %':<29}"
        + "".join(f"{policies[n]['worst_trace_percent']:>19.1f}%" for n in names)
    )
    print(
        f"{'rebuffer ratio':<29}"
        + "".join(f"{100 * policies[n]['rebuffer_ratio']:>19.2f}%" for n in names)
    )
    print(f"{'switches':<29}" + "".join(f"{policies[n]['switches']:>20}" for n in names))


if __name__ == "__main__":
    raise SystemExit(main())
