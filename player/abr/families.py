"""Trace families the default policy was *not* tuned on (issue 10), grouped so
the benchmark reports each family on its own.

- ``constant-between-rungs``: constant links at 1.0, 1.1 and 1.2 x each rung
  below the top (a link between two rungs, where the buffer has a surplus).
- ``long-ramps``: bandwidth sliding over minutes (6 -> 0.3 Mb/s and back).
- ``early-outages``: a 10-20 s outage within the first minute, before a
  large buffer can be built.
- ``square-wave``: on/off links at periods and levels unlike the tuned set.
- ``3g``: HSDPA-like logs, **synthesised** (no measured logs are bundled): a
  four-state Markov chain (good, fair, poor, tunnel) with state dwell times
  of seconds to tens of seconds, log-normal per-second noise within a state,
  one value a second, means 0.8-2.5 Mb/s as in the Norway commute logs
  Pensieve used (bus, tram, ferry: frequent deep fades, short outages).
- ``lte``: LTE-like logs, **synthesised** likewise with higher levels
  (2-12 Mb/s), faster fades and handover dips of about a second.

Deterministic: every random trace has its own seeded generator. The seeds
were fixed before any policy was run on them; ``families(seed)`` draws other
ones, so a result that only fits these traces shows up.

``tuning_families()`` is the split rules may be tuned on: the same generators
at ``TUNING_SEED``, and constant links at 1.05 and 1.15 x the rungs from
0.75 to 2.85 Mb/s (the constant family itself has no seed). ``FAMILIES``
stays the evaluation.
"""

from __future__ import annotations

import math
import random

from .simulator import PENSIEVE_LADDER
from .traces import Trace, constant_trace

__all__ = [
    "FAMILIES",
    "FAMILY_SEED",
    "POOLED_SEEDS",
    "TUNING_SEED",
    "families",
    "pooled_families",
    "tuning_families",
]

M = 1e6


def _constant_between_rungs(
    factors: tuple[float, ...] = (1.0, 1.1, 1.2), rungs: tuple[float, ...] = PENSIEVE_LADDER[:-1]
) -> tuple[Trace, ...]:
    out = []
    for rung in rungs:
        for f in factors:
            out.append(constant_trace(rung * f, 320.0, f"const-{rung / 1e6:g}Mx{f:g}"))
    return tuple(out)


def _ramp(name: str, start: float, end: float, seconds: float, step: float = 5.0) -> Trace:
    n = int(seconds / step)
    pts = tuple((step, (start + (end - start) * i / (n - 1)) * M) for i in range(n))
    return Trace(name, pts)


def _long_ramps(rng: random.Random) -> tuple[Trace, ...]:
    top = rng.uniform(5.0, 7.0)
    return (
        _ramp("ramp-6-0.3", 6.0, 0.3, 300.0),
        _ramp("ramp-0.3-6", 0.3, 6.0, 300.0),
        Trace(
            "ramp-down-up",
            _ramp("down", 4.5, 0.4, 160.0).points + _ramp("up", 0.4, 4.5, 160.0).points,
        ),
        _ramp(f"ramp-{top:.1f}-0.5", top, 0.5, 240.0, 10.0),
    )


def _early_outages(rng: random.Random) -> tuple[Trace, ...]:
    out = []
    for i, (at, gap) in enumerate(((30.0, 20.0), (15.0, 10.0), (45.0, 15.0), (20.0, 20.0))):
        level = rng.uniform(2.0, 4.5)
        out.append(
            Trace(
                f"outage-{gap:g}s-at-{at:g}s-{i}",
                ((at, level * M), (gap, 0.0), (320.0 - at - gap, level * M)),
            )
        )
    return tuple(out)


def _square_waves(rng: random.Random) -> tuple[Trace, ...]:
    out = []
    for i in range(4):
        half = rng.uniform(6.0, 25.0)
        hi, lo = rng.uniform(2.0, 5.0), rng.uniform(0.4, 1.6)
        n = int(320 / (2 * half)) + 1
        out.append(Trace(f"square-{half:.0f}s-{i}", ((half, hi * M), (half, lo * M)) * n))
    return tuple(out)


