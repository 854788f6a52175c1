"""Model-predictive ABR (RobustMPC in spirit: Yin et al., SIGCOMM 2015).

Each decision plans the next ``horizon`` segments: it predicts the link as
the harmonic mean of the last ``samples`` downloads, divided by one plus
the largest relative error its own past predictions made over the last
``samples`` decisions (a link that fooled it recently is trusted less),
simulates the buffer under every rung sequence, and takes the first rung of
the sequence that maximises the very QoE the benchmark scores:
Σ bitrate (Mb/s) − ``rebuffer_penalty`` × stall s − ``switch_penalty`` ×
Σ |Δ bitrate| (Mb/s).

The search is a dynamic programme, not an enumeration: rungs within
``reach`` of the current one, and after each step only the plans that no
other plan ending on the same rung beats on both buffer and QoE (a Pareto
front, at most ``front`` kept a rung). That is 5 x 5 x ``front`` plan
extensions a step, well under 2 ms a decision in Python (``mpc_cost`` in
``benchmarks/abr_simulator`` measures it).

A segment's size is its rung's nominal size times the last segments' size
over nominal (``AbrContext.size_ratio``, what the driver knows of the
scenes); the download adds the measured time to first byte. The plan never
looks past the end of a VOD (``remaining``), and, since a horizon of a few
segments does not see the stall a drained buffer sets up beyond it, every
plan's final buffer must keep ``reserve`` s (scaled down for a small buffer
target, so live plays with what it has) or pay the stall penalty for what
it lacks.

Before the link is measured the lowest rung is fetched (``startup``), as the
hybrid does; abandonment is the shared rule at the transfer's recent rate.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from .hybrid import harmonic_mean
from .policy import AbrContext, Decision, InFlight, abandon_check

__all__ = ["MpcPolicy", "Plan"]


@dataclass(frozen=True)
class Plan:
    """The best plan found: its first rung, QoE over the horizon, and the
    throughput it was predicted at (bit/s)."""

    index: int
    qoe: float
    predicted_bps: float
    steps: int


@dataclass
class MpcPolicy:
    horizon: int = 5
    #: throughput samples behind the prediction, and past errors kept
    samples: int = 5
    #: rungs considered on either side of the current one
    reach: int = 2
    rebuffer_penalty: float = 4.3
    switch_penalty: float = 1.0
    #: seconds of buffer a plan must end with, for a 30 s buffer target
    reserve: float = 8.0
    #: the buffer target ``reserve`` is meant for
    reference_buffer: float = 30.0
    #: plans kept per rung after each step (the Pareto front, thinned)
    front: int = 6
    abandon_recent: bool = True
    name: str = "mpc"
    _errors: deque[float] = field(default_factory=lambda: deque(maxlen=5), init=False, repr=False)
    _predicted: float | None = field(default=None, init=False, repr=False)
    _seen: int = field(default=0, init=False, repr=False)

    def _learn(self, ctx: AbrContext) -> None:
        """The last prediction against what the download since then got."""
        if self._predicted is not None and ctx.samples > self._seen and ctx.recent_bps:
            actual = ctx.recent_bps[-1]
            if actual > 0:
                self._errors.append(abs(self._predicted - actual) / actual)
        self._seen = ctx.samples

    def prediction(self, ctx: AbrContext) -> tuple[float, float]:
        """(discounted throughput, the plain harmonic mean) in bit/s."""
        recent = ctx.recent_bps[-self.samples :] or (ctx.estimate_bps,)
        plain = harmonic_mean(recent) or ctx.estimate_bps
        error = max(list(self._errors)[-self.samples :], default=0.0)
        return plain / (1.0 + error), plain

    def plan(self, ctx: AbrContext, bps: float) -> Plan:
        cur = ctx.current if ctx.current is not None else 0
        top = ctx.top
        cur = min(cur, len(ctx.bitrates) - 1)
        low, high = max(0, min(cur, top) - self.reach), min(top, cur + self.reach)
        rungs = range(low, high + 1)
        length = ctx.segment_duration
        steps = self.horizon
        if ctx.remaining is not None and not ctx.live:
            steps = max(1, min(steps, 1 + round(ctx.remaining / max(length, 1e-3))))
        q = [b / 1e6 for b in ctx.bitrates]
        ratio = max(ctx.size_ratio, 0.1)
        rate = max(bps, 1.0)
        fetch = {r: ctx.ttfb + ctx.bitrates[r] * length * ratio / rate for r in rungs}
        cap = max(ctx.buffer_target, length)
        mu, lam = self.rebuffer_penalty, self.switch_penalty
        scale = min(1.0, max(ctx.buffer_target, 1.0) / self.reference_buffer)
        # (buffer, qoe, first rung) per last rung
        fronts: dict[int, list[tuple[float, float, int]]] = {cur: [(ctx.buffer, 0.0, -1)]}
        for _ in range(steps):
            grown: dict[int, list[tuple[float, float, int]]] = {}
            for prev, plans in fronts.items():
                for r in rungs:
                    d = fetch[r]
                    gain = q[r] - lam * abs(q[r] - q[prev])
                    out = grown.setdefault(r, [])
                    for b, qoe, first in plans:
                        stall = d - b if d > b else 0.0
                        b2 = (b - d if b > d else 0.0) + length
                        out.append((b2 if b2 < cap else cap, qoe + gain - mu * stall, first))
                        if first < 0:
                            out[-1] = (out[-1][0], out[-1][1], r)
            fronts = {r: self._pareto(plans) for r, plans in grown.items()}
        reserve = min(self.reserve * scale, cap)
        best: tuple[float, int] | None = None
        for plans in fronts.values():
            for b, qoe, first in plans:
                score = qoe - mu * max(reserve - b, 0.0)
                if best is None or score > best[0] + 1e-9:
                    best = (score, first)
        assert best is not None
        return Plan(best[1], best[0], bps, steps)

    def _pareto(
        self, plans: list[tuple[float, float, int]]
    ) -> list[tuple[float, float, int]]:
        plans.sort(key=lambda p: (-p[0], -p[1]))
        kept: list[tuple[float, float, int]] = []
        for p in plans:
            if not kept or p[1] > kept[-1][1] + 1e-9:
                kept.append(p)
        if len(kept) > self.front:
            # thin evenly, keeping the richest buffer and the best QoE
            step = (len(kept) - 1) / (self.front - 1)
            kept = [kept[round(i * step)] for i in range(self.front)]
        return kept

    def choose(self, ctx: AbrContext) -> Decision:
        if ctx.current is None or ctx.samples == 0:
            self._errors.clear()
            self._predicted = None
            self._seen = ctx.samples
            return Decision(0, "startup", "lowest rung until the link is measured")
        self._learn(ctx)
        bps, plain = self.prediction(ctx)
        self._predicted = plain
        plan = self.plan(ctx, bps)
        why = (
            f"{plan.steps} segments at {bps / 1e6:.2f} Mb/s "
            f"(mean {plain / 1e6:.2f} / {plain / max(bps, 1.0):.2f}), "
            f"buffer {ctx.buffer:.1f}s: QoE {plan.qoe:.1f}"
        )
        rule = "mpc" if plan.index == ctx.current else ("mpc-up" if plan.index > ctx.current else "mpc-down")
        return Decision(plan.index, rule, why)

    def abandon(self, ctx: AbrContext, flight: InFlight) -> Decision | None:
        return abandon_check(ctx, flight, recent=self.abandon_recent)
