"""``otlp``: where figures are posted and what one request holds, decoded
back with the OTLP classes themselves (``tests/e2e/test_otlp.py`` posts to
a real collector stand-in)."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)

from player.metrics_http import StreamStats
from player.otlp import encode_request, metrics_url
from player.stats import Bitrates, FrameCounts, SessionStats


def test_an_endpoint_without_a_path_gets_the_metrics_path() -> None:
    assert metrics_url("http://collector:4318") == "http://collector:4318/v1/metrics"
    assert metrics_url(" https://c.example/ ") == "https://c.example/v1/metrics"
    # a path given is the one posted to
    assert metrics_url("http://c.example/otlp/v1/metrics") == "http://c.example/otlp/v1/metrics"


@pytest.mark.parametrize("bad", ["collector:4318", "ftp://c.example", "http://", "file:///tmp/x"])
def test_anything_but_an_http_url_is_refused_with_the_reason(bad: str) -> None:
    with pytest.raises(ValueError, match="not an http"):
        metrics_url(bad)


def test_a_refused_endpoint_never_shows_its_credentials() -> None:
    with pytest.raises(ValueError) as caught:
        metrics_url("ftp://user:hunter2@c.example")
    assert "hunter2" not in str(caught.value)


def _decode(streams: list[StreamStats]) -> dict[str, Any]:
    body = encode_request(streams, start_ns=1_000, now_ns=2_000, version="9.9")
    request = ExportMetricsServiceRequest.FromString(body)
    (resource,) = request.resource_metrics
    attrs = {a.key: a.value.string_value for a in resource.resource.attributes}
    assert attrs == {"service.name": "heureum", "service.version": "9.9"}
    (scope,) = resource.scope_metrics
    return {m.name: m for m in scope.metrics}


def test_gauges_and_counters_carry_each_streams_labels() -> None:
    playing = SessionStats(
        state="playing", protocol="hls", rebuffer_count=2, frames=FrameCounts(dropped=5)
    )
    ended = SessionStats(state="ended", protocol="file", rebuffer_count=0)
    metrics = _decode([StreamStats(0, "http://a/x.m3u8", playing), StreamStats(1, "f.mp4", ended)])
    up = metrics["heureum_up"]
    assert up.WhichOneof("data") == "gauge"
    points = {
        (p.attributes[0].value.string_value, p.attributes[2].value.string_value): p.as_double
        for p in up.gauge.data_points
    }
    assert points == {("1", "hls"): 1.0, ("2", "file"): 0.0}
    stalls = metrics["heureum_stalls"]
    # a counter is a cumulative monotonic sum over the run
    assert stalls.WhichOneof("data") == "sum" and stalls.sum.is_monotonic
    assert sorted(p.as_double for p in stalls.sum.data_points) == [0.0, 2.0]
    assert all(
        (p.start_time_unix_nano, p.time_unix_nano) == (1_000, 2_000) for p in stalls.sum.data_points
    )


def test_a_figure_no_stream_can_give_is_left_out_not_zero() -> None:
    playing = SessionStats(state="playing", frames=FrameCounts(dropped=3))
    metrics = _decode([StreamStats(0, "f.mp4", playing)])
    assert "heureum_time_to_first_frame_seconds" not in metrics
    assert "heureum_rung_index" not in metrics
    dropped = metrics["heureum_frames_dropped"]
    assert [p.as_double for p in dropped.sum.data_points] == [3.0]
    assert metrics["heureum_up"].unit == "1"


def test_units_follow_the_names() -> None:
    stats = SessionStats(
        state="playing", time_to_first_frame_s=0.4, bitrate_kbps=Bitrates(video=800.0)
    )
    metrics = _decode([StreamStats(0, "u", stats)])
    assert metrics["heureum_time_to_first_frame_seconds"].unit == "s"
    assert metrics["heureum_video_bitrate_bits_per_second"].unit == "bit/s"
    (point,) = metrics["heureum_video_bitrate_bits_per_second"].gauge.data_points
    assert point.as_double == 800_000.0
