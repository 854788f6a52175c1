"""``nal``: non-reference pictures told apart before decoding, checked against
what FFmpeg's own ``skip_frame = NONREF`` leaves out of real x264 streams."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import av
import pytest

from player.nal import length_size, non_reference
from tests.support.media import make_av_file


def _decoded_with(path: Path, skip: Literal["DEFAULT", "NONREF"]) -> int:
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        stream.codec_context.skip_frame = skip
        return sum(1 for _ in c.decode(stream))


def _packets(path: Path) -> tuple[list[bytes], Any]:
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        extradata = stream.codec_context.extradata
        data = [bytes(p) for p in c.demux(stream) if p.size]
        return data, extradata


@pytest.mark.parametrize("container", ["mp4", "mpegts"])
def test_the_packets_called_non_reference_are_the_ones_ffmpeg_skips(container: Any) -> None:
    path = make_av_file(seconds=2.0, fps=30, bframes=3, container=container, audio=False)
    packets, extradata = _packets(path)
    prefix = length_size("h264", extradata)
    # MP4 carries length-prefixed NAL units, MPEG-TS start codes
    assert (prefix is None) == (container == "mpegts")
    skipped = sum(non_reference("h264", p, prefix) for p in packets)
    all_frames = _decoded_with(path, "DEFAULT")
    assert all_frames == len(packets)
    assert skipped > 0
    assert skipped == all_frames - _decoded_with(path, "NONREF")


def test_a_stream_without_b_frames_has_none_to_skip() -> None:
    path = make_av_file(seconds=1.0, fps=30, audio=False)  # bframes=0
    packets, extradata = _packets(path)
    prefix = length_size("h264", extradata)
    assert not any(non_reference("h264", p, prefix) for p in packets)


def test_hevc_headers_and_other_codecs() -> None:
    start = b"\x00\x00\x00\x01"
    # HEVC NAL header: forbidden bit, 6-bit type, then layer and temporal id
    trail_n = start + bytes([0 << 1, 1]) + b"\xaa"
    trail_r = start + bytes([1 << 1, 1]) + b"\xaa"
    vps_then_rasl_n = start + bytes([32 << 1, 1]) + b"\x00" + start + bytes([8 << 1, 1])
    assert non_reference("hevc", trail_n, None)
    assert not non_reference("hevc", trail_r, None)
    assert non_reference("hevc", vps_then_rasl_n, None)
    # an hvcC record says 4-byte lengths in its 22nd byte
    hvcc = bytes([1] + [0] * 20 + [0xF3])
    assert length_size("hevc", hvcc) == 4
    assert non_reference("hevc", (3).to_bytes(4, "big") + bytes([0, 1, 0xAA]), 4)
    # codecs we cannot read are always decoded; so is garbage
    assert not non_reference("vp9", trail_n, None)
    assert not non_reference("h264", b"", None)
    assert not non_reference("h264", b"\x00\x00\x00\x00\x01", 4)
