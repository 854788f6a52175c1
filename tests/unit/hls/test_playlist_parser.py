"""Playlist parsing: the model, every cap, and one PlaylistError for any bad text."""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from player.errors import PlaylistError, SecurityError
from player.hls.playlist import MediaPlaylist, MultivariantPlaylist
from player.hls.playlist_parser import parse_media_playlist, parse_playlist

URL = "https://cdn.example/v/index.m3u8?tok=abc"

MULTI = """#EXTM3U
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="a/en.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="French",LANGUAGE="fr",URI="a/fr.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",URI="s/en.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=800000,AVERAGE-BANDWIDTH=700000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2",FRAME-RATE=30,AUDIO="aud",SUBTITLES="subs"
lo/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud"
hi/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud"
https://backup.example/hi/index.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100000,URI="iframes.m3u8"
"""

MEDIA = """#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:10
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-KEY:METHOD=AES-128,URI="k1.key",IV=0x0000000000000000000000000000000a
#EXTINF:4.0,
s10.ts
#EXT-X-KEY:METHOD=AES-128,URI="k2.key"
#EXTINF:3.5,
s11.ts
#EXT-X-DISCONTINUITY
#EXT-X-KEY:METHOD=NONE
#EXT-X-GAP
#EXTINF:4,
s12.ts
#EXT-X-ENDLIST
"""


def test_multivariant_model() -> None:
    pl = parse_playlist(MULTI, URL)
    assert isinstance(pl, MultivariantPlaylist)
    assert [v.bandwidth for v in pl.variants] == [800_000, 2_500_000]
    lo, hi = pl.variants
    assert lo.bitrate == 700_000 and hi.bitrate == 2_500_000
    assert (lo.width, lo.height, lo.frame_rate) == (640, 360, 30.0)
    assert lo.uri == "https://cdn.example/v/lo/index.m3u8"
    assert hi.backups == ("https://backup.example/hi/index.m3u8",)
    assert [r.name for r in pl.renditions if r.type == "AUDIO"] == ["English", "French"]
    assert pl.renditions[0].default and pl.renditions[0].autoselect
    assert pl.iframe_variants == ("iframes.m3u8",)


def test_media_model_keys_discontinuity_gap() -> None:
    pl = parse_media_playlist(MEDIA, "http://h/x/p.m3u8")
    assert isinstance(pl, MediaPlaylist)
    assert not pl.is_live and pl.duration == pytest.approx(11.5)
    s0, s1, s2 = pl.segments
    assert [s.sequence for s in pl.segments] == [10, 11, 12]
    assert s0.key is not None and s0.key.iv == bytes(15) + b"\x0a"
    assert s1.key is not None and s1.key.uri == "http://h/x/k2.key" and s1.key.iv is None
    assert s2.key is None and s2.gap and s2.discontinuity
    assert s2.discontinuity_sequence == s1.discontinuity_sequence + 1
    assert s1.start == 4.0 and s2.start == 7.5


def test_multivariant_where_media_expected() -> None:
    with pytest.raises(PlaylistError, match="multivariant"):
        parse_media_playlist(MULTI, URL)


def test_defines_substituted() -> None:
    text = (
        '#EXTM3U\n#EXT-X-DEFINE:NAME="p",VALUE="seg"\n#EXT-X-DEFINE:QUERYPARAM="tok"\n'
        '#EXT-X-DEFINE:IMPORT="cdn"\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n'
        "{$p}1.ts?t={$tok}\n#EXTINF:2,\n{$cdn}/{$p}2.ts\n#EXT-X-ENDLIST\n"
    )
    pl = parse_media_playlist(text, URL, imported={"cdn": "https://edge.example"})
    assert pl.segments[0].uri == "https://cdn.example/v/seg1.ts?t=abc"
    assert pl.segments[1].uri == "https://edge.example/seg2.ts"
    with pytest.raises(PlaylistError, match="IMPORT") as info:
        parse_media_playlist(text, URL)
    assert info.value.line == 4
    with pytest.raises(PlaylistError, match="undefined variable") as info:
        parse_media_playlist("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n{$x}.ts\n", URL)
    assert info.value.line == 4


