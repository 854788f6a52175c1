"""The libavformat options each live family is opened with: what shortens
the probe, and what is thrown away (issue 11: RTSP's first frame)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from player.config import DEFAULT_CONFIG, LatencyConfig, PlayerConfig
from player.sources.libav import (
    RTMP_ANALYZE_US,
    RTMP_FULL_ANALYZE_US,
    build_options,
    missed_video,
)
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


@pytest.mark.parametrize("config", [DEFAULT_CONFIG, LOW], ids=["default", "low-latency"])
def test_rtmp_probes_no_frame_rate_and_no_5_s_for_streams_that_never_come(
    config: PlayerConfig,
) -> None:
    opts = build_options(classify("rtmp://h/live/x"), config)
    assert opts["fpsprobesize"] == "0"
    # FLV declares no streams: libavformat's 5 s default was waited out by
    # every video-only stream, for an audio stream that never came
    assert opts["analyzeduration"] == str(RTMP_ANALYZE_US) and RTMP_ANALYZE_US <= 250_000
    # both modes keep what the probe read: the keyframe the server started
    # the player on (low latency decodes it and shows the newest frame)
    assert "nobuffer" not in opts.get("fflags", "")


@pytest.mark.parametrize(
    ("url", "analyze", "kinds", "again"),
    [
        ("rtmp://h/live/x", str(RTMP_ANALYZE_US), ["audio"], True),  # keyframe not yet in
        ("rtmps://h/live/x", str(RTMP_ANALYZE_US), ["audio"], True),
        ("rtmp://h/live/x", str(RTMP_ANALYZE_US), ["video"], False),  # video only
        ("rtmp://h/live/x", str(RTMP_ANALYZE_US), ["video", "audio"], False),
        # already the full probe: an audio-only stream is opened once more, not forever
        ("rtmp://h/live/x", str(RTMP_FULL_ANALYZE_US), ["audio"], False),
        ("http://h/live.flv", str(RTMP_ANALYZE_US), ["audio"], False),
    ],
)
def test_an_rtmp_probe_that_ended_on_audio_alone_is_run_again(
    url: str, analyze: str, kinds: list[str], again: bool
) -> None:
    assert missed_video(classify(url), {"analyzeduration": analyze}, kinds) is again


def test_a_file_keeps_libavformats_probe() -> None:
    # not live: low latency asks nothing of its probe, and a file's frame
    # rate is worth the reading
    opts = build_options(classify("http://h/a.mp4"), LOW)
    assert "fflags" not in opts and "fpsprobesize" not in opts
