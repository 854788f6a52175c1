"""The HLS loader's answers to a segment that stalls, fails or trickles,
driven by the scripted origin (``FakeFetcher``, no sockets) on a
``ManualClock``: where a broken body is resumed from, when a slow transfer
is reported and given up, and that one segment missing everywhere is a gap,
not the end of the stream."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from player.abr.estimator import BandwidthEstimator
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG, NetworkConfig, PlayerConfig
from player.errors import NetworkError
from player.events import Event, WarningRaised
from player.hls.downloads import Downloads
from player.hls.hint_streams import HintStreams
from player.hls.hls_source import HlsSource
from player.hls.live_edge import live_start_point
from player.hls.live_playlist import target_latency
from player.hls.loader_state import GRACE
from player.hls.playlist import MediaPlaylist
from player.hls.playlist_parser import parse_playlist
from player.hls.slow_transfer import FirstByte, slow_verdict
from player.source_api import DemuxPacket
from tests.support import hls_media
from tests.support.clocked_run import PacedReader, drive
from tests.support.fake_fetcher import FakeFetcher, Reply


def downloads(fetcher: FakeFetcher, warnings: list[str]) -> Downloads:
    cancel = threading.Event()
    streams = HintStreams(
        fetcher,
        cancel,
        max_bytes=1 << 20,
        check_stop=lambda: None,
        warn=lambda code, /, **params: warnings.append(code),
        received=lambda: None,
        stats={},
    )
    return Downloads(
        fetcher,
        cancel,
        BandwidthEstimator(),
        streams,
        max_segments=100,
        rand=lambda: 0.0,
        sleep=lambda s: None,
        check_stop=lambda: None,
        received=lambda: None,
        failed=lambda exc, kind, delay: None,
        worked=lambda: None,
        warn=lambda code, /, **params: warnings.append(code),
        decrypt=lambda data, key, iv: data,
    )


def ranges(origin: FakeFetcher) -> list[tuple[int, int] | None]:
    return [r.byterange for r in origin.requests]


BODY = bytes(range(256)) * 4  # 1024 bytes


def test_a_broken_body_is_resumed_from_the_byte_where_it_stopped() -> None:
    url = "http://origin/s1.ts"
    origin = FakeFetcher(ManualClock())
    origin.script(url, Reply(BODY, truncate_at=300, ranges=True), Reply(BODY, ranges=True))
    warnings: list[str] = []
    got = downloads(origin, warnings).get(url, "segment", 1 << 20)
    assert got.data == BODY
    assert ranges(origin) == [None, (300, len(BODY) - 300)]
    assert warnings == ["segment-resumed"]


def test_a_resumed_range_resumes_again_within_the_range() -> None:
    url = "http://origin/s1.ts"
    origin = FakeFetcher(ManualClock())
    origin.script(
        url,
        Reply(BODY, truncate_at=100, ranges=True),  # 100-199 of 100-499 arrive
        Reply(BODY, truncate_at=50, ranges=True),  # 200-249 of 200-499
        Reply(BODY, ranges=True),
    )
    got = downloads(origin, []).get(url, "segment", 1 << 20, byterange=(100, 400))
    assert got.data == BODY[100:500]
    assert ranges(origin) == [(100, 400), (200, 300), (250, 250)]


def test_without_ranges_the_segment_starts_again_and_the_bytes_are_dropped() -> None:
    url = "http://origin/s1.ts"
    origin = FakeFetcher(ManualClock())
    origin.script(url, Reply(BODY, truncate_at=300), Reply(BODY))
    warnings: list[str] = []
    got = downloads(origin, warnings).get(url, "segment", 1 << 20)
    assert got.data == BODY
    assert ranges(origin) == [None, None]
    assert warnings == []


def test_a_playlist_is_never_resumed() -> None:
    url = "http://origin/index.m3u8"
    origin = FakeFetcher(ManualClock())
    playlist = b"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\ns1.ts\n#EXT-X-ENDLIST\n"
    origin.script(url, Reply(playlist, truncate_at=8, ranges=True), Reply(playlist))
    downloads(origin, []).get(url, "playlist", 1 << 20)
    assert ranges(origin) == [None, None]


def test_a_404_is_tried_twice_then_fails() -> None:
    url = "http://origin/s1.ts"
    origin = FakeFetcher(ManualClock())
    origin.script(url, Reply(status=404))
    with pytest.raises(NetworkError) as failed:
        downloads(origin, []).get(url, "segment", 1 << 20)
    assert getattr(failed.value, "status", None) == 404
    assert [r.outcome for r in origin.requests] == ["404", "404"]
    once = FakeFetcher(ManualClock())
    once.script(url, Reply(status=404), Reply(BODY))
    assert downloads(once, []).get(url, "segment", 1 << 20).data == BODY


@pytest.mark.parametrize(
    ("done", "size", "elapsed", "buffer", "expected"),
    [
        (4000, 75_000, 2.0, 20.0, (True, True)),  # 2 kB/s: 36 s more with 20 s buffered
        (4000, 75_000, 2.0, 60.0, (False, False)),  # the buffer outlasts it
        (60_000, 75_000, 1.5, 0.0, (False, False)),  # faster than it plays
        (30_000, 75_000, 2.0, 2.0, (True, False)),  # behind, but done within 3 durations
        (4000, None, 2.0, 0.0, (False, False)),  # size unknown: no verdict
        (75_000, 75_000, 2.0, 0.0, (False, False)),  # complete
        (0, 75_000, 2.0, 30.0, (False, False)),  # nothing yet: the read timeout's business
    ],
)
def test_slow_verdict(
    done: int, size: int | None, elapsed: float, buffer: float, expected: tuple[bool, bool]
) -> None:
    # bytes flowing from the request on (none came with the headers);
    # nothing at all yet: no first byte
    first = FirstByte(at=0.0) if done else FirstByte()
    assert slow_verdict(done, size, elapsed, buffer, 2.0, patience=3.0, first=first) == expected


def test_slow_verdict_counts_the_rate_from_the_first_byte() -> None:
    # 8 s waiting for the first 1 kB, then 30 kB in 2 s: 15 kB/s, 30 s left of
    # a 2 s segment with 20 s buffered. Counted from the request it read as
    # 3.1 kB/s, and gave up at once what arrives in time.
    first = FirstByte()
    first.heard(1000, 8.0)
    assert first.rate(31_000, 10.0) == pytest.approx(15_000)
    assert slow_verdict(31_000, 75_000, 10.0, 20.0, 2.0, patience=3.0, first=first) == (
        False,
        False,
    )
    # the same wait before a trickle of 1 kB/s: behind, and given up
    assert slow_verdict(3000, 75_000, 10.0, 20.0, 2.0, patience=3.0, first=first) == (True, True)


def test_slow_verdict_waits_for_bytes_to_flow_for_after_seconds() -> None:
    first = FirstByte()
    assert first.rate(0, 5.0) is None and first.flowing(5.0) == 0.0
    first.heard(1000, 5.0)
    first.heard(2000, 5.5)  # only the first arrival counts as the first byte
    assert (first.at, first.done) == (5.0, 1000)
    # 0.5 s of a trickle: too soon to tell with after=2 s
    assert slow_verdict(1500, 75_000, 5.5, 0.0, 2.0, patience=3.0, first=first, after=2.0) == (
        False,
        False,
    )
    assert slow_verdict(3000, 75_000, 7.0, 0.0, 2.0, patience=3.0, first=first, after=2.0) == (
        True,
        True,
    )


# --------------------------------------------------------------------------- the loader

BASE = "http://origin/"


def vod_origin(root: Path, clock: ManualClock) -> FakeFetcher:
    """The media under ``root`` at ``BASE``, each body in 4 pieces, taking byte ranges."""
    origin = FakeFetcher(clock)
    for f in sorted(root.iterdir()):
        if f.suffix in (".ts", ".m3u8"):
            origin.script(BASE + f.name, Reply(f.read_bytes(), pieces=4, ranges=True))
    return origin


def play(
    origin: FakeFetcher,
    clock: ManualClock,
    *,
    config: PlayerConfig = DEFAULT_CONFIG,
    paced: bool = True,
    rand: float = 0.0,
) -> tuple[PacedReader, list[Event], HlsSource]:
    """The stream read to its end (or error) on the clock; the source is closed."""
    events: list[Event] = []
    src = HlsSource(
        BASE + "index.m3u8",
        config=config,
        clock=clock,
        fetcher=origin,
        emit=events.append,
        rand=lambda: rand,
    )
    reader = PacedReader(src, clock, paced=paced)
    try:
        drive(clock, 2, lambda: reader.done)
    finally:
        src.close()
    return reader, events, src


def video_dts(packets: list[DemuxPacket]) -> list[float]:
    return [p.dts for p in packets if p.stream.kind == "video" and p.dts is not None]


def test_a_segment_missing_everywhere_is_skipped_as_a_gap() -> None:
    clock = ManualClock()
    origin = vod_origin(hls_media.ts_vod(8.0), clock)
    origin.script(BASE + "s001.ts", Reply(status=404))
    reader, events, src = play(origin, clock)
    video = video_dts(reader.packets)
    marks = [e.marker for e in src.timeline() if e.marker]
    assert reader.error is None
    assert max(video) == pytest.approx(8.0, abs=0.3)
    assert not any(2.05 < t < 3.95 for t in video)  # its time stays a hole
    assert any(t < 2.0 for t in video) and any(4.0 <= t < 6.0 for t in video)
    assert src.segment_gaps == [1] and "gap" in marks
    assert len(origin.urls()) - len(set(origin.urls())) == 1  # the 404 was tried again once
    assert origin.urls().count(BASE + "s001.ts") == 2
    skipped = [e for e in events if isinstance(e, WarningRaised) and e.code == "segment-skipped"]
    assert len(skipped) == 1 and "segment 1" in skipped[0].message


def test_segments_missing_in_a_row_end_the_stream_after_what_loaded() -> None:
    clock = ManualClock()
    origin = vod_origin(hls_media.ts_vod(16.0), clock)
    for n in range(2, 8):
        origin.script(BASE + f"s00{n}.ts", Reply(status=404))
    # unpaced: the loader's thread ends with the error, the reader's at once after
    reader, _, _ = play(origin, clock, paced=False)
    # what loaded before the failures is handed out first, then the error
    assert max(video_dts(reader.packets)) == pytest.approx(4.0, abs=0.3)
    assert isinstance(reader.error, NetworkError) and "3 segments in a row" in str(reader.error)
    assert BASE + "s005.ts" not in origin.urls()  # given up at the third


def test_read_waits_for_the_loaders_retry_of_a_stalled_segment() -> None:
    """The first request of s001 delivers some bytes then hangs for the read
    timeout and breaks off; read() (a starving demuxer waiting in it) must
    leave the retry (a range from the byte where it stopped) to the loader,
    not give up at the same moment."""
    clock = ManualClock()
    root = hls_media.ts_vod(6.0)
    origin = vod_origin(root, clock)
    body = (root / "s001.ts").read_bytes()
    timeout = 0.6
    origin.script(
        BASE + "s001.ts",
        Reply(body, truncate_at=1000, stall=timeout, ranges=True),
        Reply(body, ranges=True),
    )
    config = replace(DEFAULT_CONFIG, network=NetworkConfig(read_timeout=timeout, open_timeout=1))
    reader, _, _ = play(origin, clock, config=config, paced=False, rand=0.9)
    assert reader.error is None
    assert max(video_dts(reader.packets)) == pytest.approx(6.0, abs=0.3)
    s001 = [r for r in origin.requests if r.url.endswith("s001.ts")]
    assert [r.byterange for r in s001] == [None, (1000, len(body) - 1000)]
    # the retry came after read()'s own timeout had run out: only the grace kept it
    assert s001[1].t - s001[0].t > timeout


def test_read_still_gives_up_on_a_loader_that_gets_nothing() -> None:
    """The error bound holds: a segment whose every try times out without a
    byte (the loader would go on retrying for several seconds) ends the read
    within two read timeouts and the grace of the last byte, not when the
    retries end."""
    clock = ManualClock()
    origin = vod_origin(hls_media.ts_vod(6.0), clock)
    timeout = 0.5
    origin.script(BASE + "s001.ts", Reply(ttfb=timeout, error=NetworkError("timed out")))
    config = replace(DEFAULT_CONFIG, network=NetworkConfig(read_timeout=timeout, open_timeout=1))
    reader, _, _ = play(origin, clock, config=config, paced=False)
    assert isinstance(reader.error, NetworkError) and "no HLS data" in str(reader.error)
    tries = [r.t for r in origin.requests if r.url.endswith("s001.ts")]
    assert len(tries) >= 2  # the loader was retrying meanwhile
    # the clock stops where read() raised (nothing runs after it)
    assert clock.now() <= tries[0] + GRACE + 2 * timeout + 1e-6


def test_live_a_segment_behind_the_edge_that_the_origin_lacks_is_a_gap() -> None:
    """Live: the origin answers (the playlist reloads) but 404s one segment
    behind the edge: it is a gap, not an outage ridden out until the bound."""
    clock = ManualClock()
    root = hls_media.ts_vod(16.0)
    origin = vod_origin(root, clock)
    playlist = (root / "index.m3u8").read_text().replace("#EXT-X-ENDLIST\n", "")
    playlist = playlist.replace("#EXT-X-PLAYLIST-TYPE:VOD\n", "")
    origin.serve(BASE + "index.m3u8", playlist)
    pl = parse_playlist(playlist, BASE + "index.m3u8")
    assert isinstance(pl, MediaPlaylist)
    first, _ = live_start_point(pl, False, target_latency(pl, False))
    assert first < pl.last_sequence - 1  # behind the edge
    missing = BASE + f"s{first:03d}.ts"
    origin.script(missing, Reply(status=404))
    src = HlsSource(BASE + "index.m3u8", clock=clock, fetcher=origin, rand=lambda: 0.0)
    reader = PacedReader(src, clock)
    try:
        # the segment after the hole arrives: read until past it
        drive(clock, 2, lambda: any(t > 2.5 for t in video_dts(reader.packets)))
        gaps = list(src.segment_gaps)
    finally:
        reader.stop()
        src.close()
    assert reader.info is not None and reader.info.media.is_live
    assert gaps == [first]
    assert origin.urls().count(missing) == 2
