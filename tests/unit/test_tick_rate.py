"""player.tick_rate: the control loop ticks slowly only when nothing can
need it within the slow tick."""

from __future__ import annotations

from typing import Any

import pytest

from player.tick_rate import QUIET_MARGIN, QUIET_TICK, TICK, next_wait

_STEADY: dict[str, Any] = dict(
    playing=True,
    live=False,
    eos=False,
    subtitles=False,
    end_position=False,
    buffered=10.0,
    speed=1.0,
    until_stats=0.7,
)


def test_vod_playing_well_ahead_ticks_quietly() -> None:
    assert next_wait(**_STEADY) == QUIET_TICK


@pytest.mark.parametrize(
    "change",
    [
        {"playing": False},  # buffering, paused: starts and ends are polled
        {"live": True},  # catch-up and latency steering follow the buffer
        {"eos": True},  # the ends of audio and video are polled
        {"subtitles": True},  # cues are timed by the tick
        {"end_position": True},  # --end is polled
        {"buffered": QUIET_TICK + QUIET_MARGIN - 0.01},  # a stall could begin
        {"buffered": 1.0, "speed": 6.0},  # fast playback eats the buffer sooner
    ],
)
def test_anything_that_may_need_the_loop_soon_keeps_the_fast_tick(change: dict[str, Any]) -> None:
    assert next_wait(**{**_STEADY, **change}) == TICK


def test_stats_keep_their_period() -> None:
    assert next_wait(**{**_STEADY, "until_stats": 0.05}) == pytest.approx(0.05)
    # never busier than the fast tick
    assert next_wait(**{**_STEADY, "until_stats": -0.01}) == TICK
