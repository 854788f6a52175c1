from __future__ import annotations

from player.config import LOW_LATENCY_DEVICE_S, AudioConfig, BufferConfig, LatencyConfig
from player.load_control import CatchUpAction, LevelBefore, LoadControl, catch_up


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


#: issue 11: --low-latency RTSP/RTMP at most this far behind the glass
GLASS_TARGET_S = 0.3
#: what the source and the screen take of it (measured on the glass bench:
#: the painted A+V RTMP source 10-30 ms, the window's paint about 20 ms)
NOT_OURS_S = 0.05


def test_the_low_latency_defaults_leave_the_glass_target_room() -> None:
    """Our share (``buffered``, the device's queue in it) rests at most a
    quarter threshold over the target, and is caught up from just over the
    threshold: both under the glass target less what is not ours, with room
    for the device's queue (an A+V RTMP start that buffered 0.3 s played
    0.31-0.36 s behind the glass with the old 0.3 s target and 0.5 s
    threshold, and nothing caught it up)."""
    cfg = LatencyConfig(low_latency=True)
    assert cfg.target_latency + cfg.catch_up_threshold <= GLASS_TARGET_S - NOT_OURS_S
    assert AudioConfig().device_latency(low_latency=True) == LOW_LATENCY_DEVICE_S
    assert cfg.target_latency > LOW_LATENCY_DEVICE_S  # room for media beyond it
    over = cfg.target_latency + cfg.catch_up_threshold
    assert catch_up(over + 0.01, 1.0, cfg) == CatchUpAction.SPEED_UP
    assert catch_up(over - 0.01, 1.0, cfg) == CatchUpAction.NONE
    resting = cfg.target_latency + cfg.catch_up_threshold / 4
    fast = cfg.catch_up_speed
    assert catch_up(resting + 0.01, fast, cfg) == CatchUpAction.NONE
    assert catch_up(resting - 0.001, fast, cfg) == CatchUpAction.NORMAL_SPEED


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


def test_after_a_stall_small_backlogs_are_played_away_fast_and_large_ones_jumped() -> None:
    from player.load_control import CatchUpAction, recover_latency

    assert recover_latency(0.05, 1.0) == CatchUpAction.NONE  # jitter, not a backlog
    # a backlog of 0.1 s would stay 100 ms behind where it was: won back
    assert recover_latency(0.1, 1.0) == CatchUpAction.SPEED_UP
    assert recover_latency(0.3, 1.0) == CatchUpAction.SPEED_UP
    assert recover_latency(0.3, 1.03) == CatchUpAction.SPEED_UP  # from a gentle steer
    assert recover_latency(0.3, 1.1) == CatchUpAction.NONE  # already winning it back
    assert recover_latency(0.03, 1.1) == CatchUpAction.NORMAL_SPEED
    assert recover_latency(0.03, 1.0) == CatchUpAction.NONE
    # 0.5 s at 10 % fast takes 5 s: anything more is jumped at once
    assert recover_latency(0.6, 1.0) == CatchUpAction.JUMP
    assert recover_latency(0.6, 1.1) == CatchUpAction.JUMP
    # a stream that runs short is left alone (a stall handles it)
    assert recover_latency(-0.3, 1.0) == CatchUpAction.NONE


def test_low_water_is_the_least_buffer_over_its_window() -> None:
    from player.clock import ManualClock
    from player.load_control import LowWater

    clock = ManualClock()
    lw = LowWater(window=1.0)
    # bursts: 1.5 s when a keyframe lands, 0.6 s just before the next
    for n in range(40):
        least = lw.add(clock.now(), 1.5 if n % 10 == 0 else 0.6 + 0.01 * (9 - n % 10))
        clock.advance(0.1)
    assert least == 0.6
    assert lw.settled(clock.now())
    lw.clear()
    assert not lw.settled(clock.now())
    assert lw.add(clock.now(), 2.0) == 2.0
    clock.advance(0.5)
    assert not lw.settled(clock.now())
    # an old low sample leaves the window
    lw.add(clock.now(), 3.0)
    clock.advance(0.6)
    assert lw.add(clock.now(), 3.0) == 3.0


def test_the_level_before_a_stall_is_the_highest_low_water_of_the_last_span() -> None:
    level = LevelBefore(span=3.0)
    assert level.level(0.0) is None
    for n, least in enumerate([0.5, 0.52, 0.48, 0.3, 0.1, 0.0]):  # then it drained
        level.add(1.0 + n * 0.5, least)
    assert level.level(3.5) == 0.52
    # 0.52 was seen at 1.5 s: out of the span at 4.6 s, 0.48 (at 2.0 s) stays
    assert level.level(4.6) == 0.48
    assert level.level(10.0) is None
    level.add(10.0, 0.4)
    level.clear()
    assert level.level(10.0) is None
