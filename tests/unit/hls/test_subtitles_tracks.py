"""Renditions without I/O: WebVTT parsing and timing, the cue store, track
lists and defaults, and the cursor that lines a rendition up with the main
timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from player.errors import FormatError
from player.hls.playlist import MultivariantPlaylist
from player.hls.playlist_parser import parse_media_playlist, parse_playlist
from player.hls.rendition import RenditionCursor, build_tracks, default_track
from player.hls.timestamps import ROLLOVER_SECONDS, DateMap, Rebaser, Unwrapper
from player.hls.webvtt import (
    Cue,
    CueStore,
    TimestampMap,
    cue_text,
    parse_timestamp,
    parse_webvtt,
)

VTT = (
    "\ufeffWEBVTT - a title\r\n"
    "X-TIMESTAMP-MAP=LOCAL:00:00:10.000,MPEGTS:900000\r\n"
    "\r\n"
    "NOTE a comment\r\nspanning lines\r\n\r\n"
    "STYLE\r\n::cue { color: red }\r\n\r\n"
    "cue-1\r\n"
    "00:00:10.500 --> 00:00:12.000 line:90% align:center\r\n"
    "<v Roger>Hello</v> <b>there</b>\r\n"
    "&lt;second&gt; line &amp; more\r\n\r\n"
    "01:00.000 --> 01:01.250\r\nminutes only\r\n\r\n"
    "00:00:05.000 --> 00:00:04.000\r\nends before it starts: skipped\r\n\r\n"
    "00:00:xx --> 00:00:04.000\r\nbad timing: skipped\r\n"
)


def test_webvtt_cues_map_and_markup() -> None:
    doc = parse_webvtt(VTT.encode())
    assert doc.timestamp_map == TimestampMap(900_000, 10.0)
    assert [(c.start, c.end) for c in doc.cues] == [(10.5, 12.0), (60.0, 61.25)]
    assert doc.cues[0].text == "Hello there\n<second> line & more"
    # LOCAL 10 s is MPEG-TS 10 s: a cue at LOCAL 10.5 s is at media time 10.5 s
    assert doc.timestamp_map is not None
    assert doc.timestamp_map.media_seconds(10.5) == pytest.approx(10.5)
    assert TimestampMap(90_000 * 100, 3600.0).media_seconds(3601.0) == pytest.approx(101.0)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("00:01.500", 1.5), ("01:02:03.004", 3723.004), ("123:00:00.000", 442_800.0)],
)
def test_timestamps(text: str, seconds: float) -> None:
    assert parse_timestamp(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "bad",
    [
        b"",
        b"WEBVTTX\n",
        b"\x00WEBVTT",
        b"\xff\xfeW\x00",
        b"WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:abc,LOCAL:00:00.000\n",
        b"WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00.000\n",
        b"WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:9999999999,LOCAL:00:00.000\n",
    ],
)
def test_bad_webvtt_is_a_format_error(bad: bytes) -> None:
    with pytest.raises(FormatError):
        parse_webvtt(bad)


def test_cue_text_strips_tags_keeps_lines() -> None:
    assert cue_text("<c.yellow>a</c>\n\n<00:00:01.000>b") == "a\nb"
    assert cue_text("   ") == ""


def test_cue_store_active_text_overlaps_and_duplicates() -> None:
    store = CueStore()
    assert store.add([Cue(1.0, 2.0, "a"), Cue(1.5, 3.0, "b"), Cue(0.0, 100.0, "long")]) == 3
    assert store.add([Cue(1.0, 2.0, "a")]) == 0  # repeated in the next segment
    assert store.text_at(0.5) == "long"
    assert store.text_at(1.7) == "long\na\nb"
    assert store.text_at(2.0) == "long\nb"  # end is exclusive
    assert store.text_at(100.0) is None
    store.clear()
    assert store.text_at(1.7) is None and len(store) == 0


def test_cue_store_is_bounded() -> None:
    store = CueStore(max_cues=3)
    store.add([Cue(float(i), i + 0.5, str(i)) for i in range(5)])
    assert len(store) == 3 and store.text_at(0.2) is None and store.text_at(4.2) == "4"


MULTI = """#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="lo",NAME="English",LANGUAGE="en",URI="lo/en.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="lo",NAME="French",LANGUAGE="fr",AUTOSELECT=YES,URI="lo/fr.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="hi",NAME="English",LANGUAGE="en",URI="hi/en.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="hi",NAME="French",LANGUAGE="fr",AUTOSELECT=YES,URI="hi/fr.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="unused",NAME="Klingon",URI="x.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",NAME="English",LANGUAGE="en",URI="s/en.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",NAME="Forced",LANGUAGE="en",AUTOSELECT=YES,URI="s/f.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=500000,AUDIO="lo",SUBTITLES="s"
lo/v.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=3000000,AUDIO="hi",SUBTITLES="s"
hi/v.m3u8
"""


def test_tracks_across_groups_and_defaults() -> None:
    top = parse_playlist(MULTI, "http://h/m.m3u8")
    assert isinstance(top, MultivariantPlaylist)
    audio = build_tracks(top, top.variants, "AUDIO")
    assert [(t.info.name, t.info.kind) for t in audio] == [
        ("English", "audio"),
        ("French", "audio"),
    ]
    assert audio[1].for_group("hi").uri == "http://h/hi/fr.m3u8"
    assert audio[1].for_group("lo").uri == "http://h/lo/fr.m3u8"
    assert audio[0].for_group("missing").uri == "http://h/lo/en.m3u8"
    # no DEFAULT=YES: audio takes the first AUTOSELECT=YES, subtitles stay off
    assert default_track(audio, "AUDIO") == 1
    subs = build_tracks(top, top.variants, "SUBTITLES")
    assert [t.info.name for t in subs] == ["English", "Forced"]
    assert default_track(subs, "SUBTITLES") is None
    assert default_track([], "AUDIO") is None
    with pytest.raises(ValueError):
        build_tracks(top, top.variants, "VIDEO")


def live(first: int, n: int, td: float = 2.0, pdt: datetime | None = None) -> str:
    lines = ["#EXTM3U", f"#EXT-X-TARGETDURATION:{td:g}", f"#EXT-X-MEDIA-SEQUENCE:{first}"]
    for i in range(n):
        if pdt is not None:
            stamp = (pdt + timedelta(seconds=td * i)).isoformat()
            lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{stamp}")
        lines += [f"#EXTINF:{td:g},", f"a{first + i}.ts"]
    return "\n".join(lines) + "\n"


def test_cursor_vod_walks_and_finds_boundaries() -> None:
    text = "#EXTM3U\n#EXT-X-TARGETDURATION:3\n" + "".join(
        f"#EXTINF:{d},\ns{i}.ts\n" for i, d in enumerate((2.5, 2.5, 3.0))
    )
    c = RenditionCursor(parse_media_playlist(text + "#EXT-X-ENDLIST\n", "http://h/a.m3u8"))
    c.anchor_vod()
    c.next_time = 2.0
    seg, start = c.next_segment() or (None, 0.0)
    assert seg is not None and seg.uri.endswith("s0.ts") and start == 0.0
    assert c.boundary_at_or_after(0.1) == 2.5
    assert c.boundary_at_or_after(5.0) == 5.0
    assert c.boundary_at_or_after(5.1) is None
    assert c.segment_at(7.99) is not None and c.segment_at(8.0) is None
    assert c.end_time() == 8.0


def test_cursor_live_anchors_by_sequence_then_dates_then_edge() -> None:
    c = RenditionCursor(parse_media_playlist(live(10, 5), "http://h/a.m3u8"))
    c.anchor_live(main_sequence=12, main_time=100.0, main_edge=None)
    seg, start = c.segment_at(100.0) or (None, 0.0)
    assert seg is not None and seg.sequence == 12 and start == 100.0
    # a reload shares segments 12..14: their times carry over
    assert c.update(parse_media_playlist(live(12, 5), "http://h/a.m3u8"))
    seg, start = c.segment_at(105.0) or (None, 0.0)
    assert seg is not None and seg.sequence == 14 and start == 104.0
    # an outage longer than the window: nothing shared
    assert not c.update(parse_media_playlist(live(40, 3), "http://h/a.m3u8"))

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    dates = DateMap()
    dates.add(t0, 50.0)  # the main timeline's 50 s is t0
    c = RenditionCursor(parse_media_playlist(live(900, 3, pdt=t0), "http://h/a.m3u8"))
    c.anchor_live(main_sequence=7, main_time=0.0, main_edge=80.0, dates=dates)
    assert c.segment_at(0.0) == (c.playlist.segments[0], 50.0)  # PDT t0 is timeline 50 s

    c = RenditionCursor(parse_media_playlist(live(900, 3), "http://h/a.m3u8"))
    c.anchor_live(main_sequence=7, main_time=0.0, main_edge=80.0)
    assert c.end_time() == 80.0  # live edges lined up


def test_rebaser_maps_other_timestamps_by_domain_without_state() -> None:
    r = Rebaser()
    r.begin_segment(0, 0.0, 5001.4, mpegts=True)
    assert r.map_in_domain(5002.4, 0, mpegts=True) == pytest.approx(1.0)
    assert r.map_in_domain(1.0, 1, mpegts=True) is None  # domain not seen yet
    r.begin_segment(1, 10.0, 77.0, mpegts=True)
    assert r.map_in_domain(78.0, 1, mpegts=True) == pytest.approx(11.0)
    assert r.map_in_domain(5002.4, 0, mpegts=True) == pytest.approx(1.0)
    u = Unwrapper()
    u.unwrap(ROLLOVER_SECONDS - 1.0)
    assert u.peek(0.5) == pytest.approx(ROLLOVER_SECONDS + 0.5)
    # peek kept no state
    assert u.unwrap(ROLLOVER_SECONDS - 0.5) == pytest.approx(ROLLOVER_SECONDS - 0.5)
