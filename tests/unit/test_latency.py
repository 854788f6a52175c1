"""The latency block's rules, one protocol family at a time (no I/O)."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

from player.latency import (
    SOURCE_PDT,
    SOURCE_RTCP,
    PacketWallClock,
    headline,
    latency_figures,
    prft_wallclock,
)

NOW = datetime(2026, 12, 6, 12, 0, 0, tzinfo=UTC)


def test_prft_side_data_is_microseconds_since_the_epoch() -> None:
    data = struct.pack("<qi4x", 1_765_000_000_250_000, 0)
    assert prft_wallclock(data) == 1_765_000_000.25
    assert prft_wallclock(b"\x00" * 16) is None
    assert prft_wallclock(b"\x01\x02") is None


def test_hls_end_to_end_is_the_wall_clock_minus_the_program_date_on_screen() -> None:
    out = latency_figures(
        live=True,
        family="hls",
        shown_pts=40.0,
        wall_now=NOW.timestamp(),
        pdt_at_shown=NOW - timedelta(seconds=6.25),
        playlist_edge_s=3.5,
    )
    assert out.end_to_end_s == 6.25
    assert out.source == SOURCE_PDT
    assert out.to_live_edge_s == 3.5
    assert out.end_to_end_reason is None and out.to_live_edge_reason is None


def test_hls_without_program_dates_says_why() -> None:
    out = latency_figures(live=True, family="hls", shown_pts=1.0, wall_now=0.0, playlist_edge_s=2.0)
    assert out.end_to_end_s is None and out.source is None
    assert "PROGRAM-DATE-TIME" in str(out.end_to_end_reason)
    assert out.to_live_edge_s == 2.0


def test_rtsp_end_to_end_follows_the_latest_sender_report_anchor() -> None:
    clock = PacketWallClock()
    clock.on_packet(10.0, None)
    before = latency_figures(live=True, family="rtsp", shown_pts=9.0, wall_now=100.0, clock=clock)
    assert before.end_to_end_s is None
    assert before.end_to_end_reason == "no RTCP sender report received"
    assert before.to_live_edge_s == 1.0
    clock.on_packet(12.0, 1000.0)  # captured at 1000 s wall clock
    clock.on_packet(11.5, None)  # older packets do not move the edge back
    out = latency_figures(live=True, family="rtsp", shown_pts=11.0, wall_now=1001.5, clock=clock)
    # frame at 11.0 was captured at 999.0: 2.5 s ago
    assert out.end_to_end_s == 2.5
    assert out.source == SOURCE_RTCP
    assert out.to_live_edge_s == 1.0


def test_rtmp_and_http_have_no_end_to_end_figure() -> None:
    clock = PacketWallClock()
    clock.on_packet(5.0, None)
    for family, word in (("rtmp", "RTMP"), ("http", "HTTP")):
        out = latency_figures(live=True, family=family, shown_pts=4.2, wall_now=0.0, clock=clock)
        assert out.end_to_end_s is None
        assert word in str(out.end_to_end_reason)
        assert out.to_live_edge_s == 0.8


def test_vod_unopened_and_nothing_shown_have_reasons_not_figures() -> None:
    vod = latency_figures(live=False, family="http", shown_pts=1.0, wall_now=0.0)
    unopened = latency_figures(live=None, family="", shown_pts=None, wall_now=0.0)
    waiting = latency_figures(live=True, family="rtsp", shown_pts=None, wall_now=0.0)
    for out, reason in (
        (vod, "not a live stream"),
        (unopened, "the stream is not open yet"),
        (waiting, "nothing shown yet"),
    ):
        assert out.end_to_end_s is None and out.to_live_edge_s is None
        assert out.end_to_end_reason == out.to_live_edge_reason == reason


def test_headline_prefers_end_to_end_and_labels_the_fallback() -> None:
    assert headline({"end_to_end_s": 1.5, "to_live_edge_s": 0.5}) == (1.5, "end to end")
    assert headline({"end_to_end_s": None, "to_live_edge_s": 0.5}) == (0.5, "to live edge")
    assert headline({"end_to_end_s": None, "to_live_edge_s": None}) == (None, "-")
    assert headline(None) == (None, "-")
