"""``hls.hint_streams``: open-ended preload hints read as their parts are listed."""

from __future__ import annotations

import threading

import pytest

from player.clock import ManualClock
from player.fetch import FetchAborted
from player.hls.hint_streams import HintStreams
from player.hls.playlist import ByteRange
from tests.support.fake_fetcher import FakeFetcher, Reply

URL = "http://origin.test/p15.mp4"
BODY = bytes(range(256)) * 4


class Hints:
    def __init__(self) -> None:
        self.origin = FakeFetcher(ManualClock())
        self.origin.serve(URL, BODY)
        self.warnings: list[str] = []
        self.received = 0
        self.stats = {"streamed_parts": 0}
        self.stopped = False
        self.streams = HintStreams(
            self.origin,
            threading.Event(),
            max_bytes=1 << 20,
            check_stop=self._check_stop,
            warn=lambda code, /, **params: self.warnings.append(code),
            received=self._received,
            stats=self.stats,
        )

    def _check_stop(self) -> None:
        if self.stopped:
            raise FetchAborted("stopped")

    def _received(self) -> None:
        self.received += 1


def test_listed_parts_are_read_from_the_open_stream_in_order() -> None:
    h = Hints()
    h.streams.open("main", URL, 0)
    assert h.streams.read(URL, ByteRange(100, 0)) == BODY[:100]
    assert h.streams.read(URL, ByteRange(50, 100)) == BODY[100:150]
    assert h.stats["streamed_parts"] == 2 and h.received == 2
    assert len(h.origin.requests) == 1  # one request for both parts
    # the same hint again is the stream already open: no new request
    h.streams.open("main", URL, 150)
    assert len(h.origin.requests) == 1


def test_a_part_at_another_offset_drops_the_stream_and_is_fetched() -> None:
    h = Hints()
    h.streams.open("main", URL, 0)
    assert h.streams.read(URL, ByteRange(10, 500)) is None
    assert h.streams.read(URL, ByteRange(10, 0)) is None  # dropped: nothing open
    assert h.streams.read("http://origin.test/other.mp4", ByteRange(10, 0)) is None
    assert h.streams.read(URL, None) is None  # a whole resource is never streamed


def test_a_stream_that_ends_early_falls_back_to_fetching() -> None:
    h = Hints()
    h.streams.open("main", URL, 1000)
    assert h.streams.read(URL, ByteRange(100, 1000)) is None  # 24 bytes left of 100
    assert h.stats["streamed_parts"] == 0


def test_a_hint_that_fails_to_open_turns_hints_off_with_one_warning() -> None:
    h = Hints()
    h.origin.script(URL, Reply(status=503))
    h.streams.open("main", URL, 0)
    assert h.warnings == ["preload-hint-failed"] and not h.streams.ok
    h.streams.open("audio", URL, 0)
    assert len(h.origin.requests) == 1  # off: not asked again


def test_owners_have_a_stream_each_and_close_ends_them() -> None:
    h = Hints()
    h.streams.open("main", URL, 0)
    h.streams.open("audio", URL, 0)
    assert len(h.origin.requests) == 2
    h.streams.close()
    assert h.streams.read(URL, ByteRange(10, 0)) is None


def test_stopping_is_not_a_failed_hint() -> None:
    h = Hints()
    h.stopped = True
    with pytest.raises(FetchAborted):
        h.streams.open("main", URL, 0)
    assert h.streams.ok and h.origin.requests == []
