"""The parsed playlist's derived figures (``playlist``): what the loader
reads instead of counting segments itself. Parsing is in
``test_playlist_parser.py``."""

from __future__ import annotations

import pytest

from player.hls.playlist import ByteRange, MediaPlaylist, Segment, Variant


def _segments(first: int, durations: list[float]) -> tuple[Segment, ...]:
    out: list[Segment] = []
    start = 0.0
    for n, d in enumerate(durations):
        out.append(Segment(f"s{first + n}.ts", d, first + n, 0, start))
        start += d
    return tuple(out)


def test_a_byte_range_ends_past_its_last_byte() -> None:
    assert ByteRange(length=100, offset=50).end == 150


def test_sequence_numbers_count_the_segments_a_delta_update_skipped() -> None:
    pl = MediaPlaylist(
        "http://o.test/a.m3u8", 4.0, 10, 0, _segments(13, [4.0, 4.0]), skipped_segments=3
    )
    # the listed segments start after the skipped ones
    assert pl.first_sequence == 13 and pl.last_sequence == 14


def test_an_empty_playlist_ends_before_it_starts() -> None:
    pl = MediaPlaylist("http://o.test/a.m3u8", 4.0, 7, 0, ())
    assert pl.last_sequence == pl.first_sequence - 1 == 6
    assert pl.duration == 0.0


def test_duration_and_segment_ends_add_up() -> None:
    segs = _segments(0, [4.0, 3.5, 2.25])
    pl = MediaPlaylist("http://o.test/a.m3u8", 4.0, 0, 0, segs, endlist=True)
    assert pl.duration == pytest.approx(9.75)
    assert [s.end for s in segs] == pytest.approx([4.0, 7.5, 9.75])


@pytest.mark.parametrize(
    ("endlist", "kind", "live"),
    [(False, None, True), (False, "EVENT", True), (True, "EVENT", False), (False, "VOD", False)],
)
def test_live_means_neither_ended_nor_vod(endlist: bool, kind: str | None, live: bool) -> None:
    pl = MediaPlaylist("http://o.test/a.m3u8", 4.0, 0, 0, (), endlist=endlist, playlist_type=kind)
    assert pl.is_live is live


def test_the_abr_plans_with_the_average_bandwidth_when_given() -> None:
    assert Variant(0, "v.m3u8", bandwidth=900_000, average_bandwidth=600_000).bitrate == 600_000
    assert Variant(0, "v.m3u8", bandwidth=900_000).bitrate == 900_000
