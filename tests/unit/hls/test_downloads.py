"""``hls.downloads.Downloads`` on a scripted origin and a manual clock: retries
and their backoff waits, measuring, playlists, keys, init sections."""

from __future__ import annotations

import pytest

from player.errors import NetworkError, PlaylistError, SecurityError
from player.fetch import FetchAborted, HttpStatusError
from player.hls.crypto import sequence_iv
from player.hls.playlist import MediaPlaylist
from player.hls.playlist_parser import parse_media_playlist
from tests.support.background import Background
from tests.support.download_rig import ORIGIN, Rig
from tests.support.fake_fetcher import Reply


def test_a_failing_segment_is_retried_after_backoff_waits_on_the_clock() -> None:
    rig = Rig()
    url = ORIGIN + "s1.ts"
    rig.origin.script(url, Reply(status=503), Reply(status=502), Reply(body=b"x" * 100))
    join = Background(lambda: rig.downloads.get(url, "segment", 1 << 20))
    rig.clock.until_waiting(1)
    # the first backoff (0.5 s) holds the loader until the clock passes it
    rig.clock.advance(0.49)
    rig.clock.until_waiting(1)
    assert len(rig.origin.requests) == 1
    rig.clock.advance(0.01)
    rig.clock.until_waiting(1)  # the second, doubled
    rig.clock.advance(1.0)
    assert join.result().data == b"x" * 100
    assert [(r.t, r.outcome) for r in rig.origin.requests] == [
        (0.0, "503"),
        (0.5, "502"),
        (1.5, "200"),
    ]
    assert [(kind, delay) for _, kind, delay in rig.failures] == [
        ("segment", 0.5),
        ("segment", 1.0),
    ]
    assert rig.worked == 1


def test_a_404_gets_one_more_try_then_is_final_except_at_the_live_edge() -> None:
    rig = Rig()
    url = ORIGIN + "gone.ts"
    # A CDN edge that has not pulled the object yet answers 404 once.
    rig.origin.script(url, Reply(status=404), Reply(status=404), Reply(body=b"late"))
    join = Background(lambda: rig.downloads.get(url, "segment", 1 << 20))
    rig.clock.until_waiting(1)
    deadline = rig.clock.next_deadline()
    assert deadline is not None
    rig.clock.advance(deadline - rig.clock.now())
    with pytest.raises(HttpStatusError) as failed:
        join.result()
    assert failed.value.status == 404
    assert [f[1] for f in rig.failures] == ["segment", "segment"]  # each try reported
    assert rig.worked == 0
    # at the live edge a 404 is a segment not published yet: retried
    rig.origin.script(url, Reply(status=404), Reply(body=b"late"))
    join = Background(lambda: rig.downloads.get(url, "segment", 1 << 20, live_edge=True))
    rig.clock.until_waiting(1)
    rig.clock.advance(0.5)
    assert join.result().data == b"late"


def test_retries_stop_at_the_policys_attempts() -> None:
    rig = Rig()
    url = ORIGIN + "down.m3u8"
    rig.origin.script(url, Reply(status=500))
    join = Background(lambda: rig.downloads.get(url, "playlist", 1 << 16))
    for delay in (0.5, 1.0, 2.0):
        rig.clock.until_waiting(1)
        rig.clock.advance(delay)
    with pytest.raises(HttpStatusError):
        join.result()
    assert len(rig.origin.requests) == 4  # SEGMENT_RETRY: four attempts
    assert rig.failures[-1][2] is None


def test_a_segment_download_feeds_the_bandwidth_meter_and_a_playlist_does_not() -> None:
    rig = Rig()
    rig.origin.serve(ORIGIN + "big.ts", b"v" * 100_000, ttfb=0.1, duration=1.0, pieces=4)
    rig.origin.serve(ORIGIN + "big.m3u8", b"#" * 100_000, ttfb=0.1, duration=1.0)
    join = Background(lambda: rig.downloads.get(ORIGIN + "big.m3u8", "playlist", 1 << 20))
    for step in (0.1, 1.0):  # the headers, then the body
        rig.clock.until_waiting(1)
        rig.clock.advance(step)
    join.result()
    assert rig.meter.sample_count == 0
    progress: list[tuple[int, int | None]] = []

    def note(done: int, total: int | None, elapsed: float) -> bool:
        progress.append((done, total))
        return True

    join = Background(
        lambda: rig.downloads.get(ORIGIN + "big.ts", "segment", 1 << 20, progress=note)
    )
    for step in (0.1, 0.25, 0.25, 0.25, 0.25):  # the headers, then four pieces
        rig.clock.until_waiting(1)
        rig.clock.advance(step)
    result = join.result()
    assert result.stats.ttfb == pytest.approx(0.1)
    assert result.stats.transfer_seconds == pytest.approx(1.0)
    assert progress == [(n, 100_000) for n in (25_000, 50_000, 75_000, 100_000)]
    assert rig.meter.sample_count == 1
    assert rig.meter.last_bps == pytest.approx(800_000)
    assert rig.received == 1 + 4  # every piece counts as progress, the playlist's too


def test_an_abandoned_download_is_not_retried() -> None:
    rig = Rig()
    url = ORIGIN + "slow.ts"
    rig.origin.serve(url, b"s" * 40_000, pieces=4)
    with pytest.raises(FetchAborted, match="abandoned"):
        rig.downloads.get(url, "segment", 1 << 20, progress=lambda done, total, t: done < 20_000)
    assert len(rig.origin.requests) == 1
    assert rig.origin.requests[0].outcome == "abandoned"