def _markov(
    name: str,
    rng: random.Random,
    mean: float,
    levels: tuple[float, ...],
    dwell: tuple[float, ...],
    sigma: float,
    seconds: int = 320,
    dips: float = 0.0,
) -> Trace:
    """A state per ``levels`` (fractions of ``mean``), each held for an
    exponential time of mean ``dwell`` s, log-normal noise of ``sigma`` per
    second within a state, and short handover dips at rate ``dips`` per s."""
    pts: list[tuple[float, float]] = []
    state = rng.randrange(len(levels))
    left = rng.expovariate(1.0 / dwell[state])
    noise = 0.0
    for _ in range(seconds):
        if left <= 0:
            # mostly to a neighbouring state: fades come and go gradually
            step = rng.choice((-1, 1)) if rng.random() < 0.8 else rng.randrange(-2, 3)
            state = max(0, min(len(levels) - 1, state + step))
            left = rng.expovariate(1.0 / dwell[state])
        left -= 1.0
        noise = 0.6 * noise + rng.gauss(0.0, sigma)
        bw = mean * levels[state] * math.exp(noise)
        if dips and rng.random() < dips:
            bw *= 0.05
        pts.append((1.0, max(bw, 0.0)))
    if sum(b for _, b in pts) <= 0:
        pts[0] = (1.0, mean)
    return Trace(name, tuple(pts))


def _three_g(rng: random.Random) -> tuple[Trace, ...]:
    return tuple(
        _markov(
            f"3g-{i}",
            rng,
            rng.uniform(0.8, 2.5) * M,
            levels=(1.8, 1.0, 0.45, 0.05),
            dwell=(25.0, 20.0, 10.0, 4.0),
            sigma=0.3,
        )
        for i in range(5)
    )


def _lte(rng: random.Random) -> tuple[Trace, ...]:
    return tuple(
        _markov(
            f"lte-{i}",
            rng,
            rng.uniform(2.0, 8.0) * M,
            levels=(1.6, 1.0, 0.5, 0.2),
            dwell=(20.0, 15.0, 8.0, 4.0),
            sigma=0.35,
            dips=0.02,
        )
        for i in range(5)
    )


FAMILY_SEED = 1010


def families(seed: int = FAMILY_SEED) -> dict[str, tuple[Trace, ...]]:
    rng = random.Random(seed)
    return {
        "constant-between-rungs": _constant_between_rungs(),
        "long-ramps": _long_ramps(rng),
        "early-outages": _early_outages(rng),
        "square-wave": _square_waves(rng),
        "3g (synthesised)": _three_g(rng),
        "lte (synthesised)": _lte(rng),
    }


TUNING_SEED = 2020


def tuning_families(seeds: int = 1) -> dict[str, tuple[Trace, ...]]:
    """The tuning split: never the evaluation's traces (see the module's doc).

    ``seeds`` > 1 pools the random families drawn at ``TUNING_SEED`` and the
    seeds after it (trace names get ``@seed``): five traces a family swing by
    several points on one trace's luck, so a rule is judged on more of them."""
    out = families(TUNING_SEED)
    for seed in range(TUNING_SEED + 1, TUNING_SEED + max(seeds, 1)):
        for family, traces in families(seed).items():
            if family != "constant-between-rungs":  # not random: the same traces
                out[family] += tuple(Trace(f"{t.name}@{seed}", t.points) for t in traces)
    # the 0.3 Mb/s rung left out: links that cannot carry even it through a
    # hard scene make every policy stall, and would swamp the tuning
    out["constant-between-rungs"] = _constant_between_rungs((1.05, 1.15), PENSIEVE_LADDER[1:-1])
    return out


FAMILIES = families()

#: seeds pooled for the evaluation's gates (``pooled_families``)
POOLED_SEEDS = 5


def pooled_families(seeds: int = POOLED_SEEDS) -> dict[str, tuple[Trace, ...]]:
    """The evaluation pooled over ``seeds`` seeds from ``FAMILY_SEED`` on
    (the tuning split's seeds never among them): 20-25 traces a random
    family instead of 4-5, so a gate is not one trace's luck (3G read 73.6 %
    at the evaluation's seed and 33 % pooled over 25 traces). A trace the
    seeds draw alike (the fixed ramps, the constant links) is kept once;
    the others after the first seed's are named ``@seed``."""
    out = {family: list(traces) for family, traces in families(FAMILY_SEED).items()}
    for seed in range(FAMILY_SEED + 1, FAMILY_SEED + max(seeds, 1)):
        assert not TUNING_SEED <= seed < TUNING_SEED + 100, "a tuning seed in the evaluation"
        for family, traces in families(seed).items():
            known = {t.points for t in out[family]}
            out[family] += [
                Trace(f"{t.name}@{seed}", t.points) for t in traces if t.points not in known
            ]
    return {family: tuple(traces) for family, traces in out.items()}
