"""The example Grafana dashboard asks only for metrics the probes export."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest

from player.metrics_http import MetricsEndpoint
from player.stats import (
    AbrStatus,
    Bitrates,
    FrameCounts,
    LatencyStats,
    MediaStats,
    SessionStats,
)
from player.stream_info import VideoInfo

DASHBOARD = Path(__file__).parents[2] / "resources" / "grafana" / "heureum-dashboard.json"


def test_every_expression_names_an_exported_metric() -> None:
    stats = SessionStats(
        state="playing", protocol="hls", time_to_first_frame_s=0.5,
        latency=LatencyStats(end_to_end_s=3.0, to_live_edge_s=2.0),
        rebuffer_count=0, rebuffer_seconds=0.0,
        bitrate_kbps=Bitrates(video=800.0, input=900.0),
        abr=AbrStatus(1, 1, 800_000, 1e6, 4.0, 2),
        media=MediaStats("", None, True, VideoInfo("h264", 1280, 720, None, None), None),
        frames=FrameCounts(presented=10, dropped=0), errors=(), reconnects=0,
    )  # fmt: skip
    registry = CollectorRegistry(auto_describe=False)
    registry.register(MetricsEndpoint("9100", lambda: [(0, "u", stats)]))
    exported = set(re.findall(r"^(heureum_\w+)\{", generate_latest(registry).decode(), re.M))
    dashboard = json.loads(DASHBOARD.read_text())
    asked = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"heureum_\w+", target["expr"])
    }
    assert asked, "the dashboard queries nothing"
    assert asked <= exported, asked - exported
