"""The gentle rate that holds an HLS stream's live latency (issue 11): playing
begins HOLD-BACK from the playlist's end, and the latency by the program
date (which also carries the packager's own delay) is then held where it
settled, not steered onto HOLD-BACK (it fell 10-30 ms a second for a
minute). LL-HLS holds PART-HOLD-BACK on the date as before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from player.clock import ManualClock
from player.load_control import LowWater
from player.source_api import Source
from tests.support.sessions import headless_session, live_hls


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


class _Steered:
    """The control loop's steer on one session, its ticks called by the test."""

    def __init__(self, target: float, low_latency: bool, source: _LiveHls) -> None:
        self.clock = ManualClock()
        session = headless_session(self.clock)
        session.info = live_hls(target, low_latency)
        session.media = session.info.media
        session.source = cast(Source, source)
        self.session = session
        self.low_water = LowWater()

    def tick(self, seconds: float = 0.5) -> float:
        """Half a second on (the loop's steer period), then the rate it set."""
        self.clock.advance(seconds)
        self.session.control._steer_live_rate(self.low_water, self.clock.now(), 3.0)
        return self.session.speed


def test_hls_holds_the_latency_it_settled_at_not_hold_back_by_the_date() -> None:
    # HOLD-BACK (3 s) from the end; the date says 0.7 s more (the packager's
    # segment and encode), which no playing fast removes
    source = _LiveHls(by_date=3.7, to_edge=3.0)
    steered = _Steered(3.0, False, source)
    assert [steered.tick() for _ in range(6)] == [1.0] * 6  # held, not steered onto 3 s
    source.by_date = 4.0  # drifted 0.3 s later than it settled
    assert 1.0 < steered.tick() <= 1.03
    source.by_date = 3.7
    assert steered.tick() == 1.0
    source.by_date = 3.4  # and earlier
    assert 0.97 <= steered.tick() < 1.0


def test_hls_begun_closer_than_hold_back_is_steered_back_to_it() -> None:
    steered = _Steered(3.0, False, _LiveHls(by_date=2.5, to_edge=2.0))
    rates = [steered.tick() for _ in range(4)]
    assert rates[0] == 1.0  # the first second: not yet settled
    assert 0.97 <= rates[-1] < 1.0


def test_ll_hls_holds_part_hold_back_on_the_date() -> None:
    assert _Steered(1.0, True, _LiveHls(by_date=1.4, to_edge=1.0)).tick() > 1.0
    assert _Steered(1.0, True, _LiveHls(by_date=1.0, to_edge=1.4)).tick() == 1.0
