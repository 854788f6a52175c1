"""Live HLS through an origin outage, against real-time loopback origins
(``LowLatencyServer``: LL-HLS parts, or a plain sliding window of whole
segments) that go away for longer than the buffer while their content goes
on being produced: playback stalls, the loss is reported, no fatal error;
when the origin answers again the player rejoins at the target latency by
itself, on one monotonic timeline. An outage longer than the bound is one
clear network error."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from lab.origin import LowLatencyServer, OutageMode
from player import PlayerState, StateChanged, StatsUpdated
from player.config import AudioConfig, PlayerConfig
from player.events import (
    BufferingChanged,
    ErrorOccurred,
    Reconnected,
    Reconnecting,
    WarningRaised,
)
from tests.support import hls_media
from tests.support.player_probe import TEST_CONFIG, Probe

pytestmark = pytest.mark.integration

BACKLOG = 40  # parts already "produced" when the origin starts (20 s)
NO_AUDIO = replace(TEST_CONFIG, audio=AudioConfig(enabled=False))


def origin(*, low_latency: bool = True) -> LowLatencyServer:
    # 90 s of media: the origin produces in real time for 70 s after its start
    return LowLatencyServer(
        hls_media.ll_parts(90.0),
        bandwidths=[300_000, 900_000],
        backlog_parts=BACKLOG,
        low_latency=low_latency,
    )


@pytest.fixture
def ll_origin() -> Iterator[LowLatencyServer]:
    with origin() as srv:
        yield srv


@pytest.fixture
def plain_origin() -> Iterator[LowLatencyServer]:
    with origin(low_latency=False) as srv:
        yield srv


def playing_latencies(probe: Probe, after: float) -> list[tuple[float, float]]:
    """(event time, live latency) of the stats while playing, from ``after`` on."""
    out = []
    for e in probe.of(StatsUpdated):
        latency = e.stats.live_latency_s
        if e.t >= after and e.stats.state == "playing" and latency is not None:
            out.append((e.t, latency))
    return out


def ride_out(
    probe: Probe,
    srv: LowLatencyServer,
    *,
    seconds: float,
    mode: OutageMode,
    target: float,
    warm_up: int = 2,
) -> float:
    """Play, take the origin down for ``seconds`` and check the way through:
    a stall, Reconnecting, no error, Reconnected soon after the origin is
    back, a rejoin at the target latency, playing again; returns the
    session time of Reconnected."""
    probe.wait_state(PlayerState.PLAYING, 10)
    if warm_up:
        probe.wait_event(StatsUpdated, 10, lambda e: len(playing_latencies(probe, 0.0)) >= warm_up)
    assert probe.player.live_latency() is not None
    down_at = time.monotonic()
    srv.outage(seconds, mode)
    stalled = probe.wait_event(BufferingChanged, seconds + 5, lambda e: e.buffering and e.rebuffer)
    probe.wait_event(Reconnecting, seconds + 5)
    back = probe.wait_event(Reconnected, seconds + 10)
    back_wall = time.monotonic()
    restored = srv.outages[-1][2]
    assert restored is not None and srv.outages[-1][1] >= down_at
    # the origin was away for longer than what was buffered: it shows
    assert stalled.t < back.t
    # measured from the first request that failed: up to one reload interval
    # (a target duration) after the origin went
    assert seconds - 2.5 <= back.outage <= seconds + 5.0
    # found again within the retry cap (2 s +50 %) and one request of it
    assert back_wall - restored < 5.0
    # the edge moved on meanwhile: the player jumped to the target point
    rejoin = probe.wait_event(WarningRaised, 5, lambda e: e.code == "live-rejoin")
    assert rejoin.t >= back.t
    probe.wait_event(StateChanged, 8, lambda e: e.state == PlayerState.PLAYING and e.t > back.t)
    assert not probe.of(ErrorOccurred), probe.of(ErrorOccurred)
    attempts = [e.attempt for e in probe.of(Reconnecting)]
    assert attempts == list(range(1, len(attempts) + 1))
    assert all(0 <= e.delay <= 3.0 for e in probe.of(Reconnecting))
    # the report counts it as the engine's own reconnects are counted
    report = probe.report()
    assert report["reconnects"] == len(probe.of(Reconnected))
    kinds = [entry["type"] for entry in report["timeline"]]
    assert "reconnecting" in kinds and "reconnected" in kinds
    return back.t


def assert_latency_back(probe: Probe, since: float, low: float, high: float) -> None:
    """Within 10 s of ``since`` three playing samples in a row lie in [low, high]."""

    def settled(_: StatsUpdated) -> bool:
        recent = [lat for _, lat in playing_latencies(probe, since)][-3:]
        return len(recent) == 3 and all(low <= x <= high for x in recent)

    try:
        probe.wait_event(StatsUpdated, 10, settled)
    except AssertionError:
        raise AssertionError(f"latency not back: {playing_latencies(probe, since)}") from None


def assert_one_timeline(probe: Probe) -> None:
    """The frames shown and the positions reported only go forward, with no
    hole as long as the lag at the rejoin (20 fps: 0.05 s steps)."""
    probe.wait_frames(len(probe.sink.shown) + 20, 5)  # and still going
    pts = [p for p, _ in probe.sink.shown]
    assert len(pts) > 60
    steps = [b - a for a, b in itertools.pairwise(pts)]
    assert min(steps) > 0, "presented pts went backwards"
    # a catch-up jump after the stall (issue 11) skips media on purpose, and
    # says so in the report; any other hole is a broken timeline
    jumps = [
        float(e["skipped"])
        for e in probe.report()["timeline"]
        if e.get("type") == "catch_up" and e.get("action") == "jump"
    ]
    holes = [s for s in steps if s >= 1.0]
    assert len(holes) <= len(jumps), f"a hole of {max(steps):.2f} s in the presented pts"
    assert all(h <= max(jumps) + 0.5 for h in holes), (holes, jumps)
    positions = [e.stats.position_s for e in probe.of(StatsUpdated)]
    # from the start: it once read 0.0, -0.064, 1.0 while the audio device's
    # queue of silence played out
    known = [p for p in positions if p is not None]
    assert len(known) > 5
    assert all(b >= a - 1e-3 for a, b in itertools.pairwise(known)), known


def test_ll_outage_stalls_then_rejoins_at_part_hold_back(ll_origin: LowLatencyServer) -> None:
    """Connections refused for 7 s (the buffer is about 2 s) while the origin
    goes on producing; audio and video, one timeline across the jump."""
    probe = Probe(TEST_CONFIG)
    try:
        probe.player.open(ll_origin.url("master.m3u8"))
        back = ride_out(probe, ll_origin, seconds=7.0, mode="refuse", target=1.5)
        assert_latency_back(probe, back, 1.5 - 0.3, 1.5 + 1.2)
        assert probe.player.state == PlayerState.PLAYING
        assert_one_timeline(probe)
    finally:
        probe.close()


def test_plain_live_outage_rejoins_three_target_durations_back(
    plain_origin: LowLatencyServer,
) -> None:
    """A sliding window of 2 s segments (target 3 x 2 s), 503 for 10 s: the
    6 s of buffer run out, the playlist is retried with backoff (no busy
    loop), and playback rejoins 6 s from the edge."""
    probe = Probe(NO_AUDIO)
    try:
        probe.player.open(plain_origin.url("master.m3u8"))
        back = ride_out(probe, plain_origin, seconds=10.0, mode="error", target=6.0)
        assert_latency_back(probe, back, 6.0 - 1.0, 6.0 + 2.0)
        assert_one_timeline(probe)
        # backoff: a handful of requests in 10 s, not a loop
        assert 3 <= len(plain_origin.outage_requests) <= 25, plain_origin.outage_requests
    finally:
        probe.close()
    assert "#EXT-X-PART" not in plain_origin.media(0, plain_origin.produced())


def test_outage_in_the_first_second_with_requests_hanging(ll_origin: LowLatencyServer) -> None:
    """The origin stops answering (requests held, no error) right after the
    first frames, with well under a second buffered: no 'no data' timeout,
    the same rejoin."""
    probe = Probe(NO_AUDIO)
    try:
        probe.player.open(ll_origin.url("master.m3u8"))
        probe.wait_frames(1, 10)
        back = ride_out(probe, ll_origin, seconds=6.0, mode="hang", target=1.5, warm_up=0)
        assert_latency_back(probe, back, 1.5 - 0.3, 1.5 + 1.2)
        assert_one_timeline(probe)
    finally:
        probe.close()


def test_outage_beyond_the_bound_is_one_network_error(ll_origin: LowLatencyServer) -> None:
    """An origin that does not come back within ``live_outage_timeout``: one
    fatal network error saying so, its URL redacted, soon after the bound."""
    bound = 5.0
    config: PlayerConfig = replace(
        NO_AUDIO, network=replace(NO_AUDIO.network, live_outage_timeout=bound)
    )
    probe = Probe(config)
    try:
        probe.player.open(ll_origin.url("master.m3u8?token=s3cret"))
        probe.wait_state(PlayerState.PLAYING, 10)
        ll_origin.outage(None, "refuse")
        down_at = time.monotonic()
        error = probe.wait_event(ErrorOccurred, bound + 10)
        took = time.monotonic() - down_at
        probe.wait_state(PlayerState.ERROR, 2)
    finally:
        probe.close()
    assert error.fatal and error.kind == "network"
    assert "unreachable" in error.message and "s3cret" not in error.message
    assert "master.m3u8" in error.message
    # not before the bound, and within it plus one retry and one request
    assert bound - 0.5 <= took <= bound + 3.0 + TEST_CONFIG.network.read_timeout + 1.0
    assert len(probe.of(ErrorOccurred)) == 1
    assert probe.of(Reconnecting) and not probe.of(Reconnected)
