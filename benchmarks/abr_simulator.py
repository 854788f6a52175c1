"""Each ABR policy's QoE as a percent of the offline optimum, on the bundled
traces (which the default policy was tuned on), on held-out traces (which it
never saw) and on fresh ones (the same families with every level, time and
period drawn at random from a seed: ``--seed`` draws another family).

    .venv/bin/python -m benchmarks.abr_simulator [--json] [--seed N]

QoE_lin (Pensieve): Σ bitrate (Mb/s) − 4.3 × rebuffer s − Σ |Δ bitrate|; ladder
300–4300 kb/s, 4 s segments, 48 segments, 30 s buffer. The headline figure is
Σ QoE_policy / Σ QoE_optimal over the set: a trace's negative QoE counts in
full (clipping it at zero would hide a stalling policy), and no trace with a
small optimum can blow up the figure as it would in a mean of ratios. That
weighs traces by their optimum, so the mean of per-trace percents and the
worst trace are printed beside it. About a minute: the offline
optimum is a dynamic programme per trace.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from player.abr.bola import Bola
from player.abr.hybrid import HybridPolicy
from player.abr.optimal import optimal_qoe
from player.abr.policy import AbrPolicy
from player.abr.simulator import SimResult, make_video, simulate
from player.abr.throughput import ThroughputRule
from player.abr.traces import BUNDLED_TRACES, HELDOUT_TRACES, Trace, fresh_traces

POLICIES: dict[str, Callable[[], AbrPolicy]] = {
    "hybrid (default)": HybridPolicy,
    "throughput-only": ThroughputRule,
    "bola-only": Bola,
}


def run(traces: tuple[Trace, ...] = BUNDLED_TRACES) -> dict[str, object]:
    video = make_video()
    optimal = {t.name: optimal_qoe(t, video).qoe for t in traces}
    results: dict[str, list[SimResult]] = {
        name: [simulate(make(), t, video) for t in traces] for name, make in POLICIES.items()
    }
    total_opt = sum(optimal.values())
    summary: dict[str, object] = {}
    for name, rs in results.items():
        percents = [100 * r.qoe / optimal[r.trace] for r in rs]
        summary[name] = {
            "percent_of_optimal": 100 * sum(r.qoe for r in rs) / total_opt,
            # every optimum here is positive; a mean of ratios is meaningless otherwise
            "mean_trace_percent": sum(percents) / len(percents),
            "worst_trace_percent": min(percents),
            "rebuffer_ratio": sum(r.rebuffer for r in rs)
            / sum(r.rebuffer + video.chunks * video.segment_duration for r in rs),
            "switches": sum(r.switches for r in rs),
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
    return {"optimal": optimal, "policies": summary}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument(
        "--seed", type=int, default=None, help="seed of the fresh traces (fresh_traces' default)"
    )
    args = parser.parse_args(argv)
    fresh = fresh_traces() if args.seed is None else fresh_traces(args.seed)
    results = {
        "bundled": run(BUNDLED_TRACES),
        "held-out": run(HELDOUT_TRACES),
        "fresh": run(fresh),
    }
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
        return 0
    for title, out in results.items():
        print(f"== {title} traces")
        table(out)
        print()
    return 0


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
