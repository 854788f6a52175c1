"""Opening RTSP or RTMP reads no more of the stream than it needs (issue
11): the SDP or the sequence headers say what the streams are, so the probe
ends on the first frame instead of reading 20 more to guess a frame rate
(0.8 s of every start at 25 fps). The source paints its capture time into
each frame (benchmarks/clock_code), so the frames read before the open
returned can be counted."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager

import av
import numpy as np
import pytest

from benchmarks import clock_code
from benchmarks.glass_sources import rtmp_source, rtsp_source
from player.config import DEFAULT_CONFIG
from player.sources.libav import build_options
from player.sources.urls import classify

#: frames libavformat reads to guess a frame rate unless told not to
FPS_PROBE_FRAMES = 20


# RTMP with its audio: without, the probe waits 5 s for the audio an FLV
# header announces (libavformat's analyzeduration)
@pytest.mark.parametrize(
    ("source", "audio"), [(rtsp_source, False), (rtmp_source, True)], ids=["rtsp", "rtmp"]
)
def test_opening_reads_fewer_frames_than_a_frame_rate_probe(
    source: Callable[[bool], AbstractContextManager[str]], audio: bool
) -> None:
    with source(audio) as url:
        opts = build_options(classify(url), DEFAULT_CONFIG)
        with av.open(url, "r", options=opts, timeout=10.0) as container:
            opened_ms = int(time.time() * 1000)
            before_open = 0
            for frame in container.decode(video=0):
                luma = np.asarray(frame.to_ndarray(format="gray"), np.uint8)
                code = clock_code.decode(luma)
                assert code is not None, "a frame of the clock did not read back"
                if clock_code.latency_ms(code, opened_ms) < 0:
                    break  # captured after the open returned: live from here
                before_open += 1
    # The first keyframe is kept (the default mode drops nothing) ...
    assert before_open >= 1
    # ... and the frames before the open are the RTSP server's hold-back
    # until PLAY (about 8 here; none over RTMP), not those plus a 20-frame probe
    assert before_open < FPS_PROBE_FRAMES, before_open
