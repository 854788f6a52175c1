"""``hls.segment_packets``: real segment bytes to packets where the loader's
cursor is, a damaged segment skipped (and too many in a row fatal), a damaged
alternate-audio segment only told, and the stream's ``SourceInfo`` made from
the first media."""

from __future__ import annotations

import pytest

from player.errors import FormatError
from player.events import WarningRaised
from player.hls.config import HlsConfig
from player.hls.playlist import MediaPlaylist
from player.hls.playlist_parser import parse_media_playlist
from player.hls.segment_demux import SegmentDemuxer, dts_key
from player.hls.segment_packets import SegmentPackets
from player.warning_text import WarningCode
from tests.support.hls_loader_rig import BASE, LoaderRig
from tests.support.hls_media import ts_vod

GARBAGE = b"\x47 this is not a transport stream " * 40


def _vod() -> tuple[MediaPlaylist, list[bytes]]:
    root = ts_vod()
    pl = parse_media_playlist((root / "index.m3u8").read_text(), BASE + "index.m3u8")
    return pl, [(root / s.uri.rsplit("/", 1)[1]).read_bytes() for s in pl.segments]


def _parts(
    rungs: tuple[int, ...] = (300_000,), *, max_bad: int = 3
) -> tuple[LoaderRig, SegmentPackets]:
    rig = LoaderRig(
        [(f"v{i}.m3u8", bw, ()) for i, bw in enumerate(rungs)],
        hls=HlsConfig(max_bad_segments=max_bad),
    )
    return rig, SegmentPackets(rig.state, SegmentDemuxer(), rig.ladder, rig.renditions)


def test_a_segment_lands_where_the_cursor_is_with_the_rungs_bit_rate() -> None:
    pl, data = _vod()
    rig, parts = _parts((150_000, 300_000))
    rig.state.rung = 1
    rig.state.next_time = 10.0
    packets = parts.main(data[0], pl.segments[0])
    assert packets is not None
    video = [p for p in packets if p.stream.kind == "video"]
    # muxed audio kept: no alternate rendition is followed
    assert video and any(p.stream.kind == "audio" for p in packets)
    assert min(dts_key(p) for p in video) == pytest.approx(10.0, abs=0.1)
    assert video[0].stream.bit_rate == 300_000


def test_a_damaged_segment_is_skipped_told_and_marks_a_break() -> None:
    pl, data = _vod()
    rig, parts = _parts()
    assert parts.main(GARBAGE, pl.segments[0]) is None
    assert parts.bad_segments == 1
    (warning,) = rig.warnings(WarningCode.BAD_SEGMENT)
    assert isinstance(warning, WarningRaised)
    assert [e.marker for e in rig.state.timeline] == ["error"]
    # the next good segment starts a new stretch of timeline, and clears the count
    rig.state.next_time = 2.0
    packets = parts.main(data[1], pl.segments[1])
    assert packets is not None and parts.bad_segments == 0
    for kind in ("video", "audio"):
        flagged = [p.discontinuity for p in packets if p.stream.kind == kind]
        assert flagged[0] and not any(flagged[1:]), kind


def test_too_many_damaged_segments_in_a_row_are_fatal() -> None:
    pl, _data = _vod()
    rig, parts = _parts(max_bad=2)
    assert parts.main(GARBAGE, pl.segments[0]) is None
    with pytest.raises(FormatError):
        parts.main(GARBAGE, pl.segments[1])
    assert len(rig.warnings(WarningCode.BAD_SEGMENT)) == 2


def test_a_good_segment_between_damaged_ones_resets_the_count() -> None:
    pl, data = _vod()
    _rig, parts = _parts(max_bad=2)
    for good in (data[0], data[1]):
        assert parts.main(GARBAGE, pl.segments[0]) is None
        assert parts.main(good, pl.segments[1]) is not None
    assert parts.bad_segments == 0


def test_damaged_alternate_audio_is_only_told_never_fatal() -> None:
    pl, _data = _vod()
    rig, parts = _parts(max_bad=1)
    for _ in range(3):
        assert parts.audio(GARBAGE, pl.segments[0], None) == []
    assert len(rig.warnings(WarningCode.BAD_SEGMENT)) == 3


def test_alternate_audio_before_the_cut_is_dropped() -> None:
    pl, data = _vod()
    _rig, parts = _parts()
    everything = parts.audio(data[0], pl.segments[0], None)
    assert everything and {p.stream.kind for p in everything} == {"audio"}
    times = sorted(p.pts for p in everything if p.pts is not None)
    cut = times[len(times) // 2]
    kept = parts.audio(data[0], pl.segments[0], cut)
    assert kept and all(p.pts is not None and p.pts >= cut for p in kept)
    assert len(kept) < len(everything)


def test_the_first_media_makes_a_vod_streams_info_and_opens_it() -> None:
    pl, data = _vod()
    rig, parts = _parts((150_000, 300_000))
    rig.state.rung = 0
    assert parts.main(data[0], pl.segments[0]) is not None
    parts.build_info(pl)
    s = rig.state
    assert s.opened.is_set() and s.info is not None
    media = s.info.media
    assert media.protocol == "hls" and media.container == "mpegts"
    assert media.duration == pytest.approx(pl.duration) and media.seekable and not media.is_live
    assert media.video is not None and media.video.width == 320
    assert media.audio is not None and media.audio.sample_rate > 0
    # a ladder of two is offered as variants
    assert [v.bandwidth for v in media.variants] == [150_000, 300_000]
    assert s.info.extra["live_target_latency"] is None


def test_a_live_streams_info_has_no_duration_and_its_latency_target() -> None:
    pl, data = _vod()
    rig, parts = _parts()
    s = rig.state
    s.live, s.live_latency_target = True, 6.0
    assert parts.main(data[0], pl.segments[0]) is not None
    parts.build_info(pl)
    assert s.info is not None
    media = s.info.media
    assert media.duration is None and media.is_live and not media.seekable
    # a single rung is no choice: no variants offered
    assert media.variants == ()
    assert s.info.extra == {"live_target_latency": 6.0, "low_latency": False}


def test_the_info_never_shows_the_urls_credentials() -> None:
    pl, data = _vod()
    rig = LoaderRig([("v0.m3u8", 300_000, ())], url="http://u:secret@o.test/master.m3u8")
    parts = SegmentPackets(rig.state, SegmentDemuxer(), rig.ladder, rig.renditions)
    assert parts.main(data[0], pl.segments[0]) is not None
    parts.build_info(pl)
    assert rig.state.info is not None and "secret" not in rig.state.info.media.url


def test_cue_times_map_the_segments_clock_onto_the_timeline() -> None:
    pl, data = _vod()
    rig, parts = _parts()
    rig.state.next_time = 4.0
    packets = parts.main(data[0], pl.segments[0])
    assert packets is not None
    # the segment's own clock, read by another demuxer: its first frame's time
    raw = SegmentDemuxer().demux(data[0], "mpegts", "main", rung=0, bit_rate=None, drop_audio=True)
    stamps = [r[2] if r[2] is not None else r[1] for r in raw if r[0].kind == "video"]
    first = min(t for t in stamps if t is not None)
    # a WebVTT cue stamped at that media time shows where the segment was put
    at = parts.cue_time(first, 0)
    assert at is not None and at == pytest.approx(4.0, abs=0.05)
    later = parts.cue_time(first + 1.5, 0)
    assert later is not None and later - at == pytest.approx(1.5)
