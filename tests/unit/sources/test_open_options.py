"""The libavformat options each live family is opened with: what shortens
the probe, and what is thrown away (issue 11: RTSP's first frame)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from player.config import DEFAULT_CONFIG, LatencyConfig, PlayerConfig
from player.sources.libav import build_options
from player.sources.urls import classify

LOW = replace(DEFAULT_CONFIG, latency=LatencyConfig(low_latency=True))


@pytest.mark.parametrize("config", [DEFAULT_CONFIG, LOW], ids=["default", "low-latency"])
def test_rtsp_probes_no_frame_rate(config: PlayerConfig) -> None:
    opts = build_options(classify("rtsp://cam.example/live"), config)
    # 20 frames read only to guess a frame rate were 0.8 s of every start
    assert opts["fpsprobesize"] == "0"
    low = config.latency.low_latency
    assert opts["analyzeduration"] == ("500000" if low else "1000000")
    # both modes keep what the probe read: a server's held-back frames carry
    # the first keyframe (low latency decodes them and shows the newest)
    assert "nobuffer" not in opts.get("fflags", "")


def test_rtmp_probes_no_frame_rate_and_keeps_its_low_latency_probe() -> None:
    rtmp = build_options(classify("rtmp://h/live/x"), LOW)
    assert rtmp["fflags"] == "nobuffer" and rtmp["analyzeduration"] == "500000"
    assert rtmp["fpsprobesize"] == "0"
    default = build_options(classify("rtmp://h/live/x"), DEFAULT_CONFIG)
    assert default["fpsprobesize"] == "0" and "analyzeduration" not in default


def test_a_file_keeps_libavformats_probe() -> None:
    # not live: low latency asks nothing of its probe, and a file's frame
    # rate is worth the reading
    opts = build_options(classify("http://h/a.mp4"), LOW)
    assert "fflags" not in opts and "fpsprobesize" not in opts
