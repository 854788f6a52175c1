"""``hls.segment_demux``: a segment whose rung (and discontinuity sequence)
the previous segment already showed is opened with the short probe, and
gives the same packets as the full one; a change of picture size is still
seen without a discontinuity tag, and a discontinuity gets the full probe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from player.hls.playlist import MediaPlaylist, Segment
from player.hls.playlist_parser import parse_media_playlist
from player.hls.segment_demux import RawPacket, SegmentDemuxer
from player.source_api import DemuxPacket
from tests.support.hls_media import discontinuity_vod, muxed_ladder_vod
from tests.support.hls_packets import drained


def _rung(root: Path, name: str) -> tuple[MediaPlaylist, list[bytes]]:
    """A media playlist and its segments' bytes, each with its init section
    first as the loader hands them over."""
    text = (root / name).read_text()
    pl = parse_media_playlist(text, f"http://o.test/{name}")
    folder = (root / name).parent
    out = []
    for s in pl.segments:
        init = (folder / s.init.uri.rsplit("/", 1)[1]).read_bytes() if s.init else b""
        out.append(init + (folder / s.uri.rsplit("/", 1)[1]).read_bytes())
    return pl, out


def _main(demuxer: SegmentDemuxer, data: bytes, seg: Segment, rung: int) -> list[DemuxPacket]:
    return demuxer.main_segment(data, seg, seg.start, rung=rung, bit_rate=None, drop_audio=False)


def _raw(packets: list[RawPacket]) -> list[tuple[Any, ...]]:
    return [
        (spec.kind, spec.width, spec.sample_rate, pts, dts, duration, bytes(packet))
        for spec, pts, dts, duration, packet in packets
    ]


@pytest.mark.parametrize("fmp4", [False, True])
def test_later_segments_of_a_rung_get_the_short_probe_and_the_same_packets(fmp4: bool) -> None:
    pl, data = _rung(muxed_ladder_vod(fmp4=fmp4), "v0/index.m3u8")
    demuxer = SegmentDemuxer()
    ours = [_main(demuxer, d, s, 0) for d, s in zip(data, pl.segments, strict=True)]
    assert demuxer.short_probes == len(data) - 1
    # each segment's packets as the full probe gives them (as every segment
    # had before), in the segment's own clock
    fmt = "mp4" if fmp4 else "mpegts"
    alike = ("main", 0, fmt, 0)
    for d in data:
        short = demuxer.demux(d, fmt, "main", rung=0, bit_rate=None, drop_audio=False, seen=alike)
        full = SegmentDemuxer().demux(d, fmt, "main", rung=0, bit_rate=None, drop_audio=False)
        assert _raw(short) == _raw(full) and short
    assert demuxer.short_probes == 2 * len(data) - 1
    specs = {id(p.stream) for packets in ours for p in packets}
    assert len(specs) == 2  # one video and one audio spec, as with the full probe
    video = demuxer.first_video
    assert video is not None and (video.width, video.height, video.fps) == (320, 180, 25.0)
    assert demuxer.first_audio is not None and demuxer.first_audio.sample_rate > 0


@pytest.mark.parametrize("fmp4", [False, True])
def test_a_new_picture_size_on_the_same_rung_is_seen_through_the_short_probe(fmp4: bool) -> None:
    root = muxed_ladder_vod(fmp4=fmp4)
    low, low_data = _rung(root, "v0/index.m3u8")
    high, high_data = _rung(root, "v1/index.m3u8")
    demuxer = SegmentDemuxer()
    first = _main(demuxer, low_data[0], low.segments[0], 0)
    # a packager that changes the size without a discontinuity tag
    second = _main(demuxer, high_data[1], high.segments[1], 0)
    assert demuxer.short_probes == 1
    v1 = next(p.stream for p in first if p.stream.kind == "video")
    v2 = next(p.stream for p in second if p.stream.kind == "video")
    assert v2 is not v1
    assert (v1.width, v2.width, v2.height) == (320, 640, 360)
    ctx = v2.make_decoder()
    frames = [f for p in second if p.stream is v2 for f in ctx.decode(p.packet)]
    drained(ctx)
    assert frames and frames[0].width == 640


def test_a_discontinuity_gets_the_full_probe() -> None:
    pl, data = _rung(discontinuity_vod(), "index.m3u8")
    assert [s.discontinuity for s in pl.segments] == [False, False, True, False]
    demuxer = SegmentDemuxer()
    for d, s in zip(data, pl.segments, strict=True):
        _main(demuxer, d, s, 0)
    # the second of each encode: the first and the one after the tag are probed in full
    assert demuxer.short_probes == 2
    # back before the tag (a seek): the first encode's streams are probed in full again
    demuxer.pending_discontinuity = True
    for d, s in zip(data[:2], pl.segments[:2], strict=True):
        _main(demuxer, d, s, 0)
    assert demuxer.short_probes == 3


def test_a_rendition_and_the_main_segments_keep_apart() -> None:
    """The same rung number from a rendition is another stream: probed in
    full the first time it is met."""
    pl, data = _rung(muxed_ladder_vod(), "v0/index.m3u8")
    demuxer = SegmentDemuxer()
    _main(demuxer, data[0], pl.segments[0], 0)
    audio = demuxer.rendition_audio(data[1], pl.segments[1], None, rung=0, bit_rate=None)
    assert audio and demuxer.short_probes == 0
    demuxer.rendition_audio(data[2], pl.segments[2], None, rung=0, bit_rate=None)
    assert demuxer.short_probes == 1