def test_byterange_chains_offsets() -> None:
    text = (
        '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="all.mp4",BYTERANGE="700@0"\n'
        "#EXTINF:2,\n#EXT-X-BYTERANGE:1000@700\nall.mp4\n#EXTINF:2,\n#EXT-X-BYTERANGE:500\n"
        "all.mp4\n#EXT-X-ENDLIST\n"
    )
    pl = parse_media_playlist(text, "http://h/p.m3u8")
    a, b = pl.segments
    assert a.byterange is not None and (a.byterange.offset, a.byterange.length) == (700, 1000)
    assert b.byterange is not None and (b.byterange.offset, b.byterange.length) == (1700, 500)
    assert a.init is not None and a.init.byterange is not None and a.init.byterange.length == 700


def test_ll_hls_tags() -> None:
    text = (
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-VERSION:9\n"
        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5,CAN-SKIP-UNTIL=12\n"
        "#EXT-X-PART-INF:PART-TARGET=0.5\n#EXT-X-MEDIA-SEQUENCE:100\n#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n"
        "#EXTINF:2,\ns103.mp4\n"
        '#EXT-X-PART:DURATION=0.5,URI="p104.0.mp4",INDEPENDENT=YES\n'
        '#EXT-X-PART:DURATION=0.5,URI="p104.1.mp4"\n'
        '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p104.2.mp4"\n'
        '#EXT-X-RENDITION-REPORT:URI="../lo/p.m3u8",LAST-MSN=103,LAST-PART=1\n'
    )
    pl = parse_media_playlist(text, "http://h/hi/p.m3u8")
    assert pl.is_live and pl.skipped_segments == 3
    assert pl.segments[0].sequence == 103 and pl.last_sequence == 103
    assert [p.uri.rsplit("/", 1)[1] for p in pl.trailing_parts] == ["p104.0.mp4", "p104.1.mp4"]
    assert pl.trailing_parts[0].independent
    assert pl.server_control.can_block_reload and pl.server_control.part_hold_back == 1.5
    assert pl.part_target == 0.5 and pl.preload_hints[0].type == "PART"
    assert pl.rendition_reports[0].last_msn == 103


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("#EXT-X-TARGETDURATION:2\n", "not an HLS playlist", 1),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:nan,\na.ts\n", "finite", 3),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1e309,\na.ts\n", "finite", 3),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:-5,\na.ts\n", "positive", 3),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:0,\na.ts\n", "positive", 3),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:21,\na.ts\n", "10 x TARGETDURATION", 3),
        ("#EXTM3U\n#EXTINF:2,\na.ts\n", "TARGETDURATION", None),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile:///etc/passwd\n", "scheme", 4),
        ("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n/etc/passwd\n", None, None),
        ("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=abc\nv.m3u8\n", "cannot parse", 2),
        ("#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=1x1\nv.m3u8\n", "BANDWIDTH", 3),
        (
            '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128,URI="k",IV=0x1\n'
            "#EXTINF:2,\na.ts\n",
            "IV",
            5,
        ),
        ("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n#EXTINF:2,\na.ts\n", "mixes", 4),
    ],
)
def test_bad_playlists(text: str, reason: str | None, line: int | None) -> None:
    url = "https://h/p.m3u8" if "passwd" in text and "file" not in text else "http://h/p.m3u8"
    if reason is None:  # a bare path resolves against the playlist URL: allowed, same host
        pl = parse_media_playlist(text, url)
        assert pl.segments[0].uri == "https://h/etc/passwd"
        return
    with pytest.raises(PlaylistError, match=reason) as info:
        parse_playlist(text, url)
    assert info.value.line == line


def test_https_to_http_downgrade_refused() -> None:
    text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nhttp://h/a.ts\n"
    with pytest.raises(PlaylistError, match="downgrades"):
        parse_playlist(text, "https://h/p.m3u8")


