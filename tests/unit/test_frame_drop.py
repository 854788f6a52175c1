"""``frame_drop``: the decoder's frame dropping under overload, on a ManualClock."""

from __future__ import annotations

from player.clock import ManualClock
from player.frame_drop import DropMode, FrameDropPolicy

FRAME = 1 / 30


def _mode(policy: FrameDropPolicy) -> DropMode:
    # read through a call: mypy would narrow the attribute across the steps
    return policy.mode


def _frames(policy: FrameDropPolicy, clock: ManualClock, lateness: float, count: int) -> int:
    """Feeds ``count`` decoded frames, one per frame period; returns how many were kept."""
    kept = 0
    for _ in range(count):
        clock.advance(FRAME)
        kept += policy.keep_frame(lateness, clock.now())
    return kept


def test_on_time_frames_are_all_decoded_and_kept() -> None:
    clock = ManualClock()
    policy = FrameDropPolicy()
    for n in range(90):
        assert policy.decode_packet(-0.02, keyframe=n % 30 == 0, now=clock.now())
    assert _frames(policy, clock, 0.039, 90) == 90  # within the 40 ms allowed
    assert _mode(policy) == DropMode.NONE
    assert not policy.skip_nonref
    assert policy.dropped == 0


def test_untimed_frames_change_nothing() -> None:
    clock = ManualClock()
    policy = FrameDropPolicy()
    assert policy.decode_packet(None, keyframe=False, now=0.0)
    assert policy.keep_frame(None, clock.now())
    assert _mode(policy) == DropMode.NONE and policy.dropped == 0


def test_late_frames_are_dropped_then_non_reference_frames_skipped() -> None:
    clock = ManualClock()
    policy = FrameDropPolicy(nonref_after=3)
    assert policy.keep_frame(0.0, clock.now())
    assert _frames(policy, clock, 0.06, 2) == 0
    assert _mode(policy) == DropMode.NONE  # two late frames: jitter, not overload yet
    assert _frames(policy, clock, 0.06, 1) == 0
    assert _mode(policy) == DropMode.NONREF and policy.skip_nonref
    assert policy.stats.late_after_decode == 3
    assert policy.stats.entered == {"nonref": 1}


def test_decoding_every_frame_again_once_on_time_for_the_recovery_time() -> None:
    clock = ManualClock()
    policy = FrameDropPolicy(nonref_after=1, recover=2.0)
    policy.keep_frame(0.0, clock.now())
    _frames(policy, clock, 0.1, 1)
    assert _mode(policy) == DropMode.NONREF
    # on time again, but for less than the recovery time: still sparing work
    _frames(policy, clock, 0.0, 59)
    assert _mode(policy) == DropMode.NONREF
    _frames(policy, clock, 0.0, 2)
    assert _mode(policy) == DropMode.NONE
    # one late frame during recovery restarts the count
    _frames(policy, clock, 0.1, 1)
    assert _mode(policy) == DropMode.NONREF


def test_far_behind_skips_packets_to_an_on_time_keyframe() -> None:
    clock = ManualClock()
    policy = FrameDropPolicy(keyframe_late=0.5)
    assert not policy.decode_packet(0.8, keyframe=False, now=clock.now())
    assert _mode(policy) == DropMode.TO_KEYFRAME
    for _ in range(10):
        # on time or not, nothing but a keyframe ends the skip
        assert not policy.decode_packet(0.1, keyframe=False, now=clock.now())
    # a keyframe already due is skipped too: its frames would all be late
    assert not policy.decode_packet(0.2, keyframe=True, now=clock.now())
    assert policy.decode_packet(-0.1, keyframe=True, now=clock.now())
    assert _mode(policy) == DropMode.NONREF  # decoding again, sparing non-reference frames
    assert policy.stats.skipped_to_keyframe == 12
    assert policy.stats.entered == {"to_keyframe": 1}
    assert policy.dropped == 12


def test_a_source_that_never_runs_ahead_resumes_at_a_late_keyframe_after_a_while() -> None:
    clock = ManualClock()
    policy = FrameDropPolicy(keyframe_late=0.5, max_skip=2.0)
    assert not policy.decode_packet(0.8, keyframe=False, now=clock.now())
    clock.advance(1.9)
    assert not policy.decode_packet(0.3, keyframe=True, now=clock.now())
    clock.advance(0.1)
    assert policy.decode_packet(0.3, keyframe=True, now=clock.now())
    assert _mode(policy) == DropMode.NONREF


def test_a_machine_that_never_keeps_up_still_shows_a_picture_now_and_then() -> None:
    clock = ManualClock()
    policy = FrameDropPolicy(max_freeze=0.5, freeze_late=0.09)
    assert _frames(policy, clock, 0.3, 30) == 0  # far too late to show, even frozen
    policy.reset()
    kept = _frames(policy, clock, 0.08, 90)  # 3 s of frames, every one late
    # the first, then one per 0.5 s after it (15 frame periods): 6 in 3 s
    assert kept == 6
    assert policy.stats.late_after_decode == 30 + 90 - kept


def test_skipped_non_reference_frames_are_counted() -> None:
    policy = FrameDropPolicy()
    policy.count_nonref_skipped(0)
    policy.count_nonref_skipped(2)
    assert policy.stats.skipped_nonref == 2 and policy.dropped == 2


def test_reset_forgets_the_overload_but_keeps_the_counts() -> None:
    clock = ManualClock()
    policy = FrameDropPolicy(nonref_after=1)
    policy.keep_frame(0.0, clock.now())
    _frames(policy, clock, 0.2, 1)
    assert _mode(policy) == DropMode.NONREF
    policy.reset()
    assert _mode(policy) == DropMode.NONE
    assert policy.stats.late_after_decode == 1
    # after a reset the first slightly late frame is shown: no picture since the seek
    clock.advance(FRAME)
    assert policy.keep_frame(0.06, clock.now())
