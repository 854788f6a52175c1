"""The gentle rate that holds an HLS stream's live latency (issue 11): HOLD-BACK
is held as a distance from the playlist's end, not on the program date,
which carries the packager's own delay (steered on the date, the latency
fell 10-30 ms a second for a minute). LL-HLS holds PART-HOLD-BACK on the
date as before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import cast

from player.clock import ManualClock
from player.events import MediaInfo, VideoInfo
from player.load_control import LowWater
from player.source import Source, SourceInfo, StreamSpec
from tests.support.sessions import headless_session


@dataclass
class _LiveHls:
    """A live HLS source's two latency figures, set by the test."""

    by_date: float
    to_edge: float

    def live_latency(self) -> float | None:
        return self.by_date

    def program_date_time(self, position: float) -> datetime | None:
        return None

    def edge_latency(self) -> float | None:
        return self.to_edge


def _steer(target: float, low_latency: bool, source: _LiveHls) -> float:
    """The rate the control loop's steer sets once, from normal speed."""
    clock = ManualClock()
    session = headless_session(clock)
    media = MediaInfo(
        url="http://o.test/live.m3u8",
        protocol="hls",
        container="mpegts",
        duration=None,
        is_live=True,
        seekable=False,
        video=VideoInfo("h264", 320, 240, 25.0, "yuv420p"),
        audio=None,
    )
    spec = StreamSpec("video", "h264", Fraction(1, 90000), lambda: None, 320, 240)
    session.info = SourceInfo(
        media=media,
        video=spec,
        audio=None,
        extra={"live_target_latency": target, "low_latency": low_latency},
    )
    session.media = media
    session.source = cast(Source, source)
    session.control._steer_live_rate(LowWater(), clock.now(), 3.0)
    return session.speed


def test_hold_back_is_held_from_the_playlists_end_not_the_date() -> None:
    # at HOLD-BACK from the end; the date says 0.7 s more (the packager's
    # segment and encode): nothing to win back, normal speed
    assert _steer(3.0, False, _LiveHls(by_date=3.7, to_edge=3.0)) == 1.0
    # 0.4 s further from the end than HOLD-BACK: steered back, gently
    rate = _steer(3.0, False, _LiveHls(by_date=4.1, to_edge=3.4))
    assert 1.0 < rate <= 1.03
    # closer to the end than HOLD-BACK: slowed, whatever the date says
    assert _steer(3.0, False, _LiveHls(by_date=3.0, to_edge=2.6)) < 1.0


def test_ll_hls_holds_part_hold_back_on_the_date() -> None:
    assert _steer(1.0, True, _LiveHls(by_date=1.4, to_edge=1.0)) > 1.0
    assert _steer(1.0, True, _LiveHls(by_date=1.0, to_edge=1.4)) == 1.0
