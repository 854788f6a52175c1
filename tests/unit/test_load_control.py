from __future__ import annotations

from player.config import BufferConfig, LatencyConfig
from player.load_control import CatchUpAction, LoadControl, catch_up


def test_vod_starts_at_start_threshold() -> None:
    lc = LoadControl(BufferConfig(start_seconds=1.0), LatencyConfig(), live=False)
    assert not lc.should_start(0.5, rebuffer=False, eos=False, have_frame=True)
    assert lc.should_start(1.0, rebuffer=False, eos=False, have_frame=True)
    assert not lc.should_start(5.0, rebuffer=False, eos=False, have_frame=False)


def test_rebuffer_needs_more() -> None:
    lc = LoadControl(BufferConfig(start_seconds=1.0, rebuffer_seconds=2.0), LatencyConfig(), False)
    assert not lc.should_start(1.5, rebuffer=True, eos=False, have_frame=True)
    assert lc.should_start(1.5, rebuffer=True, eos=True, have_frame=False)
    assert lc.percent(1.0, rebuffer=True) == 50.0


def test_low_latency_live_starts_at_once() -> None:
    lc = LoadControl(BufferConfig(), LatencyConfig(low_latency=True), live=True)
    assert lc.should_start(0.0, rebuffer=False, eos=False, have_frame=True)
    assert lc.percent(0.0, rebuffer=False) == 100.0


def test_catch_up_speeds_up_then_returns_to_normal() -> None:
    cfg = LatencyConfig(target_latency=0.3, catch_up="speed", catch_up_threshold=0.5)
    assert catch_up(0.5, 1.0, cfg) == CatchUpAction.NONE
    assert catch_up(1.0, 1.0, cfg) == CatchUpAction.SPEED_UP
    assert catch_up(0.6, 1.05, cfg) == CatchUpAction.NONE
    assert catch_up(0.35, 1.05, cfg) == CatchUpAction.NORMAL_SPEED


def test_catch_up_jumps_when_far_behind_or_configured_to_drop() -> None:
    assert catch_up(5.0, 1.0, LatencyConfig(drop_threshold=3.0)) == CatchUpAction.JUMP
    drop = LatencyConfig(catch_up="drop", catch_up_threshold=0.5, target_latency=0.3)
    assert catch_up(1.0, 1.0, drop) == CatchUpAction.JUMP
    assert catch_up(0.5, 1.0, drop) == CatchUpAction.NONE


def test_live_rate_steers_gently_toward_the_target() -> None:
    from player.load_control import live_rate

    assert live_rate(1.0, 1.0) == 1.0
    assert live_rate(1.03, 1.0) == 1.0  # inside the dead band
    assert 1.0 < live_rate(1.3, 1.0) <= 1.03
    assert 0.97 <= live_rate(0.7, 1.0) < 1.0
    assert live_rate(10.0, 1.0) == 1.03
    assert live_rate(0.0, 5.0) == 0.97
