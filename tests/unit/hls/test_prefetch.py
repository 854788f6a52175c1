"""``PrimedFetcher``: the HLS playlist request sent before the engine exists
is handed to the loader once, fresh, and anything else goes to the origin as
before (no sockets: a scripted origin on a ``ManualClock``)."""

from __future__ import annotations

import threading

import pytest

from player.clock import ManualClock
from player.config import DEFAULT_CONFIG
from player.fetch import FetchAborted, ResponseTooLarge
from player.hls.hls_source import HlsSource
from player.hls.prefetch import MAX_AGE, PrimedFetcher
from player.sources import classify, make_source
from tests.support.clocked_run import PacedReader, drive
from tests.support.fake_fetcher import FakeFetcher, Reply
from tests.support.hls_media import ts_vod

ORIGIN = "http://origin.test/"
URL = ORIGIN + "live.m3u8"
LIMIT = 1 << 20


def _primed(origin: FakeFetcher, clock: ManualClock, url: str = URL) -> PrimedFetcher:
    return PrimedFetcher(url, lambda: origin, clock)


def test_the_loaders_first_playlist_request_takes_the_prefetched_answer() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.script(URL, Reply(body=b"#EXTM3U first"), Reply(body=b"#EXTM3U second"))
    primed = _primed(origin, clock)
    primed.run()
    seen: list[tuple[int, int | None]] = []

    def progress(done: int, total: int | None, elapsed: float) -> bool:
        seen.append((done, total))
        return True

    result = primed.get(URL, kind="playlist", max_bytes=LIMIT, progress=progress)
    assert result.data == b"#EXTM3U first"
    assert primed.used
    assert origin.urls() == [URL]  # one request, sent by the prefetch
    # the loader's progress hears of the whole body, as from a request of its own
    assert seen == [(13, 13)]
    # the answer is given once: the next reload is a request of its own
    assert primed.get(URL, kind="playlist", max_bytes=LIMIT).data == b"#EXTM3U second"
    assert origin.urls() == [URL, URL]


def test_a_stale_answer_is_asked_again() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.script(URL, Reply(body=b"#EXTM3U old"), Reply(body=b"#EXTM3U new"))
    primed = _primed(origin, clock)
    primed.run()
    clock.advance(MAX_AGE + 0.1)
    assert primed.get(URL, kind="playlist", max_bytes=LIMIT).data == b"#EXTM3U new"
    assert not primed.used
    assert origin.urls() == [URL, URL]


def test_a_failed_prefetch_leaves_the_loader_its_own_request() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.script(URL, Reply(status=503), Reply(body=b"#EXTM3U ok"))
    primed = _primed(origin, clock)
    primed.run()
    assert primed.get(URL, kind="playlist", max_bytes=LIMIT).data == b"#EXTM3U ok"
    assert not primed.used
    assert [r.outcome for r in origin.requests] == ["503", "200"]


def test_another_request_goes_to_the_origin() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.serve(URL, b"#EXTM3U")
    origin.serve(ORIGIN + "s1.ts", b"segment")
    primed = _primed(origin, clock)
    primed.run()
    assert primed.get(ORIGIN + "s1.ts", kind="segment", max_bytes=LIMIT).data == b"segment"
    assert not primed.used
    assert origin.urls() == [URL, ORIGIN + "s1.ts"]


def test_an_answer_over_the_callers_limit_is_not_handed_over() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.serve(URL, b"#EXTM3U" + b"x" * 100)
    primed = _primed(origin, clock)
    primed.run()
    with pytest.raises(ResponseTooLarge):
        primed.get(URL, kind="playlist", max_bytes=10)
    assert not primed.used


def test_a_cancelled_wait_ends_before_the_prefetch_does() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    primed = _primed(origin, clock)  # never run: the prefetch is still under way
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(FetchAborted):
        primed.get(URL, kind="playlist", max_bytes=LIMIT, cancel=cancel)
    assert origin.urls() == []


def test_closed_before_the_prefetch_ran_it_sends_nothing() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.serve(URL, b"#EXTM3U")
    primed = _primed(origin, clock)
    primed.close()
    primed.run()
    assert origin.urls() == []
    with pytest.raises(FetchAborted):
        primed.get(URL, kind="playlist", max_bytes=LIMIT)


def test_an_hls_source_plays_from_a_primed_fetcher_with_one_playlist_request() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.serve_directory(ORIGIN, ts_vod())
    primed = _primed(origin, clock, ORIGIN + "index.m3u8")
    primed.run()
    src = HlsSource(ORIGIN + "index.m3u8", clock=clock, fetcher=primed, rand=lambda: 0.5)
    reader = PacedReader(src, clock)
    try:
        drive(clock, 2, lambda: reader.done)
        reader.join()
    finally:
        src.close()
    assert primed.used
    assert reader.info is not None and reader.packets
    assert origin.urls() == [ORIGIN + u for u in ("index.m3u8", "s000.ts", "s001.ts", "s002.ts")]


def test_a_source_that_is_not_hls_closes_the_fetcher_it_was_given() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.serve(URL, b"#EXTM3U")
    primed = _primed(origin, clock)
    primed.run()
    make_source(classify(ORIGIN + "clip.mp4"), DEFAULT_CONFIG, clock, lambda e: None, primed)
    with pytest.raises(FetchAborted):
        primed.get(URL, kind="playlist", max_bytes=LIMIT)


def test_an_hls_target_gets_the_fetcher() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.serve(URL, b"#EXTM3U")
    primed = _primed(origin, clock)
    primed.run()
    src = make_source(classify(URL), DEFAULT_CONFIG, clock, lambda e: None, primed)
    try:
        assert isinstance(src, HlsSource)
    finally:
        src.close()
    # closing the source closes the fetcher it was given
    with pytest.raises(FetchAborted):
        primed.get(URL, kind="playlist", max_bytes=LIMIT)
