"""RTSP's first frame is the first keyframe the server sent (issue 11): the
probe that opens the stream must not throw away the frames it read, or the
picture waits a whole GOP for the next keyframe."""

from __future__ import annotations

from dataclasses import replace

import av
import pytest

from player.config import DEFAULT_CONFIG, LatencyConfig, PlayerConfig
from player.sources.libav import build_options
from player.sources.urls import classify
from tests.support.servers import RtspServer

LOW = replace(DEFAULT_CONFIG, latency=LatencyConfig(low_latency=True))


@pytest.mark.parametrize("config", [DEFAULT_CONFIG, LOW], ids=["default", "low-latency"])
def test_the_first_packet_after_opening_is_the_servers_first_keyframe(
    config: PlayerConfig,
) -> None:
    # The live pattern's pipeline starts for each client on a keyframe, the
    # next one a second (25 frames) later.
    with RtspServer(None, live_delay=0.0) as server:
        target = classify(server.url)
        opts = build_options(target, config)
        with av.open(server.url, "r", options=opts, timeout=10.0) as container:
            first = next(container.demux(video=0))
            assert first.is_keyframe, "the probe's packets were dropped: the stream starts mid-GOP"
            assert first.decode(), "the first packet does not make a picture"
