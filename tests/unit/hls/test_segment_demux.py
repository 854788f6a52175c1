"""``hls.segment_demux``: segment bytes to packets on one timeline, with one
stream spec per stream (not per segment)."""

from __future__ import annotations

import pytest

from player.errors import FormatError
from player.hls.playlist import MediaPlaylist
from player.hls.playlist_parser import parse_media_playlist
from player.hls.segment_demux import SegmentDemuxer, dts_key
from tests.support.hls_media import ts_vod


def _vod() -> tuple[MediaPlaylist, list[bytes]]:
    root = ts_vod()
    pl = parse_media_playlist((root / "index.m3u8").read_text(), "http://o.test/index.m3u8")
    return pl, [(root / s.uri.rsplit("/", 1)[1]).read_bytes() for s in pl.segments]


def test_segments_land_on_the_playlist_timeline_with_shared_stream_specs() -> None:
    pl, data = _vod()
    demuxer = SegmentDemuxer()
    per_segment = [
        demuxer.main_segment(d, s, s.start, rung=0, bit_rate=300_000, drop_audio=False)
        for d, s in zip(data, pl.segments, strict=True)
    ]
    for seg, packets in zip(pl.segments, per_segment, strict=True):
        video = [p for p in packets if p.stream.kind == "video"]
        assert video and {p.stream.kind for p in packets} == {"video", "audio"}
        first = min(dts_key(p) for p in video)
        # the first frame of each segment is at the segment's start, whatever
        # the container's own clock says
        assert first == pytest.approx(seg.start, abs=0.1)
        assert video[0].keyframe
    specs = {id(p.stream) for packets in per_segment for p in packets}
    assert len(specs) == 2  # one video and one audio decoder for all three segments
    assert demuxer.first_video is not None and demuxer.first_video.width == 320
    assert demuxer.container == "mpegts"
    assert not any(p.discontinuity for packets in per_segment for p in packets)


def test_a_break_marks_the_first_packet_of_each_kind() -> None:
    pl, data = _vod()
    demuxer = SegmentDemuxer()
    demuxer.main_segment(data[0], pl.segments[0], 0.0, rung=0, bit_rate=None, drop_audio=False)
    demuxer.pending_discontinuity = True  # a seek
    packets = demuxer.main_segment(
        data[2], pl.segments[2], pl.segments[2].start, rung=0, bit_rate=None, drop_audio=False
    )
    marked = [p for p in packets if p.discontinuity]
    assert sorted(p.stream.kind for p in marked) == ["audio", "video"]
    assert not demuxer.pending_discontinuity


def test_audio_from_a_rendition_is_dropped_from_the_main_segment() -> None:
    pl, data = _vod()
    packets = SegmentDemuxer().main_segment(
        data[0], pl.segments[0], 0.0, rung=0, bit_rate=None, drop_audio=True
    )
    assert packets and {p.stream.kind for p in packets} == {"video"}


def test_garbage_is_a_format_error_not_a_crash() -> None:
    pl, _ = _vod()
    with pytest.raises(FormatError, match="could not demux an HLS segment"):
        SegmentDemuxer().main_segment(
            b"\x47" + b"\x00" * 1000, pl.segments[0], 0.0, rung=0, bit_rate=None, drop_audio=False
        )
