"""Trace-driven ABR simulator with a fake clock (Pensieve's model): a VOD of
``n`` chunks, each downloaded through a throughput trace after one RTT, a
playback buffer capped at ``buffer_cap`` seconds (the loader waits when full).

QoE_lin = Σ bitrate (Mb/s) − 4.3 × rebuffer seconds − Σ |bitrate change|
(Mb/s), the first chunk's download counted as rebuffering (startup).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .estimator import BandwidthEstimator, EstimatorConfig
from .policy import AbrContext, AbrPolicy, InFlight
from .traces import Link, Trace

__all__ = [
    "PENSIEVE_LADDER",
    "ChunkLog",
    "SimConfig",
    "SimResult",
    "Video",
    "make_video",
    "qoe_lin",
    "simulate",
]

PENSIEVE_LADDER = (300_000.0, 750_000.0, 1_200_000.0, 1_850_000.0, 2_850_000.0, 4_300_000.0)


@dataclass(frozen=True)
class Video:
    bitrates: tuple[float, ...]
    segment_duration: float
    #: sizes[k][r]: bytes of chunk k at rung r
    sizes: tuple[tuple[int, ...], ...]

    @property
    def chunks(self) -> int:
        return len(self.sizes)


def make_video(
    bitrates: Sequence[float] = PENSIEVE_LADDER,
    segment_duration: float = 4.0,
    chunks: int = 48,
    vbr: float = 0.1,
    seed: int = 7,
) -> Video:
    """Chunk sizes = bitrate x duration, varied ±``vbr`` per chunk (the same
    scene complexity for every rung, as an encoder would)."""
    rng = random.Random(seed)
    sizes = []
    for _ in range(chunks):
        f = 1.0 + vbr * (2 * rng.random() - 1)
        sizes.append(tuple(int(b * segment_duration / 8 * f) for b in bitrates))
    return Video(tuple(bitrates), segment_duration, tuple(sizes))


@dataclass(frozen=True)
class SimConfig:
    rtt: float = 0.08
    buffer_cap: float = 30.0
    rebuffer_penalty: float = 4.3
    smooth_penalty: float = 1.0
    abandon_interval: float = 0.1
    estimator: EstimatorConfig = field(default_factory=EstimatorConfig)


@dataclass(frozen=True)
class ChunkLog:
    index: int
    rung: int
    start: float
    download: float
    rebuffer: float
    buffer: float
    estimate_bps: float
    rule: str
    reason: str
    abandoned_from: int | None = None


@dataclass(frozen=True)
class SimResult:
    policy: str
    trace: str
    qoe: float
    bitrate_reward: float
    rebuffer: float
    smoothness: float
    rebuffer_ratio: float
    switches: int
    switch_times: tuple[float, ...]
    chunks: tuple[ChunkLog, ...]

    @property
    def mean_bitrate(self) -> float:
        return self.bitrate_reward / max(len(self.chunks), 1)


def qoe_lin(
    rungs: Sequence[int],
    bitrates: Sequence[float],
    rebuffer: float,
    mu: float = 4.3,
    lam: float = 1.0,
) -> tuple[float, float, float]:
    """(QoE, bitrate reward, smoothness penalty) with bitrates in Mb/s."""
    q = [bitrates[r] / 1e6 for r in rungs]
    reward = sum(q)
    smooth = sum(abs(a - b) for a, b in zip(q[1:], q[:-1], strict=False))
    return reward - mu * rebuffer - lam * smooth, reward, smooth


def simulate(
    policy: AbrPolicy,
    trace: Trace,
    video: Video,
    config: SimConfig | None = None,
    *,
    max_index: Callable[[float], int | None] | None = None,
) -> SimResult:
    cfg = config or SimConfig()
    link = Link(trace)
    meter = BandwidthEstimator(cfg.estimator)
    t = 0.0
    buffer = 0.0
    current: int | None = None
    rungs: list[int] = []
    logs: list[ChunkLog] = []
    total_rebuffer = 0.0
    switch_times: list[float] = []
    L = video.segment_duration

    def context(buf: float, now: float, cur: int | None) -> AbrContext:
        return AbrContext(
            bitrates=video.bitrates,
            current=cur,
            buffer=buf,
            segment_duration=L,
            estimate_bps=meter.estimate_bps(),
            ttfb=meter.ttfb() if meter.sample_count else cfg.rtt,
            max_index=max_index(now) if max_index else None,
            buffer_target=cfg.buffer_cap,
            samples=meter.sample_count,
            now=now,
            mean_bps=max(meter.fast_bps(), meter.slow_bps()),
            recent_bps=meter.recent(),
        )

    for k in range(video.chunks):
        ctx = context(buffer, t, current)
        decision = policy.choose(ctx)
        rung = max(0, min(decision.index, len(video.bitrates) - 1))
        start = t
        rebuf = 0.0
        abandoned_from = None
        size = video.sizes[k][rung]
        first = t + cfg.rtt
        end = link.time_to_send(first, size * 8)
        check = first + cfg.abandon_interval
        while check < end and abandoned_from is None:
            done = int(link.bits_between(first, check) / 8)
            flight = InFlight(rung, done, size, check - t)
            alt = policy.abandon(context(buffer, check, current), flight)
            if alt is not None and alt.index < rung:
                meter.add_sample(done, check - first, cfg.rtt)
                elapsed = check - t
                rebuf += max(elapsed - buffer, 0.0)
                buffer = max(buffer - elapsed, 0.0)
                abandoned_from = rung
                rung, decision = alt.index, alt
                t = check
                size = video.sizes[k][rung]
                first = t + cfg.rtt
                end = link.time_to_send(first, size * 8)
                break
            check += cfg.abandon_interval
        d = end - t
        rebuf += max(d - buffer, 0.0)
        buffer = max(buffer - d, 0.0) + L
        t = end
        meter.add_sample(size, end - first, cfg.rtt)
        if current is not None and rung != current:
            switch_times.append(start)
        current = rung
        rungs.append(rung)
        total_rebuffer += rebuf
        logs.append(
            ChunkLog(
                k,
                rung,
                start,
                end - start,
                rebuf,
                buffer,
                meter.estimate_bps(),
                decision.rule,
                decision.reason,
                abandoned_from,
            )
        )
        if buffer > cfg.buffer_cap:
            t += buffer - cfg.buffer_cap
            buffer = cfg.buffer_cap
    qoe, reward, smooth = qoe_lin(
        rungs, video.bitrates, total_rebuffer, cfg.rebuffer_penalty, cfg.smooth_penalty
    )
    played = video.chunks * L
    return SimResult(
        policy=getattr(policy, "name", type(policy).__name__),
        trace=trace.name,
        qoe=qoe,
        bitrate_reward=reward,
        rebuffer=total_rebuffer,
        smoothness=smooth,
        rebuffer_ratio=total_rebuffer / (played + total_rebuffer),
        switches=len(switch_times),
        switch_times=tuple(switch_times),
        chunks=tuple(logs),
    )
