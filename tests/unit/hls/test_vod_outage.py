"""A VOD origin that goes away for longer than the read timeout and comes
back is ridden out as a live outage is (``Reconnecting`` with its attempt and
delay, the buffer playing out meanwhile, a stall), and the segment it failed
on is fetched again: no gap, no error. Past the outage bound: one clear
error, after what was buffered. One segment failing while the origin answers
is still that segment's fault (a gap). Driven by the scripted origin
(``FakeFetcher``) on a ``ManualClock``."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import TypeVar

import pytest

from player.clock import ManualClock
from player.config import DEFAULT_CONFIG, PlayerConfig
from player.errors import NetworkError
from player.events import Event, Reconnected, Reconnecting, WarningRaised
from player.hls.hls_source import HlsSource
from player.source_api import DemuxPacket
from tests.support import hls_media
from tests.support.clocked_run import PacedReader, ThreadsStarted, drive
from tests.support.fake_fetcher import FakeFetcher, OutageMode, Reply

BASE = "http://origin/"
E = TypeVar("E", bound=Event)
#: 10 s fetched ahead: an outage of 15 s or more outlasts the buffer

CONFIG = replace(DEFAULT_CONFIG, buffer=replace(DEFAULT_CONFIG.buffer, max_seconds=10.0))


def origin(clock: ManualClock, seconds: float = 60.0) -> FakeFetcher:
    fetcher = FakeFetcher(clock)
    root = hls_media.ts_vod(seconds)
    for f in sorted(root.iterdir()):
        if f.suffix in (".ts", ".m3u8"):
            fetcher.script(BASE + f.name, Reply(f.read_bytes(), pieces=4, ranges=True))
    return fetcher


def play(
    fetcher: FakeFetcher, clock: ManualClock, config: PlayerConfig = CONFIG
) -> tuple[PacedReader, list[Event], HlsSource]:
    """The stream played on the clock to its end or its error."""
    events: list[Event] = []
    src = HlsSource(
        BASE + "index.m3u8",
        config=config,
        clock=clock,
        fetcher=fetcher,
        emit=events.append,
        rand=lambda: 0.5,
    )
    loaders = ThreadsStarted("hls-loader")
    reader = PacedReader(src, clock)

    def alive() -> int:  # the loader ends with a fatal error before the reader
        return 1 + loaders.alive()

    try:
        drive(clock, alive, lambda: reader.done)
    finally:
        src.close()
    return reader, events, src


def video_dts(packets: list[DemuxPacket]) -> list[float]:
    return [p.dts for p in packets if p.stream.kind == "video" and p.dts is not None]


def of(events: list[Event], kind: type[E]) -> list[E]:
    return [e for e in events if isinstance(e, kind)]


@pytest.mark.parametrize(("mode", "seconds"), [("refused", 18.0), ("503", 28.0)])
def test_a_vod_outage_longer_than_the_buffer_is_ridden_out(
    mode: OutageMode, seconds: float
) -> None:
    clock = ManualClock()
    fetcher = origin(clock)
    down = 12.0
    fetcher.outage(down, down + seconds, mode)
    reader, events, src = play(fetcher, clock)
    assert reader.error is None
    video = video_dts(reader.packets)
    # every second of the stream played, nothing skipped
    assert max(video) == pytest.approx(60.0, abs=0.3)
    assert src.segment_gaps == []
    steps = sorted(video)
    assert max(b - a for a, b in itertools.pairwise(steps)) < 0.2
    # the buffer played out, then playback waited (a stall) for the origin
    waited = max(b - a for a, b in itertools.pairwise(reader.read_at))
    assert seconds - 10.0 - 2.0 < waited < seconds
    marks = [e.marker for e in src.timeline() if e.marker]
    assert "error" in marks and "reload" in marks and "gap" not in marks
    # each retry reported, numbered, with its delay; the outage measured once over
    retries = of(events, Reconnecting)
    assert [e.attempt for e in retries] == list(range(1, len(retries) + 1))
    assert len(retries) >= 5 and all(0 < e.delay <= 3.0 for e in retries)
    assert all(e.reason for e in retries)
    [back] = of(events, Reconnected)
    assert back.attempt == len(retries)
    assert seconds - 3.0 <= back.outage <= seconds + 3.0
    assert not [w for w in of(events, WarningRaised) if w.code == "segment-skipped"]
    # the segment that failed is fetched again once the origin answers
    first_failed = next(r for r in fetcher.requests if r.outcome not in ("200", "206"))
    again = [r for r in fetcher.requests if r.url == first_failed.url and r.t >= down + seconds]
    assert again and again[0].outcome == "200"
    # a backoff, not a loop: about one request a second while the origin is away
    during = [r for r in fetcher.requests if down <= r.t < down + seconds]
    assert len(during) <= seconds + 5


def test_a_vod_outage_past_the_bound_is_one_error_after_the_buffer() -> None:
    clock = ManualClock()
    fetcher = origin(clock)
    bound = 12.0
    config = replace(CONFIG, network=replace(CONFIG.network, live_outage_timeout=bound))
    fetcher.outage(12.0, 1000.0, "refused")
    reader, events, _ = play(fetcher, clock, config)
    assert isinstance(reader.error, NetworkError)
    message = str(reader.error)
    assert "unreachable" in message and "live" not in message
    # what was buffered played first
    assert max(video_dts(reader.packets)) > 18.0
    failed_at = next(r.t for r in fetcher.requests if r.outcome != "200")
    assert failed_at + bound <= clock.now() <= failed_at + bound + 3.0
    assert of(events, Reconnecting) and not of(events, Reconnected)


def test_one_segment_refused_while_the_origin_answers_is_a_gap_not_an_outage() -> None:
    """The playlist loads while one segment fails the way an outage would:
    the origin is asked once, and the segment is that segment's fault."""
    clock = ManualClock()
    fetcher = origin(clock, 12.0)
    fetcher.script(BASE + "s002.ts", Reply(error=NetworkError("connection reset by peer")))
    reader, events, src = play(fetcher, clock)
    assert reader.error is None
    assert src.segment_gaps == [2]
    assert max(video_dts(reader.packets)) == pytest.approx(12.0, abs=0.3)
    assert not of(events, Reconnecting) and not of(events, Reconnected)
    # why, as a code and its data (the UI words it in its language)
    [skipped] = [w for w in of(events, WarningRaised) if w.code == "segment-skipped"]
    assert skipped.reason_code == "connection-lost"
    assert dict(skipped.reason_params) == {"where": "…"}
    # one look at the playlist during the segment's retries, one before its gap
    playlists = fetcher.urls().count(BASE + "index.m3u8")
    assert playlists == 1 + 2


