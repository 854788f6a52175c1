"""Live latency against latency the test itself introduces: the report's
``latency`` block must give back what the sources were made to add."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from lab.origin import LowLatencyServer
from tests.support import hls_media
from tests.support.live_packager import LivePackager
from tests.support.player_probe import sample_latency_blocks
from tests.support.servers import NginxRtmpServer, RtspServer

#: HLS: a segment reaches the playlist only once ffmpeg has finished it, so
#: the newest date in the playlist is up to one segment (1 s) older than the
#: delay alone; 0.3 s measured with no delay at all.
HLS_SLACK = 1.0
#: LL-HLS: a part is listed once whole (0.5 s), plus the reload's round trip
LL_SLACK = 0.7
#: RTSP: the encoder, RTP and libavformat's reorder wait (100 ms) on top of
#: the delay; 0.12 s measured with no delay at all.
RTSP_SLACK = 0.35


def _median(blocks: list[dict[str, object]], key: str) -> float:
    values = [b[key] for b in blocks]
    assert all(isinstance(v, float) for v in values), values
    return statistics.median(v for v in values if isinstance(v, float))


def test_hls_end_to_end_gives_back_the_packager_delay() -> None:
    delay = 3.0
    with LivePackager(delay=delay) as packager:
        blocks = sample_latency_blocks(packager.url, 6)
    assert {b["source"] for b in blocks} == {"program-date-time"}
    e2e = _median(blocks, "end_to_end_s")
    edge = _median(blocks, "to_live_edge_s")
    # End to end = what the origin held back + how far behind its edge we play.
    assert delay <= e2e - edge <= delay + HLS_SLACK, (e2e, edge)
    # The player holds back about three target durations from the edge it sees.
    assert 1.0 <= edge <= 5.0, edge


def test_rtsp_end_to_end_from_sender_reports_gives_back_the_server_delay() -> None:
    delay = 1.0
    with RtspServer(None, live_delay=delay) as server:
        blocks = sample_latency_blocks(server.url, 6, skip=3)
    with_sr = [b for b in blocks if b["end_to_end_s"] is not None]
    assert len(with_sr) >= 4, blocks
    assert {b["source"] for b in with_sr} == {"rtcp-sender-report"}
    e2e = _median(with_sr, "end_to_end_s")
    edge = _median(with_sr, "to_live_edge_s")
    assert delay <= e2e - edge <= delay + RTSP_SLACK, (e2e, edge)


def test_rtmp_reports_the_live_edge_only(rtmp_server: NginxRtmpServer, av_file: Path) -> None:
    publisher = rtmp_server.publish(av_file, "latency", loop=True)
    publisher.wait_until_live(timeout=20.0)
    try:
        blocks = sample_latency_blocks(rtmp_server.url("latency"), 4)
    finally:
        publisher.stop()
    assert all(b["end_to_end_s"] is None for b in blocks)
    assert {b["end_to_end_reason"] for b in blocks} == {"RTMP carries no wall clock"}
    edge = _median(blocks, "to_live_edge_s")
    # nginx-rtmp hands a new player its cached GOP at once, then the live pace:
    # what is received and not yet shown is the player's live buffer.
    assert 0.0 < edge <= 3.0, edge


def test_ll_hls_end_to_end_gives_back_the_delay_before_the_origin() -> None:
    """The origin stamps every part with a program date ``delay`` seconds
    before it publishes it (as an encoder and packager upstream would): end
    to end must include it, the distance to the live edge must not."""
    delay = 2.0
    with LowLatencyServer(
        hls_media.ll_parts(),
        bandwidths=[300_000, 900_000],
        backlog_parts=40,
        wall=lambda: time.time() - delay,
    ) as origin:
        blocks = sample_latency_blocks(origin.url("master.m3u8"), 6)
    assert {b["source"] for b in blocks} == {"program-date-time"}
    e2e = _median(blocks, "end_to_end_s")
    edge = _median(blocks, "to_live_edge_s")
    # a part is listed once it is whole: up to one part (0.5 s) older
    assert delay <= e2e - edge <= delay + LL_SLACK, (e2e, edge)
    # and the player holds about PART-HOLD-BACK (1.5 s) from the edge
    assert 0.5 <= edge <= 2.5, edge
