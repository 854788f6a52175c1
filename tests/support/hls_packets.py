"""Reading an ``HlsSource`` to its end in a test, and checking what came out:
one timeline, and packets that really decode."""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Iterator
from typing import Any

import pytest

from player.hls.hls_source import HlsSource
from player.source_api import DemuxPacket, StreamSpec

__all__ = ["assert_timeline", "decoded", "decoder", "drained", "read_all"]


@contextlib.contextmanager
def decoder(spec: StreamSpec) -> Iterator[Any]:
    """``spec``'s decoder, its frame threads parked (``flush_buffers`` runs
    without the GIL) before it is freed. Freed mid-frame, PyAV frees it holding
    the GIL, and a worker logging through PyAV (``player.libav_log``, installed
    by any earlier HTTP test in the process) then waits for the GIL forever:
    a CI run hung so. ``player/decode.py`` parks its decoders the same way."""
    ctx = spec.make_decoder()
    try:
        yield ctx
    finally:
        ctx.flush_buffers()


def read_all(src: HlsSource, limit: int = 100_000) -> list[DemuxPacket]:
    """Every packet until the end of the stream (at most ``limit``: a test of
    a VOD stream must not read forever if it turns out endless)."""
    out: list[DemuxPacket] = []
    while len(out) < limit and (p := src.read()) is not None:
        out.append(p)
    return out


def decoded(packets: list[DemuxPacket], kind: str = "video", at_least: int | None = None) -> int:
    """Frames the first ``kind`` stream's packets decode to (stopping once
    ``at_least`` are in)."""
    spec = next(p.stream for p in packets if p.stream.kind == kind)
    frames = 0
    with decoder(spec) as ctx:
        for p in packets:
            if p.stream is spec:
                frames += len(ctx.decode(p.packet))
                if at_least is not None and frames >= at_least:
                    break
        else:
            frames += drained(ctx)  # what a frame-threaded decoder still holds
    return frames


def drained(ctx: Any) -> int:
    """The frames a decoder still holds (a frame-threaded one holds up to a
    frame a thread), drained before the context is dropped: PyAV frees it
    holding the GIL and joins its frame threads, and a thread still decoding
    that logs (FFmpeg's log reaches Python once ``libav_log`` is installed
    in the process) waits for the GIL forever. The drain runs without the
    GIL. A run of the integration tests under load hung so in
    ``test_key_rotation_with_explicit_and_sequence_ivs`` (issue 9)."""
    return len(ctx.decode(None))


def assert_timeline(
    packets: list[DemuxPacket],
    end: float,
    kinds: tuple[str, ...] = ("video", "audio"),
    *,
    min_step: float = -0.05,
    max_step: float = math.inf,
) -> None:
    """Each kind's dts run from 0 to ``end`` (within a quarter and three tenths
    of a second), every step in [``min_step``, ``max_step``)."""
    for kind in kinds:
        dts = [p.dts for p in packets if p.stream.kind == kind and p.dts is not None]
        assert dts, kind
        assert dts[0] == pytest.approx(0.0, abs=0.25), kind
        assert dts[-1] == pytest.approx(end, abs=0.3), kind
        steps = [b - a for a, b in itertools.pairwise(dts)]
        assert all(min_step <= s < max_step for s in steps), (kind, min(steps), max(steps))