def test_segment_cap_and_time_budget() -> None:
    body = "".join(f"#EXTINF:2,\ns{i}.ts\n" for i in range(20_001))
    text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n" + body
    t0 = time.perf_counter()
    with pytest.raises(PlaylistError, match="more than 20000 segments"):
        parse_playlist(text, "http://h/p.m3u8")
    assert time.perf_counter() - t0 < 0.5
    pl = parse_media_playlist(text, "http://h/p.m3u8", max_segments=30_000)
    assert len(pl.segments) == 20_001


def test_size_cap() -> None:
    text = "#EXTM3U\n" + "#" * (4 * 1024 * 1024)
    with pytest.raises(PlaylistError, match="larger than 4 MiB"):
        parse_playlist(text, "http://h/p.m3u8")


TAGS = [
    "#EXTM3U",
    "#EXT-X-TARGETDURATION:",
    "#EXTINF:",
    "#EXT-X-STREAM-INF:BANDWIDTH=",
    "#EXT-X-MEDIA:TYPE=",
    "#EXT-X-KEY:METHOD=AES-128,URI=",
    "#EXT-X-MAP:URI=",
    "#EXT-X-BYTERANGE:",
    "#EXT-X-DISCONTINUITY",
    "#EXT-X-PROGRAM-DATE-TIME:",
    "#EXT-X-MEDIA-SEQUENCE:",
    "#EXT-X-PART:DURATION=",
    "#EXT-X-SKIP:SKIPPED-SEGMENTS=",
    "#EXT-X-DEFINE:NAME=",
    "#EXT-X-START:TIME-OFFSET=",
    "#EXT-X-SERVER-CONTROL:PART-HOLD-BACK=",
    "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=",
    "#EXT-X-RENDITION-REPORT:URI=",
    "#EXT-X-GAP",
    "#EXT-X-ENDLIST",
    "a.ts",
    "{$v}",
]
_values = st.one_of(
    st.sampled_from(["2", "4.0,", "nan", "-1", "1e309", '"x"', "1@2", "0x00", "YES", ""]),
    st.text(max_size=12),
)
_line = st.builds(lambda t, v: t + v, st.sampled_from(TAGS), _values)


@settings(max_examples=400, deadline=None)
@given(st.lists(_line, max_size=25), st.booleans())
def test_any_text_gives_model_or_playlist_error(lines: list[str], header: bool) -> None:
    text = ("#EXTM3U\n" if header else "") + "\n".join(lines)
    t0 = time.perf_counter()
    try:
        pl = parse_playlist(text, "https://h/p.m3u8")
    except PlaylistError as exc:
        assert exc.reason
    else:
        assert isinstance(pl, MediaPlaylist | MultivariantPlaylist)
        if isinstance(pl, MediaPlaylist):
            for s in pl.segments:
                assert 0 < s.duration <= 10 * pl.target_duration
                assert s.uri.startswith("https://")
    assert time.perf_counter() - t0 < 0.5


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    with contextlib.suppress(PlaylistError):
        parse_playlist("#EXTM3U\n" + text, "http://h/p.m3u8")


def test_https_to_http_downgrade_is_a_security_error() -> None:
    text = (
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n"
        '#EXT-X-KEY:METHOD=AES-128,URI="http://keys.example/k.key"\n'
        "#EXTINF:2,\ns.ts\n#EXT-X-ENDLIST\n"
    )
    with pytest.raises(SecurityError, match="key URI downgrades https to http") as info:
        parse_playlist(text, "https://cdn.example/v/index.m3u8")
    assert isinstance(info.value, PlaylistError) and info.value.kind == "security"
    # the same over plain http is fine (and warned about when the key is fetched)
    pl = parse_playlist(text, "http://cdn.example/v/index.m3u8")
    assert isinstance(pl, MediaPlaylist) and pl.segments[0].key is not None
