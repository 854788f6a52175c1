"""BOLA (Spiteri, Urgaonkar, Sitaraman, INFOCOM 2016): buffer-based choice by
Lyapunov optimisation. Each segment picks argmax_m (V·(v_m + γp) − Q) / S_m,
with utilities v_m = ln(S_m / S_1) and Q the buffer level, so no bandwidth
prediction is needed. V and γp follow from two buffer levels as in dash.js's
BOLA: the lowest rung below ``min_buffer`` s, the top rung from the target.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .policy import AbrContext, Decision, InFlight, abandon_check

__all__ = ["Bola", "bola_parameters"]


def bola_parameters(
    bitrates: tuple[float, ...], min_buffer: float, buffer_target: float
) -> tuple[list[float], float, float]:
    """(utilities, V, gp) for a ladder. Utilities are ln-bitrate shifted so the
    lowest rung is 1."""
    base = bitrates[0]
    utilities = [math.log(b / base) + 1.0 for b in bitrates]
    top = utilities[-1]
    target = max(buffer_target, min_buffer * 1.5)
    gp = (top - 1.0) / (target / min_buffer - 1.0) if top > 1.0 else 1.0
    v = min_buffer / gp
    return utilities, v, gp


@dataclass
class Bola:
    min_buffer: float = 10.0
    #: dash.js: max(stable buffer, 10 + 2 x levels); we pass our own target
    buffer_target: float | None = None
    name: str = "bola"
    use_abandon: bool = False

    def target_for(self, ctx: AbrContext) -> float:
        if self.buffer_target is not None:
            return self.buffer_target
        return min(ctx.buffer_target * 0.8, self.min_buffer + 2.0 * len(ctx.bitrates))

    def scores(self, ctx: AbrContext) -> list[float]:
        utilities, v, gp = bola_parameters(ctx.bitrates, self.min_buffer, self.target_for(ctx))
        return [
            (v * (u + gp) - ctx.buffer) / b for u, b in zip(utilities, ctx.bitrates, strict=True)
        ]

    def choose(self, ctx: AbrContext) -> Decision:
        scores = self.scores(ctx)[: ctx.top + 1]
        best = max(range(len(scores)), key=lambda i: scores[i])
        return Decision(best, self.name, f"buffer {ctx.buffer:.1f}s maximises BOLA utility")

    def abandon(self, ctx: AbrContext, flight: InFlight) -> Decision | None:
        return abandon_check(ctx, flight) if self.use_abandon else None
