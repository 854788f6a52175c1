"""The HLS loader's answers to a segment that stalls, fails or trickles,
driven by a scripted fetcher (no sockets): where a broken body is resumed
from, when a slow transfer is reported and given up, and that one segment
missing everywhere is a gap, not the end of the stream."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from player.abr.estimator import BandwidthEstimator
from player.config import DEFAULT_CONFIG, NetworkConfig
from player.errors import NetworkError
from player.events import Event, WarningRaised
from player.fetch import (
    FetchResult,
    HttpStatusError,
    PartialTransfer,
    ProgressCallback,
    RangeStream,
    TransferKind,
    TransferStats,
)
from player.hls.downloads import Downloads
from player.hls.hint_streams import HintStreams
from player.hls.live import target_latency
from player.hls.live_edge import live_start_point
from player.hls.playlist import MediaPlaylist, parse_playlist
from player.hls.slow_transfer import slow_verdict
from player.hls.source import HlsSource
from tests.support import hls_media
from tests.support.hls_packets import read_all

#: what a scripted URL answers: bytes, an error to raise, or a function of the request
Answer = bytes | Exception | Callable[["Call"], bytes]


class Call:
    def __init__(
        self, url: str, byterange: tuple[int, int] | None, progress: ProgressCallback | None
    ) -> None:
        self.url = url
        self.byterange = byterange
        self.progress = progress


class ScriptedFetcher:
    """Answers each URL from its script, one answer per request (the last
    one repeats); records every request."""

    def __init__(self, script: dict[str, list[Answer]]) -> None:
        self.script = script
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def get(
        self,
        url: str,
        *,
        kind: TransferKind = "segment",
        max_bytes: int,
        byterange: tuple[int, int] | None = None,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> FetchResult:
        call = Call(url, byterange, progress)
        with self._lock:
            self.calls.append(call)
            n = sum(1 for c in self.calls if c.url == url)
        answers = self.script.get(url)
        if not answers:
            raise HttpStatusError(404, url)
        answer = answers[min(n, len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        data = answer(call) if callable(answer) else answer
        if byterange is not None and not callable(answer):
            data = data[byterange[0] : byterange[0] + byterange[1]]
        stats = TransferStats(url, kind, len(data), 0.0, 0.001, 0.01)
        return FetchResult(url, data, "video/mp2t", stats)

    def open_range(
        self,
        url: str,
        offset: int,
        *,
        kind: TransferKind = "part",
        max_bytes: int,
        timeout: float | None = None,
        cancel: threading.Event | None = None,
    ) -> RangeStream:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def requests(self, suffix: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.url.endswith(suffix)]


def downloads(fetcher: ScriptedFetcher, warnings: list[str]) -> Downloads:
    cancel = threading.Event()
    streams = HintStreams(
        fetcher,
        cancel,
        max_bytes=1 << 20,
        check_stop=lambda: None,
        warn=lambda code, msg: warnings.append(code),
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
        warn=lambda code, msg: warnings.append(code),
        decrypt=lambda data, key, iv: data,
    )


BODY = bytes(range(256)) * 4  # 1024 bytes


def test_a_broken_body_is_resumed_from_the_byte_where_it_stopped() -> None:
    url = "http://origin/s1.ts"
    fetcher = ScriptedFetcher(
        {url: [PartialTransfer("reset", BODY[:300], len(BODY), resumable=True), BODY]}
    )
    warnings: list[str] = []
    got = downloads(fetcher, warnings).get(url, "segment", 1 << 20)
    assert got.data == BODY
    assert [c.byterange for c in fetcher.calls] == [None, (300, len(BODY) - 300)]
    assert warnings == ["segment-resumed"]


def test_a_resumed_range_resumes_again_within_the_range() -> None:
    url = "http://origin/s1.ts"
    fetcher = ScriptedFetcher(
        {
            url: [
                PartialTransfer("stall", BODY[100:200], 400, resumable=True),
                PartialTransfer("stall", BODY[200:250], 300, resumable=True),
                BODY,
            ]
        }
    )
    got = downloads(fetcher, []).get(url, "segment", 1 << 20, byterange=(100, 400))
    assert got.data == BODY[100:500]
    assert [c.byterange for c in fetcher.calls] == [(100, 400), (200, 300), (250, 250)]


def test_without_ranges_the_segment_starts_again_and_the_bytes_are_dropped() -> None:
    url = "http://origin/s1.ts"
    fetcher = ScriptedFetcher(
        {url: [PartialTransfer("reset", BODY[:300], len(BODY), resumable=False), BODY]}
    )
    warnings: list[str] = []
    got = downloads(fetcher, warnings).get(url, "segment", 1 << 20)
    assert got.data == BODY
    assert [c.byterange for c in fetcher.calls] == [None, None]
    assert warnings == []


def test_a_playlist_is_never_resumed() -> None:
    url = "http://origin/index.m3u8"
    fetcher = ScriptedFetcher({url: [PartialTransfer("reset", b"#EXTM3U\n", 50, True), b"x"]})
    downloads(fetcher, []).get(url, "playlist", 1 << 20)
    assert [c.byterange for c in fetcher.calls] == [None, None]


def test_a_404_is_tried_twice_then_fails() -> None:
    url = "http://origin/s1.ts"
    fetcher = ScriptedFetcher({url: [HttpStatusError(404, url)]})
    with pytest.raises(HttpStatusError):
        downloads(fetcher, []).get(url, "segment", 1 << 20)
    assert len(fetcher.calls) == 2
    once = ScriptedFetcher({url: [HttpStatusError(404, url), BODY]})
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
        (0, 75_000, 2.0, 30.0, (True, True)),  # nothing at all yet
    ],
)
def test_slow_verdict(
    done: int, size: int | None, elapsed: float, buffer: float, expected: tuple[bool, bool]
) -> None:
    assert slow_verdict(done, size, elapsed, buffer, 2.0, patience=3.0) == expected


# --------------------------------------------------------------------------- the loader

BASE = "http://origin/"


def vod_script(root: Path) -> dict[str, list[Answer]]:
    script: dict[str, list[Answer]] = {}
    for f in sorted(root.iterdir()):
        if f.suffix in (".ts", ".m3u8"):
            script[BASE + f.name] = [f.read_bytes()]
    return script


def video_times(src: HlsSource) -> tuple[list[float], Exception | None]:
    packets = []
    error: Exception | None = None
    try:
        while (p := src.read()) is not None:
            packets.append(p)
    except NetworkError as exc:
        error = exc
    return [p.dts for p in packets if p.stream.kind == "video" and p.dts is not None], error


def test_a_segment_missing_everywhere_is_skipped_as_a_gap() -> None:
    script = vod_script(hls_media.ts_vod(8.0))
    script[BASE + "s001.ts"] = [HttpStatusError(404, BASE + "s001.ts")]
    fetcher = ScriptedFetcher(script)
    events: list[Event] = []
    src = HlsSource(BASE + "index.m3u8", fetcher=fetcher, emit=events.append, rand=lambda: 0.0)
    try:
        src.open()
        video, error = video_times(src)
        gaps = src.segment_gaps
        marks = [e.marker for e in src.timeline() if e.marker]
    finally:
        src.close()
    assert error is None
    assert max(video) == pytest.approx(8.0, abs=0.3)
    assert not any(2.05 < t < 3.95 for t in video)  # its time stays a hole
    assert any(t < 2.0 for t in video) and any(4.0 <= t < 6.0 for t in video)
    assert gaps == [1] and "gap" in marks
    assert len(fetcher.requests("s001.ts")) == 2  # the 404 was tried again once
    skipped = [e for e in events if isinstance(e, WarningRaised) and e.code == "segment-skipped"]
    assert len(skipped) == 1 and "segment 1" in skipped[0].message


def test_segments_missing_in_a_row_end_the_stream_after_what_loaded() -> None:
    script = vod_script(hls_media.ts_vod(16.0))
    for n in range(2, 8):
        script[BASE + f"s00{n}.ts"] = [HttpStatusError(404, BASE + f"s00{n}.ts")]
    fetcher = ScriptedFetcher(script)
    src = HlsSource(BASE + "index.m3u8", fetcher=fetcher, rand=lambda: 0.0)
    try:
        src.open()
        video, error = video_times(src)
    finally:
        src.close()
    # what loaded before the failures is handed out first, then the error
    assert max(video) == pytest.approx(4.0, abs=0.3)
    assert isinstance(error, NetworkError) and "3 segments in a row" in str(error)
    assert not fetcher.requests("s005.ts")  # given up at the third


def test_read_waits_for_the_loaders_retry_of_a_stalled_segment() -> None:
    """The first request of s001 delivers some bytes then hangs for the read
    timeout and breaks off; read() must leave the retry (a range from the
    byte where it stopped) to the loader, not give up at the same moment."""
    root = hls_media.ts_vod(6.0)
    script = vod_script(root)
    body = (root / "s001.ts").read_bytes()
    timeout = 0.6

    def stall(call: Call) -> bytes:
        assert call.progress is not None
        call.progress(1000, len(body), 0.01)
        time.sleep(timeout)  # the fetcher's read timeout running out
        raise PartialTransfer("timed out", body[:1000], len(body), resumable=True)

    script[BASE + "s001.ts"] = [stall, body]
    fetcher = ScriptedFetcher(script)
    config = replace(DEFAULT_CONFIG, network=NetworkConfig(read_timeout=timeout, open_timeout=1))
    src = HlsSource(BASE + "index.m3u8", fetcher=fetcher, config=config, rand=lambda: 0.9)
    try:
        src.open()
        video, error = video_times(src)
    finally:
        src.close()
    assert error is None
    assert max(video) == pytest.approx(6.0, abs=0.3)
    assert [c.byterange for c in fetcher.requests("s001.ts")] == [None, (1000, len(body) - 1000)]


def test_read_still_gives_up_on_a_loader_that_gets_nothing() -> None:
    """The error bound holds: a segment whose every try times out without a
    byte (the loader would go on retrying for several seconds) ends the read
    within two read timeouts of the last byte, not when the retries end."""
    root = hls_media.ts_vod(6.0)
    script = vod_script(root)
    timeout = 0.5
    tries: list[float] = []

    def hang(call: Call) -> bytes:
        tries.append(time.monotonic())
        time.sleep(timeout)
        raise NetworkError("timed out")

    script[BASE + "s001.ts"] = [hang]
    config = replace(DEFAULT_CONFIG, network=NetworkConfig(read_timeout=timeout, open_timeout=1))
    src = HlsSource(
        BASE + "index.m3u8", fetcher=ScriptedFetcher(script), config=config, rand=lambda: 0.0
    )
    try:
        src.open()
        with pytest.raises(NetworkError, match="no HLS data"):
            read_all(src)
        ended = time.monotonic()
    finally:
        src.close()
    assert len(tries) >= 2  # the loader was retrying meanwhile
    # the last bytes came before the first try; a loaded machine gets a margin
    assert ended - tries[0] < 2 * timeout + 1.5


def test_live_a_segment_behind_the_edge_that_the_origin_lacks_is_a_gap() -> None:
    """Live: the origin answers (the playlist reloads) but 404s one segment
    behind the edge: it is a gap, not an outage ridden out until the bound."""
    root = hls_media.ts_vod(16.0)
    script = vod_script(root)
    playlist = (root / "index.m3u8").read_text().replace("#EXT-X-ENDLIST\n", "")
    playlist = playlist.replace("#EXT-X-PLAYLIST-TYPE:VOD\n", "")
    script[BASE + "index.m3u8"] = [playlist.encode()]
    pl = parse_playlist(playlist, BASE + "index.m3u8")
    assert isinstance(pl, MediaPlaylist)
    first, _ = live_start_point(pl, False, target_latency(pl, False))
    assert first < pl.last_sequence - 1  # behind the edge
    missing = f"s{first:03d}.ts"
    script[BASE + missing] = [HttpStatusError(404, BASE + missing)]
    fetcher = ScriptedFetcher(script)
    src = HlsSource(BASE + "index.m3u8", fetcher=fetcher, rand=lambda: 0.0)
    try:
        info = src.open()
        assert info.media.is_live
        # the segment after the hole arrives: read until past it
        while (p := src.read()) is not None and (p.dts is None or p.dts < 2.5):
            pass
        gaps = list(src.segment_gaps)
    finally:
        src.close()
    assert gaps == [first]
    assert len(fetcher.requests(missing)) == 2
