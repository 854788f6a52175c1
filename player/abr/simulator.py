"""Trace-driven ABR simulator with a fake clock (Pensieve's model): a VOD of
``n`` chunks, each downloaded through a throughput trace after one RTT, a
playback buffer capped at ``buffer_cap`` seconds (the loader waits when full).

Closer to a real link than Pensieve's model in four ways: each request has
its own RTT (``rtt`` varied by ``rtt_jitter``, the same for a chunk in every
run), segment sizes vary around the nominal bitrate as a real encode's do
(``segment_sizes.RELATIVE_SIZES``), the payload gets only ``payload`` of the
trace's throughput (headers, TCP), and an abandoned segment is requested
again from its first byte, after a new RTT.

The policy is driven through ``AbrDriver``, exactly as ``HlsSource`` drives
it: the same context, abandonment checks every ``abandon_interval`` s with
the live buffer, the same measurement of an abandoned transfer.

QoE_lin = Σ bitrate (Mb/s) − 4.3 × rebuffer seconds − Σ |bitrate change|
(Mb/s), the first chunk's download counted as rebuffering (startup).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .driver import AbrDriver, Inputs
from .estimator import BandwidthEstimator, EstimatorConfig
from .policy import AbrPolicy
from .segment_sizes import RELATIVE_SIZES
from .silences import DEAD_AFTER
from .traces import Link, Trace

__all__ = [
    "PENSIEVE_LADDER",
    "ChunkLog",
    "SimConfig",
    "SimResult",
    "Video",
    "make_video",
    "qoe_lin",
    "request_rtt",
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
    vbr: float | None = None,
    seed: int = 7,
) -> Video:
    """Chunk sizes = bitrate x duration x the relative size of a segment of a
    real encode (the same scene complexity for every rung, as an encoder
    would give), starting at a ``seed``-chosen segment of the table. With
    ``vbr`` set, uniform ±``vbr`` noise instead (Pensieve's model)."""
    rng = random.Random(seed)
    offset = rng.randrange(len(RELATIVE_SIZES))
    sizes = []
    for k in range(chunks):
        if vbr is None:
            f = RELATIVE_SIZES[(offset + k) % len(RELATIVE_SIZES)]
        else:
            f = 1.0 + vbr * (2 * rng.random() - 1)
        sizes.append(tuple(int(b * segment_duration / 8 * f) for b in bitrates))
    return Video(tuple(bitrates), segment_duration, tuple(sizes))


@dataclass(frozen=True)
class SimConfig:
    rtt: float = 0.08
    #: each request's RTT is rtt x (1 + rtt_jitter x u), u in [-0.5, 1.5)
    rtt_jitter: float = 0.5
    #: the share of the trace's throughput the payload gets
    payload: float = 0.95
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


def request_rtt(cfg: SimConfig, chunk: int) -> float:
    """The RTT of chunk ``chunk``'s requests: varied, but the same in every run
    (and for the offline optimum)."""
    u = random.Random(chunk * 7919 + 17).random() * 2.0 - 0.5
    return cfg.rtt * (1.0 + cfg.rtt_jitter * u)


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
    driver = AbrDriver(
        policy, BandwidthEstimator(cfg.estimator), check_interval=cfg.abandon_interval
    )
    meter = driver.meter
    t = 0.0
    buffer = 0.0
    current: int | None = None
    rungs: list[int] = []
    logs: list[ChunkLog] = []
    total_rebuffer = 0.0
    switch_times: list[float] = []
    L = video.segment_duration

    def inputs(buf: float, now: float, cur: int | None, k: int) -> Inputs:
        return Inputs(
            bitrates=video.bitrates,
            current=cur,
            buffer=buf,
            segment_duration=L,
            buffer_target=cfg.buffer_cap,
            max_index=max_index(now) if max_index else None,
            now=now,
            remaining=(video.chunks - k - 1) * L,
        )

    def finish_time(start: float, size: int) -> float:
        return link.time_to_send(start, size * 8 / cfg.payload)

    for k in range(video.chunks):
        decision = driver.choose(inputs(buffer, t, current, k))
        rung = max(0, min(decision.index, len(video.bitrates) - 1))
        start = t
        rebuf = 0.0
        abandoned_from = None
        size = video.sizes[k][rung]
        rtt = request_rtt(cfg, k)
        first = t + rtt
        end = finish_time(first, size)
        download = driver.begin(rung, size)
        check = t + cfg.abandon_interval
        while check < end:
            elapsed = check - t
            if check <= first:  # the player checks as bytes arrive: none yet
                check += cfg.abandon_interval
                continue
            done = int(link.bits_between(first, check) * cfg.payload / 8)
            # the player's buffer is the live one: already down by ``elapsed``
            live = inputs(buffer - elapsed, check, current, k)
            alt = driver.check(download, live, done, size, elapsed)
            if alt is not None:
                rebuf += max(elapsed - buffer, 0.0)
                buffer = max(buffer - elapsed, 0.0)
                abandoned_from = rung
                rung, decision = alt.index, alt
                t = check
                size = video.sizes[k][rung]
                # the segment again, from its first byte, on the lower rung
                first = t + rtt
                end = finish_time(first, size)
                break
            check += cfg.abandon_interval
        d = end - t
        rebuf += max(d - buffer, 0.0)
        buffer = max(buffer - d, 0.0) + L
        t = end
        # measured as the player measures it: over the time bytes could flow
        # (an outage inside the transfer is no slowness of the link)
        meter.add_sample(size, end - first - link.dead_time(first, end, DEAD_AFTER), rtt)
        driver.finished(video.bitrates[rung], size, L)
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
