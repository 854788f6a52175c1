"""``hls.head_start``: the first playlist asked for as the open begins, and
the HLS source playing from that answer (a scripted origin on a manual
clock: no sockets, no sleeps)."""

from __future__ import annotations

from player.clock import ManualClock
from player.config import NetworkConfig
from player.hls.head_start import HeadStart
from player.hls.hls_source import HlsSource
from tests.support.clocked_run import ThreadsStarted, play_to_end
from tests.support.fake_fetcher import FakeFetcher, Reply
from tests.support.hls_media import ts_vod

ORIGIN = "http://origin.test/"
PLAYLIST = ORIGIN + "index.m3u8"


def test_the_answer_is_given_once_and_only_for_its_url() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.serve(PLAYLIST, "#EXTM3U\n")
    head = HeadStart(PLAYLIST, NetworkConfig(), clock, origin)
    assert head.take(ORIGIN + "other.m3u8") is None
    result = head.take(PLAYLIST)
    assert result is not None and result.data == b"#EXTM3U\n"
    assert head.take(PLAYLIST) is None  # the source asks itself from now on
    assert origin.urls() == [PLAYLIST]


def test_a_failed_request_gives_none_for_the_loader_to_ask_again() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.script(PLAYLIST, Reply(status=503))
    assert HeadStart(PLAYLIST, NetworkConfig(), clock, origin).take(PLAYLIST) is None


def test_the_source_plays_from_the_head_start_without_asking_again() -> None:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.serve_directory(ORIGIN, ts_vod(), ttfb=0.05, bits_per_second=4e6)
    early = ThreadsStarted("hls-early-", prefix=True)  # the head start's request
    head = HeadStart(PLAYLIST, NetworkConfig(), clock, origin)
    src = HlsSource(PLAYLIST, clock=clock, head_start=head, rand=lambda: 0.5)
    reader = play_to_end(src, clock, early)
    assert reader.info is not None
    assert any(p.stream.kind == "video" for p in reader.packets)
    # the head start's fetcher is the source's, and its answer was the playlist
    assert origin.urls() == [ORIGIN + u for u in ("index.m3u8", "s000.ts", "s001.ts", "s002.ts")]
