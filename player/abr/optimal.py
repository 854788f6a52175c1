"""The offline-optimal QoE for a trace, by dynamic programming (the method of
Pensieve's dp.cc, described in the literature; written from scratch here).

The trace is known in advance, so we search over every rung sequence: state
after chunk k = (download clock t, buffer b, last rung r) with its best QoE.
States are merged on a grid (``dt`` x ``db``) keeping the best reward, and
per (rung, time cell) only the Pareto front over (buffer, reward) is kept.
The model is exactly the simulator's (same per-request RTT, payload share,
segment sizes, buffer cap, QoE), without
abandonment, which an omniscient planner never needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .simulator import SimConfig, Video, request_rtt
from .traces import Link, Trace

__all__ = ["OptimalResult", "optimal_qoe"]


@dataclass(frozen=True)
class OptimalResult:
    qoe: float
    rungs: tuple[int, ...]
    rebuffer: float


def optimal_qoe(
    trace: Trace,
    video: Video,
    config: SimConfig | None = None,
    *,
    dt: float = 0.05,
    db: float = 0.1,
) -> OptimalResult:
    cfg = config or SimConfig()
    link = Link(trace)
    L = video.segment_duration
    q = [b / 1e6 for b in video.bitrates]
    n_rungs = len(q)
    mu, lam = cfg.rebuffer_penalty, cfg.smooth_penalty
    # state: (reward, t, b, rebuffer, path as a linked tuple)
    State = tuple[float, float, float, float, Any]
    states: dict[tuple[int, int, int], State] = {}
    start: list[tuple[int, State]] = [(-1, (0.0, 0.0, 0.0, 0.0, None))]
    frontier: list[tuple[int, State]] = start
    for k in range(video.chunks):
        states = {}
        sizes = video.sizes[k]
        rtt = request_rtt(cfg, k)
        cache: dict[tuple[float, int], float] = {}
        for prev, (reward, t, b, reb, path) in frontier:
            for r in range(n_rungs):
                key_t = (t, r)
                end = cache.get(key_t)
                if end is None:
                    end = link.time_to_send(t + rtt, sizes[r] * 8 / cfg.payload)
                    cache[key_t] = end
                d = end - t
                rebuf = d - b if d > b else 0.0
                b2 = (b - d if b > d else 0.0) + L
                t2 = end
                if b2 > cfg.buffer_cap:
                    t2 += b2 - cfg.buffer_cap
                    b2 = cfg.buffer_cap
                gain = q[r] - mu * rebuf - (lam * abs(q[r] - q[prev]) if prev >= 0 else 0.0)
                r2 = reward + gain
                cell = (r, round(t2 / dt), round(b2 / db))
                old = states.get(cell)
                if old is None or r2 > old[0]:
                    states[cell] = (r2, t2, b2, reb + rebuf, (r, path))
        # Pareto front per (rung, time cell): more buffer must mean less reward
        by_rt: dict[tuple[int, int], list[tuple[int, State]]] = {}
        for (r, tq, _bq), st in states.items():
            by_rt.setdefault((r, tq), []).append((r, st))
        frontier = []
        for group in by_rt.values():
            group.sort(key=lambda x: -x[1][2])
            best = float("-inf")
            for item in group:
                if item[1][0] > best:
                    best = item[1][0]
                    frontier.append(item)
        # drop states beaten by one with the same rung, earlier t, more buffer, more reward
        frontier = _prune(frontier)
    best_state = max(frontier, key=lambda x: x[1][0])[1]
    rungs: list[int] = []
    node = best_state[4]
    while node is not None:
        rungs.append(int(node[0]))
        node = node[1]
    rungs.reverse()
    return OptimalResult(best_state[0], tuple(rungs), best_state[3])


def _prune(frontier: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
    by_rung: dict[int, list[tuple[int, Any]]] = {}
    for item in frontier:
        by_rung.setdefault(item[0], []).append(item)
    out = []
    for items in by_rung.values():
        items.sort(key=lambda x: (x[1][1], -x[1][2], -x[1][0]))
        kept: list[tuple[float, float]] = []  # (buffer, reward) of kept states, earlier t
        for item in items:
            _, (reward, _t, b, _reb, _p) = item
            if any(kb >= b and kr >= reward for kb, kr in kept):
                continue
            kept.append((b, reward))
            if len(kept) > 64:
                kept = kept[-64:]
            out.append(item)
    return out
