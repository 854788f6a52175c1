"""The HLS engine's video decoders get the decode-thread settings the libav
path gives its own (``--threads``, frame threading off for low latency):
the decoder made for a real segment served on loopback."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lab.origin import LowLatencyServer, ThrottleServer
from player.config import DEFAULT_CONFIG, DecodeConfig, LatencyConfig
from player.hls.hls_source import HlsSource
from tests.support.hls_media import ll_parts, ts_vod
from tests.support.hls_packets import decoder


@pytest.mark.parametrize(
    ("decode", "low_latency", "count", "kind"),
    [
        (DecodeConfig(threads=1), False, 1, "AUTO"),
        (DecodeConfig(threads=3, frame_threading=False), False, 3, "SLICE"),
        (DecodeConfig(threads=2), True, 2, "SLICE"),
    ],
)
def test_hls_video_decoder_takes_the_thread_settings(
    decode: DecodeConfig, low_latency: bool, count: int, kind: str
) -> None:
    config = replace(DEFAULT_CONFIG, decode=decode, latency=LatencyConfig(low_latency=low_latency))
    with ThrottleServer(ts_vod()) as srv:
        src = HlsSource(srv.url("index.m3u8"), config=config)
        try:
            info = src.open()
            assert info.video is not None
            with decoder(info.video) as ctx:
                assert (ctx.thread_count, ctx.thread_type.name) == (count, kind)
                # and the decoder so set up decodes the segment's pictures
                frames = 0
                while frames < 5 and (p := src.read()) is not None:
                    if p.stream is info.video:
                        frames += len(ctx.decode(p.packet))
            assert frames >= 5
        finally:
            src.close()
    audio = info.audio
    assert audio is not None
    # audio decoders are not threaded by this rule (FFmpeg's defaults)
    assert audio.make_decoder().thread_count == 0


def test_a_live_hls_stream_gets_no_frame_threading() -> None:
    """Frame threading's (threads - 1) frames of delay are for VOD only, as
    in the libav path: a live stream's decoder is slice-threaded."""
    config = replace(DEFAULT_CONFIG, decode=DecodeConfig(threads=2))
    with LowLatencyServer(
        ll_parts(), bandwidths=[300_000, 900_000], backlog_parts=16, low_latency=False
    ) as srv:
        src = HlsSource(srv.url("master.m3u8"), config=config)
        try:
            info = src.open()
            assert info.media.is_live and info.video is not None
            ctx = info.video.make_decoder()
        finally:
            src.close()
    assert (ctx.thread_count, ctx.thread_type.name) == (2, "SLICE")