def test_a_playlist_is_parsed_with_blocking_query_and_checked() -> None:
    rig = Rig()
    media = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n#EXT-X-ENDLIST\n"
    rig.origin.serve(ORIGIN + "m.m3u8?_HLS_msn=7&_HLS_part=1", media)
    pl = rig.downloads.media_playlist(ORIGIN + "m.m3u8", {"_HLS_msn": "7", "_HLS_part": "1"})
    assert isinstance(pl, MediaPlaylist)
    assert [s.uri for s in pl.segments] == [ORIGIN + "a.ts"]
    rig.origin.serve(ORIGIN + "latin1.m3u8", "#EXTM3U\n# caf\xe9\n".encode("latin-1"))
    with pytest.raises(PlaylistError, match="not UTF-8"):
        rig.downloads.playlist(ORIGIN + "latin1.m3u8")
    rig.origin.serve(ORIGIN + "master.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nm.m3u8\n")
    with pytest.raises(PlaylistError, match="multivariant"):
        rig.downloads.media_playlist(ORIGIN + "master.m3u8")


def _encrypted(key_uri: str, init: bool = False) -> MediaPlaylist:
    text = (
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:5\n"
        + (f'#EXT-X-MAP:URI="{ORIGIN}init.mp4"\n' if init else "")
        + f'#EXT-X-KEY:METHOD=AES-128,URI="{key_uri}"\n'
        + "#EXTINF:2,\na.ts\n#EXTINF:2,\nb.ts\n#EXT-X-ENDLIST\n"
    )
    return parse_media_playlist(text, ORIGIN + "m.m3u8")


def test_keys_are_fetched_once_warned_once_over_http_and_checked() -> None:
    rig = Rig()
    key = bytes(range(16))
    rig.origin.serve(ORIGIN + "k.key", key)
    rig.origin.serve(ORIGIN + "a.ts", b"aaaa")
    rig.origin.serve(ORIGIN + "b.ts", b"bbbb")
    pl = _encrypted(ORIGIN + "k.key")
    assert rig.downloads.media(pl.segments[0], "segment", 1 << 20) == b"AAAA"
    assert rig.downloads.media(pl.segments[1], "segment", 1 << 20) == b"BBBB"
    assert rig.origin.urls("key") == [ORIGIN + "k.key"]
    assert rig.warnings == ["key-over-http"]
    # no IV in the tag: the media sequence number is the IV
    assert [(d, iv) for d, _, iv in rig.decrypted] == [
        (b"aaaa", sequence_iv(5)),
        (b"bbbb", sequence_iv(6)),
    ]
    rig.origin.serve(ORIGIN + "short.key", b"123")
    with pytest.raises(SecurityError, match="16 bytes"):
        rig.downloads.key(ORIGIN + "short.key")


def test_an_init_section_is_fetched_once_and_put_before_each_segment() -> None:
    rig = Rig()
    rig.origin.serve(ORIGIN + "init.mp4", b"INIT")
    rig.origin.serve(ORIGIN + "a.ts", b"a")
    rig.origin.serve(ORIGIN + "b.ts", b"b")
    pl = parse_media_playlist(
        '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="init.mp4"\n'
        "#EXTINF:2,\na.ts\n#EXTINF:2,\nb.ts\n#EXT-X-ENDLIST\n",
        ORIGIN + "m.m3u8",
    )
    assert [rig.downloads.media(s, "segment", 1 << 20) for s in pl.segments] == [
        b"INITa",
        b"INITb",
    ]
    assert rig.origin.urls("init") == [ORIGIN + "init.mp4"]


def test_drm_is_refused_before_any_request() -> None:
    rig = Rig()
    pl = parse_media_playlist(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n"
        '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="k.key"\n#EXTINF:2,\na.ts\n#EXT-X-ENDLIST\n',
        ORIGIN + "m.m3u8",
    )
    with pytest.raises(SecurityError, match="SAMPLE-AES"):
        rig.downloads.media(pl.segments[0], "segment", 1 << 20)
    assert rig.origin.requests == []


def test_a_truncated_body_is_a_retried_network_error() -> None:
    rig = Rig()
    url = ORIGIN + "cut.ts"
    rig.origin.script(url, Reply(body=b"z" * 100, truncate_at=60), Reply(body=b"z" * 100))
    join = Background(lambda: rig.downloads.get(url, "segment", 1 << 20))
    rig.clock.until_waiting(1)
    assert "truncated segment: 60 of 100" in rig.failures[0][0]
    rig.clock.advance(0.5)
    assert join.result().data == b"z" * 100


def test_a_stop_check_ends_the_retries() -> None:
    rig = Rig()
    calls: list[int] = []

    def check_stop() -> None:
        calls.append(1)
        if len(calls) > 1:
            raise FetchAborted("stopped")

    rig.downloads._check_stop = check_stop
    rig.origin.script(ORIGIN + "x.ts", Reply(error=NetworkError("reset")))
    join = Background(lambda: rig.downloads.get(ORIGIN + "x.ts", "segment", 1 << 20))
    rig.clock.until_waiting(1)
    rig.clock.advance(0.5)
    with pytest.raises(FetchAborted, match="stopped"):
        join.result()
    assert len(rig.origin.requests) == 1
