from __future__ import annotations

import pytest

from player.sync import FrameDecision, SyncAction, decide_frame


def _decide(frame: float, master: float, **kw: object) -> FrameDecision:
    args: dict[str, object] = {
        "speed": 1.0,
        "late_threshold": 0.04,
        "resync_threshold": 10.0,
        "next_pts": None,
        "since_last_shown": 0.0,
    }
    args.update(kw)
    return decide_frame(frame, master, **args)  # type: ignore[arg-type]


def test_early_frame_waits_for_its_time() -> None:
    d = _decide(1.0, 0.9)
    assert d.action == SyncAction.WAIT
    assert d.wait == pytest.approx(0.1)


def test_wait_scales_with_speed() -> None:
    d = _decide(1.0, 0.9, speed=2.0)
    assert d.wait == pytest.approx(0.05)


def test_due_frame_is_shown() -> None:
    assert _decide(1.0, 1.01).action == SyncAction.SHOW


def test_late_frame_dropped_only_when_a_newer_one_waits() -> None:
    assert _decide(1.0, 1.1, next_pts=1.033).action == SyncAction.DROP
    assert _decide(1.0, 1.1, next_pts=None).action == SyncAction.SHOW


def test_never_freezes_longer_than_max_freeze() -> None:
    d = _decide(1.0, 1.5, next_pts=1.033, since_last_shown=0.6)
    assert d.action == SyncAction.SHOW


def test_timestamp_jump_resyncs() -> None:
    assert _decide(100.0, 1.0).action == SyncAction.RESYNC
    assert _decide(1.0, 100.0).action == SyncAction.RESYNC
