"""Prometheus families from stats (no server): labels, units, absent figures."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from player.metrics_http import MetricsEndpoint, parse_listen
from player.stats import Bitrates, ErrorRecord, FrameCounts, LatencyStats, SessionStats


def test_listen_forms_and_bad_ones() -> None:
    assert parse_listen("9100") == ("127.0.0.1", 9100)
    assert parse_listen("0.0.0.0:9100") == ("0.0.0.0", 9100)
    assert parse_listen("[::1]:9100") == ("::1", 9100)
    for bad, why in (("http", "not a port"), ("70000", "1 to 65535"), ("h:0", "1 to 65535")):
        with pytest.raises(ValueError, match=why):
            parse_listen(bad)


def test_families_carry_labels_units_and_leave_out_what_is_unknown() -> None:
    live = SessionStats(
        state="playing",
        protocol="rtsp",
        time_to_first_frame_s=0.75,
        latency=LatencyStats(end_to_end_s=1.25, to_live_edge_s=0.5),
        bitrate_kbps=Bitrates(video=800.0, input=900.0),
        frames=FrameCounts(presented=300, dropped=2),
        rebuffer_count=1,
        rebuffer_seconds=0.5,
        errors=(ErrorRecord(1.0, "network", "timeout", "x", False),),
        reconnects=0,
    )
    vod = SessionStats(state="ended", protocol="file")
    closed = SessionStats.closed("idle")
    endpoint = MetricsEndpoint(
        "9100", lambda: [(0, "rtsp://cam/live", live), (1, "a.mp4", vod), (2, "b.mp4", closed)]
    )
    registry = CollectorRegistry(auto_describe=False)
    registry.register(endpoint)
    text = generate_latest(registry).decode()
    labels = 'protocol="rtsp",stream="1",url="rtsp://cam/live"'
    assert f"heureum_latency_end_to_end_seconds{{{labels}}} 1.25" in text
    assert f"heureum_video_bitrate_bits_per_second{{{labels}}} 800000.0" in text
    assert f"heureum_frames_dropped_total{{{labels}}} 2.0" in text
    assert f"heureum_errors_total{{{labels}}} 1.0" in text
    assert f"heureum_up{{{labels}}} 1.0" in text
    assert 'heureum_up{protocol="file",stream="2",url="a.mp4"} 0.0' in text
    # nothing invented for the file: no latency, no first frame
    assert 'heureum_latency_end_to_end_seconds{protocol="file"' not in text
    assert 'heureum_time_to_first_frame_seconds{protocol="file"' not in text
    # a closed player has a state and no counters (not zeros)
    assert 'heureum_up{protocol="",stream="3",url="b.mp4"} 0.0' in text
    assert 'heureum_frames_presented_total{protocol="",stream="3"' not in text
    assert 'heureum_stalls_total{protocol="",stream="3"' not in text
