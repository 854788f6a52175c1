"""The throughput rule: the highest rung the measured bandwidth sustains,
with a safety factor (dash.js 0.9, hls.js 0.95 to hold / 0.7 to climb)."""

from __future__ import annotations

from dataclasses import dataclass

from .policy import AbrContext, Decision, InFlight, abandon_check, highest_below

__all__ = ["ThroughputRule"]


@dataclass
class ThroughputRule:
    safety: float = 0.9
    name: str = "throughput"
    use_abandon: bool = False

    def choose(self, ctx: AbrContext) -> Decision:
        limit = ctx.estimate_bps * self.safety
        i = highest_below(ctx.bitrates, limit, ctx.top)
        return Decision(
            i, self.name, f"{ctx.bitrates[i] / 1e6:.2f} Mb/s <= {self.safety:g} x estimate"
        )

    def abandon(self, ctx: AbrContext, flight: InFlight) -> Decision | None:
        return abandon_check(ctx, flight) if self.use_abandon else None
