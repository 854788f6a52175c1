"""``hls.early_fetch``: requests started ahead on a thread of their own,
against a scripted origin on a manual clock (no sockets, no sleeps)."""

from __future__ import annotations

import threading

import pytest

from player.clock import ManualClock
from player.fetch import FetchAborted
from player.hls.early_fetch import EarlyFetches
from tests.support.fake_fetcher import FakeFetcher, Reply

URL = "http://o.test/init.mp4"


def _rig() -> tuple[ManualClock, FakeFetcher, threading.Event, list[bool], EarlyFetches]:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    cancel = threading.Event()
    stopped = [False]

    def check_stop() -> None:
        if stopped[0]:
            raise FetchAborted("stopped")

    return clock, origin, cancel, stopped, EarlyFetches(origin, cancel, check_stop)


def test_the_answer_is_taken_once_and_asked_for_once() -> None:
    _, origin, _, _, early = _rig()
    origin.serve(URL, b"moov")
    early.start(("init", URL), URL, "init", 1024)
    early.start(("init", URL), URL, "init", 1024)  # already under way: not asked again
    result = early.take(("init", URL))
    assert result is not None and result.data == b"moov"
    assert early.take(("init", URL)) is None  # taken: the caller asks itself from now on
    assert [r.url for r in origin.requests] == [URL]


def test_a_failed_request_gives_none_for_the_caller_to_ask_again() -> None:
    _, origin, _, _, early = _rig()
    origin.script(URL, Reply(status=503))
    early.start(("init", URL), URL, "init", 1024)
    assert early.take(("init", URL)) is None
    assert early.take(("other", URL)) is None  # never started


def test_a_wait_for_an_answer_ends_when_the_loader_stops() -> None:
    clock, origin, _, stopped, early = _rig()
    origin.script(URL, Reply(body=b"moov", ttfb=5.0))
    early.start(("init", URL), URL, "init", 1024)
    clock.until_waiting()  # the request waits for its headers on the clock
    stopped[0] = True
    with pytest.raises(FetchAborted):
        early.take(("init", URL))
    stopped[0] = False
    clock.advance(5.0)
    result = early.take(("init", URL))  # still there for the next take
    assert result is not None and result.data == b"moov"


def test_discard_forgets_one_kind_only() -> None:
    _, origin, _, _, early = _rig()
    origin.serve("http://o.test/a.m3u8", "#EXTM3U\n")
    origin.serve(URL, b"moov")
    early.start(("playlist", "http://o.test/a.m3u8"), "http://o.test/a.m3u8", "playlist", 1024)
    early.start(("init", URL), URL, "init", 1024)
    early.discard("playlist")
    assert early.take(("playlist", "http://o.test/a.m3u8")) is None
    result = early.take(("init", URL))
    assert result is not None and result.data == b"moov"


def test_a_wait_for_an_answer_is_a_wait_on_the_clock() -> None:
    """Waiting for an early answer blocks on the loader's clock, as a request
    of its own would: a run on a manual clock sees both threads settled and
    moves the clock, so what follows happens in the clock's order."""
    clock, origin, cancel, _, _ = _rig()
    early = EarlyFetches(origin, cancel, lambda: None, clock)
    origin.script(URL, Reply(body=b"moov", ttfb=5.0))
    early.start(("init", URL), URL, "init", 1024)
    taken: list[bytes | None] = []

    def take() -> None:
        result = early.take(("init", URL))
        taken.append(result.data if result is not None else None)

    taker = threading.Thread(target=take)
    taker.start()
    assert clock.settle(2)  # the request and the wait for it, both on the clock
    assert taken == []
    clock.advance(5.0)
    taker.join(5.0)
    assert taken == [b"moov"]
