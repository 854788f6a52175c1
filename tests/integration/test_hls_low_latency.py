"""Low-latency HLS against a real-time origin (``LowLatencyServer``) that
publishes real encoded 0.5 s parts as they are "produced" and holds blocking
requests until what they ask for exists."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from lab.origin import LowLatencyServer
from player.errors import NetworkError
from player.hls.hls_source import HlsConfig, HlsSource
from player.source_api import DemuxPacket
from tests.support import hls_media
from tests.support.hls_packets import drained
from tests.support.player_probe import TEST_CONFIG, sample_live_latency

pytestmark = pytest.mark.integration

PART = 0.5
BACKLOG = 40  # parts already "produced" when the server starts (20 s)


@pytest.fixture
def origin() -> Iterator[LowLatencyServer]:
    with LowLatencyServer(
        hls_media.ll_parts(), bandwidths=[300_000, 900_000], backlog_parts=BACKLOG
    ) as srv:
        yield srv


def first_media_time(origin: LowLatencyServer) -> float:
    """Media time of our timeline's 0: the first segment or part fetched."""
    for r in origin.requests:
        m = re.fullmatch(r"/v0/([sp])(\d+)\.ts", r)
        if m:
            return int(m.group(2)) * (PART * 4 if m.group(1) == "s" else PART)
    raise AssertionError("no media fetched")


def decode_all(packets: list[DemuxPacket]) -> int:
    ctx = None
    spec = None
    frames = 0
    for p in packets:
        if p.stream.kind != "video":
            continue
        if p.stream is not spec:
            if ctx is not None:
                frames += drained(ctx)
            spec, ctx = p.stream, p.stream.make_decoder()
        assert ctx is not None
        frames += len(ctx.decode(p.packet))
    return frames + (drained(ctx) if ctx is not None else 0)


def test_parts_hints_blocking_reloads_delta_updates_and_switch(origin: LowLatencyServer) -> None:
    skew = [0.0]  # our wall clock against the origin's
    src = HlsSource(
        origin.url("master.m3u8"), wall=lambda: datetime.now(UTC) + timedelta(seconds=skew[0])
    )
    packets: list[DemuxPacket] = []
    try:
        info = src.open()
        assert info.extra["low_latency"] and info.extra["live_target_latency"] == 1.5
        switched = False
        while True:
            p = src.read()
            assert p is not None
            packets.append(p)
            if p.stream.kind == "video" and p.pts is not None:
                src.set_playback_position(p.pts)
                if p.pts > 3.0 and not switched:
                    src.select_variant(1)
                    switched = True
                if p.pts > 5.5:
                    break
        latency = src.live_latency()
        stats = dict(src.ll_stats)
        # PROGRAM-DATE-TIME: the date of a position is the origin's, and the
        # latency follows the wall clock while it agrees with the playlist
        pos = packets[-1].pts or 0.0
        date = src.program_date_time(pos)
        assert date is not None
        assert abs(date.timestamp() - origin.wall_time(pos + first_media_time(origin))) < 0.01
        skew[0] = 1.0
        skewed = src.live_latency()
        skew[0] = 60.0  # a server clock that far off is not believed
        fallback = src.live_latency()
    finally:
        src.close()
    # the reader keeps up with production: it reads about one part behind the edge
    assert latency is not None and latency < 1.2
    assert skewed is not None and skewed == pytest.approx(latency + 1.0, abs=0.15)
    assert fallback is not None and fallback < 2.0
    assert stats["parts"] >= 8 and stats["hints"] >= 3
    reloads = [r for r in origin.requests if "/live.m3u8" in r]
    blocking = [r for r in reloads if "_HLS_msn=" in r and "_HLS_part=" in r]
    assert len(blocking) >= 4 and len(reloads) - len(blocking) <= 2  # first loads only
    assert any("_HLS_skip=YES" in r for r in blocking) and stats["delta_updates"] >= 3
    # blocking for the next part, in order: (msn, part) never goes backwards
    wanted = [
        tuple(int(x) for x in re.findall(r"_HLS_(?:msn|part)=(\d+)", r))
        for r in blocking
        if r.startswith("/v0/")
    ]
    assert wanted == sorted(wanted)
    # the switch asked for the new rung with the rendition report's msn/part
    first_v1 = next(r for r in origin.requests if r.startswith("/v1/live.m3u8"))
    assert "_HLS_msn=" in first_v1 and "_HLS_part=" in first_v1
    assert any(r.startswith("/v1/p") for r in origin.requests)
    video = [p for p in packets if p.stream.kind == "video"]
    heights = [p.stream.height for p in video]
    assert heights[0] == 180 and heights[-1] == 360
    first_hi = next(p for p in video if p.stream.height == 360)
    assert first_hi.keyframe  # switched at an independent part
    dts = [p.dts for p in video if p.dts is not None]
    assert all(0.04 <= b - a <= 0.06 for a, b in itertools.pairwise(dts))  # 20 fps, no hole
    assert decode_all(packets) >= len(video) - 2


def test_player_latency_stays_near_part_hold_back(origin: LowLatencyServer) -> None:
    run = sample_live_latency(origin.url("master.m3u8"), 5)
    info, samples = run.media, run.latencies
    assert info is not None and info.is_live
    assert len(samples) >= 5, samples
    target = 1.5
    # start at PART-HOLD-BACK rounded back to an independent part (+ <= 1 part),
    # plus the start-up buffer; never drifting away
    assert all(target - 0.2 <= s <= target + 1.0 for s in samples), samples
    assert samples[-1] <= samples[0] + 0.1
    assert run.seconds < 15


def test_stalled_low_latency_origin_is_an_error_within_a_bound() -> None:
    """The encoder stops: blocking reloads are held by the origin and time
    out; that is no news rather than an error, and the playlist's stuck
    detection reports the stall (no busy loop, no hang)."""
    with LowLatencyServer(
        hls_media.ll_parts(),
        bandwidths=[300_000, 900_000],
        backlog_parts=BACKLOG,
        stall_after_parts=BACKLOG + 2,
    ) as srv:
        src = HlsSource(
            srv.url("v0/live.m3u8"), config=TEST_CONFIG, hls=HlsConfig(stuck_factor=1.5)
        )
        t0 = time.monotonic()
        try:
            src.open()
            with pytest.raises(NetworkError, match="has not advanced"):
                while src.read() is not None:
                    pass
        finally:
            src.close()
        took = time.monotonic() - t0
        reloads = [r for r in srv.requests if "/live.m3u8" in r]
    assert took < 10
    assert any("_HLS_part=" in r for r in reloads) and len(reloads) < 20
