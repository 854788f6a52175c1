"""``HlsSource`` end to end with no sockets and no sleeps: a scripted origin
(``FakeFetcher``) serving real segments, timed on a ``ManualClock``; the
loader and a reader playing at the clock's pace are driven deadline by
deadline, so every run is the same run."""

from __future__ import annotations

from player.clock import ManualClock
from player.config import DEFAULT_CONFIG
from player.events import Event, VariantSwitched, WarningRaised
from player.hls.hls_source import HlsSource
from player.hls.timestamps import ROLLOVER_SECONDS
from tests.support.clocked_run import PacedReader, play_to_end
from tests.support.fake_fetcher import FakeFetcher
from tests.support.hls_media import muxed_ladder_vod, ts_vod
from tests.support.hls_packets import assert_timeline

ORIGIN = "http://origin.test/"


def test_a_vod_stream_plays_to_its_end_on_the_clock() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.serve_directory(ORIGIN, ts_vod(), ttfb=0.05, bits_per_second=4e6)
    src = HlsSource(ORIGIN + "index.m3u8", clock=clock, fetcher=origin, rand=lambda: 0.5)
    reader = play_to_end(src, clock)
    assert reader.info is not None and reader.info.media.duration is not None
    video = [p.pts for p in reader.packets if p.stream.kind == "video" and p.pts is not None]
    assert video and min(video) < 0.1 and max(video) > 5.8
    # played at the clock's pace: the run lasts the media's length
    assert 5.8 < clock.now() < 6.5
    assert origin.urls() == [ORIGIN + u for u in ("index.m3u8", "s000.ts", "s001.ts", "s002.ts")]
    # each segment asked for when the loader needed it, at clock times of the script
    times = [r.t for r in origin.requests]
    assert times == sorted(times) and times[0] == 0.0


def _ladder_run(bits_per_second: float) -> tuple[list[Event], list[str], float]:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.serve_directory(ORIGIN, muxed_ladder_vod(), ttfb=0.02, bits_per_second=bits_per_second)
    events: list[Event] = []
    src = HlsSource(
        ORIGIN + "master.m3u8",
        config=DEFAULT_CONFIG,
        clock=clock,
        fetcher=origin,
        emit=events.append,
        rand=lambda: 0.5,
    )
    play_to_end(src, clock)
    return events, origin.urls("segment"), clock.now()


def test_abr_climbs_on_a_fast_origin_and_stays_low_on_a_slow_one() -> None:
    fast, fast_urls, _ = _ladder_run(20e6)
    _, slow_urls, _ = _ladder_run(0.6e6)
    assert any("/v1/" in u for u in fast_urls)
    assert all("/v0/" in u for u in slow_urls)
    switches = [e for e in fast if isinstance(e, VariantSwitched)]
    assert switches and switches[-1].to_index == 1 and switches[-1].rule


def test_the_same_script_gives_the_same_run() -> None:
    first = _ladder_run(3e6)
    second = _ladder_run(3e6)
    assert [repr(e) for e in first[0]] == [repr(e) for e in second[0]]
    assert first[1:] == second[1:]


def _play(origin: FakeFetcher, clock: ManualClock, url: str) -> tuple[PacedReader, list[Event]]:
    events: list[Event] = []
    src = HlsSource(url, clock=clock, fetcher=origin, emit=events.append, rand=lambda: 0.5)
    reader = play_to_end(src, clock)
    return reader, events


def test_the_33_bit_rollover_keeps_one_timeline_on_the_clock() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.serve_directory(ORIGIN, ts_vod(8.0, offset=ROLLOVER_SECONDS - 3.7), ttfb=0.05)
    reader, _ = _play(origin, clock, ORIGIN + "index.m3u8")
    assert_timeline(reader.packets, 8.0, max_step=0.2)
    assert not any(p.discontinuity for p in reader.packets)  # a wrap is not a break
    # read at the clock's pace across the wrap: no hold-up where it happens
    video = [(t, p.pts) for t, p in zip(reader.read_at, reader.packets, strict=True)
             if p.stream.kind == "video" and p.pts is not None]  # fmt: skip
    assert max(pts - t for t, pts in video) - min(pts - t for t, pts in video) < 0.5


def test_a_segment_gone_from_the_primary_comes_from_the_backup_on_the_clock() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    media = ts_vod()
    origin.serve_directory(ORIGIN + "primary/", media, ttfb=0.05)
    origin.serve_directory(ORIGIN + "backup/", media, ttfb=0.05)
    origin.serve(ORIGIN + "primary/s001.ts", b"", status=404)
    attrs = 'BANDWIDTH=400000,RESOLUTION=320x180,CODECS="avc1.42c00d,mp4a.40.2"'
    origin.serve(
        ORIGIN + "master.m3u8",
        f"#EXTM3U\n#EXT-X-STREAM-INF:{attrs}\nprimary/index.m3u8\n"
        f"#EXT-X-STREAM-INF:{attrs}\nbackup/index.m3u8\n",
    )
    reader, events = _play(origin, clock, ORIGIN + "master.m3u8")
    assert_timeline(reader.packets, 6.0, max_step=0.2)  # no hole where s001 was
    segments = [u.removeprefix(ORIGIN) for u in origin.urls("segment")]
    assert segments[:2] == ["primary/s000.ts", "primary/s001.ts"]
    assert "backup/s001.ts" in segments
    assert [e.code for e in events if isinstance(e, WarningRaised)] == ["redundant-failover"]
