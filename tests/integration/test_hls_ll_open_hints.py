"""Open-ended LL-HLS preload hints (``EXT-X-PRELOAD-HINT:TYPE=PART,URI=...,
BYTERANGE-START=N`` without a length) against a real-time origin that lists
parts as byte ranges of the segment being written and streams the rest of
that segment, part by part as each is produced, to ``Range: bytes=N-``."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import pytest

from player.hls.hls_source import HlsSource
from player.source_api import DemuxPacket
from tests.support import hls_media
from tests.support.hls_packets import drained
from tests.support.ll_server import LlRenditionServer
from tests.support.player_probe import TEST_CONFIG

pytestmark = pytest.mark.integration

#: parts "produced" at start: not a multiple of the 4 parts of a segment, so
#: the first open-ended hint starts inside a segment (N > 0)
BACKLOG = 42


@pytest.fixture(params=[False, True], ids=["ranges", "range-ignored"])
def origin(request: pytest.FixtureRequest) -> Iterator[LlRenditionServer]:
    with LlRenditionServer(
        hls_media.ll_parts()[:1],
        bandwidths=[300_000],
        backlog_parts=BACKLOG,
        byterange_parts=True,
        ignore_range=request.param,
    ) as srv:
        yield srv


def read_until(src: HlsSource, seconds: float) -> list[DemuxPacket]:
    packets = []
    while True:
        p = src.read()
        assert p is not None
        packets.append(p)
        if p.stream.kind == "video" and p.pts is not None:
            src.set_playback_position(p.pts)
            if p.pts > seconds:
                return packets


def test_open_ended_hint_streams_the_growing_segment(origin: LlRenditionServer) -> None:
    """The hint is asked for with ``Range: bytes=N-`` and the parts then listed
    as byte ranges from N on are read from that one response, as the origin
    writes them: none of them is requested again. A server that ignores Range
    (200, the whole segment) works the same: its first N bytes are skipped."""
    src = HlsSource(origin.url("v0/live.m3u8"), config=TEST_CONFIG)
    try:
        src.open()
        packets = read_until(src, 5.0)
        latency = src.live_latency()
        stats = dict(src.ll_stats)
    finally:
        src.close()
    media = [(path, rng) for path, rng in origin.range_requests if path.endswith(".ts")]
    opened = [
        (path, int(m.group(1)))
        for path, rng in media
        if rng and (m := re.fullmatch(r"bytes=(\d+)-", rng))
    ]
    assert len(opened) >= 2, media
    assert any(n > 0 for _path, n in opened), opened  # a hint inside a segment
    # nothing of a streamed segment is fetched again from the hint's offset on
    for path, n in opened:
        later = [
            rng
            for p, rng in media
            if p == path and rng and (m := re.fullmatch(r"bytes=(\d+)-(\d+)", rng))
            if int(m.group(1)) >= n
        ]
        assert not later, (path, n, later)
    assert stats["streamed_parts"] >= 6 and stats["hints"] == 0
    # the reader keeps up with production: about a part behind the edge
    assert latency is not None and latency < 1.2
    video = [p for p in packets if p.stream.kind == "video"]
    dts = [p.dts for p in video if p.dts is not None]
    assert all(0.04 <= b - a <= 0.06 for a, b in itertools.pairwise(dts))  # 20 fps, no hole
    ctx = video[0].stream.make_decoder()
    frames = sum(len(ctx.decode(p.packet)) for p in video) + drained(ctx)
    assert frames >= len(video) - 2