def test_a_primary_that_goes_away_fails_over_to_its_backup_not_to_an_outage() -> None:
    """The primary copy refuses everything from s002 on (its playlist too)
    while the redundant copy answers: that is a failover, not an outage to
    wait out (the origin check asks the copy in use only)."""
    clock = ManualClock()
    fetcher = FakeFetcher(clock)
    media = hls_media.ts_vod(12.0)
    fetcher.serve_directory(BASE + "primary/", media)
    fetcher.serve_directory(BASE + "backup/", media)
    refused = Reply(error=NetworkError("connection refused by http://origin/primary/"))
    playlist = (media / "index.m3u8").read_bytes()
    fetcher.script(BASE + "primary/index.m3u8", Reply(playlist), refused)
    for n in range(2, 6):
        fetcher.script(BASE + f"primary/s{n:03d}.ts", refused)
    attrs = 'BANDWIDTH=400000,RESOLUTION=320x180,CODECS="avc1.42c00d,mp4a.40.2"'
    fetcher.serve(
        BASE + "index.m3u8",
        f"#EXTM3U\n#EXT-X-STREAM-INF:{attrs}\nprimary/index.m3u8\n"
        f"#EXT-X-STREAM-INF:{attrs}\nbackup/index.m3u8\n",
    )
    reader, events, src = play(fetcher, clock)
    assert reader.error is None and src.segment_gaps == []
    assert max(video_dts(reader.packets)) == pytest.approx(12.0, abs=0.3)
    assert not of(events, Reconnecting)
    loaded = [
        r.url.removeprefix(BASE)
        for r in fetcher.requests
        if r.kind == "segment" and r.outcome == "200"
    ]
    backup = [f"backup/s{n:03d}.ts" for n in range(2, 6)]
    assert loaded == ["primary/s000.ts", "primary/s001.ts", *backup]
    assert [w.code for w in of(events, WarningRaised)] == ["redundant-failover"]


def test_with_reconnect_off_an_outage_is_not_waited_for() -> None:
    """``reconnect=False``: the origin is not asked, nothing is ridden out; the
    segments fail as before (gaps, then the error)."""
    clock = ManualClock()
    fetcher = origin(clock, 30.0)
    fetcher.outage(12.0, 1000.0, "refused")
    config = replace(CONFIG, network=replace(CONFIG.network, reconnect=False))
    reader, events, _ = play(fetcher, clock, config)
    assert isinstance(reader.error, NetworkError) and "in a row" in str(reader.error)
    assert not of(events, Reconnecting)
    assert BASE + "index.m3u8" not in [r.url for r in fetcher.requests if r.t >= 12.0]
