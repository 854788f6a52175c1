"""A VOD origin over real loopback HTTP that goes away (connections
refused, 503s, or requests held unanswered) for five read timeouts, longer
than the buffer, while the player plays: the buffer plays out, playback
shows buffering, each retry is reported, and when the origin answers again
the stream plays on from where it stopped to its end, nothing skipped and
no error."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lab.origin import OutageMode, ThrottleServer
from player import PlayerState
from player.config import AudioConfig, BufferConfig
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

#: 4 s fetched ahead (two segments), no audio device: an outage of 10 s outlasts it
CONFIG = replace(
    TEST_CONFIG,
    audio=AudioConfig(enabled=False),
    buffer=replace(BufferConfig(), max_seconds=4.0),
)


@pytest.mark.parametrize("mode", ["refuse", "error", "hang"])
def test_a_vod_outage_of_five_read_timeouts_is_ridden_out(mode: OutageMode) -> None:
    seconds = 5 * CONFIG.network.read_timeout
    with ThrottleServer(hls_media.ts_vod(12.0)) as srv:
        probe = Probe(CONFIG)
        try:
            probe.player.open(srv.url("index.m3u8"))
            probe.wait_state(PlayerState.PLAYING, 10)
            probe.wait_frames(20, 10)  # a second of 20 fps played
            srv.outage(seconds, mode)
            stalled = probe.wait_event(
                BufferingChanged,
                seconds + 5,
                lambda e: (e.buffering and e.rebuffer) or bool(probe.of(ErrorOccurred)),
            )
            assert not probe.of(ErrorOccurred), probe.of(ErrorOccurred)
            probe.wait_event(Reconnecting, seconds + 5)
            back = probe.wait_event(Reconnected, seconds + 10)
            probe.wait_state(PlayerState.ENDED, 30)
            report = probe.report()
        finally:
            probe.close()
    assert not probe.of(ErrorOccurred), probe.of(ErrorOccurred)
    assert stalled.t < back.t
    assert seconds - 4.0 <= back.outage <= seconds + 4.0
    retries = probe.of(Reconnecting)
    assert [e.attempt for e in retries] == list(range(1, len(retries) + 1))
    assert all(0 <= e.delay <= 3.0 for e in retries)
    assert not [w for w in probe.of(WarningRaised) if w.code == "segment-skipped"]
    # every frame of the 12 s decoded, nothing skipped; the few the presenter
    # drops as late when playback resumes (issue 11's overload rule) are counted
    frames = report["frames"]
    pts = [p for p, _ in probe.sink.shown]
    assert max(pts) == pytest.approx(12.0, abs=0.2)
    assert frames["decoded"] >= 12 * 25 - 2
    assert len(pts) + frames["dropped"] >= frames["decoded"] - 2
    assert frames["dropped"] <= 25
    assert report["reconnects"] == 1
    kinds = [entry["type"] for entry in report["timeline"]]
    assert "reconnecting" in kinds and "reconnected" in kinds
