"""``decode_threads``: one rule for every source's video decoders: the
thread count asked for, frame threading unless low latency (or switched off)."""

from __future__ import annotations

import av
import pytest

from player.config import DecodeConfig
from player.decode_threads import DecodeThreads


@pytest.mark.parametrize(
    ("decode", "low_latency", "expected"),
    [
        (DecodeConfig(), False, DecodeThreads(0, frame=True)),
        (DecodeConfig(threads=4), True, DecodeThreads(4, frame=False)),
        (DecodeConfig(threads=2, frame_threading=False), False, DecodeThreads(2, frame=False)),
    ],
)
def test_the_rule(decode: DecodeConfig, low_latency: bool, expected: DecodeThreads) -> None:
    assert DecodeThreads.of(decode, low_latency=low_latency) == expected


@pytest.mark.parametrize(
    ("threads", "kind"), [(DecodeThreads(3), "AUTO"), (DecodeThreads(1, frame=False), "SLICE")]
)
def test_applied_to_a_decoder(threads: DecodeThreads, kind: str) -> None:
    ctx = av.CodecContext.create("h264", "r")
    assert threads.apply(ctx) is ctx
    assert (ctx.thread_count, ctx.thread_type.name) == (threads.count, kind)
