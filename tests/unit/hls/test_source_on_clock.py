"""``HlsSource`` end to end with no sockets and no sleeps: a scripted origin
(``FakeFetcher``) serving real segments, timed on a ``ManualClock``; the
loader and a reader playing at the clock's pace are driven deadline by
deadline, so every run is the same run."""

from __future__ import annotations

from player.clock import ManualClock
from player.config import DEFAULT_CONFIG
from player.events import Event, VariantSwitched
from player.hls.source import HlsSource
from tests.support.clocked_run import PacedReader, drive
from tests.support.fake_fetcher import FakeFetcher
from tests.support.hls_media import muxed_ladder_vod, ts_vod

ORIGIN = "http://origin.test/"


def test_a_vod_stream_plays_to_its_end_on_the_clock() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.serve_directory(ORIGIN, ts_vod(), ttfb=0.05, bits_per_second=4e6)
    src = HlsSource(ORIGIN + "index.m3u8", clock=clock, fetcher=origin, rand=lambda: 0.5)
    reader = PacedReader(src, clock)
    try:
        drive(clock, 2, lambda: reader.done)
        reader.join()
    finally:
        src.close()
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
    reader = PacedReader(src, clock)
    try:
        drive(clock, 2, lambda: reader.done)
        reader.join()
    finally:
        src.close()
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
