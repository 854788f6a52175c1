"""A stall interrupted by a tick of playing is one stall to a viewer: a
starving low-latency stream restarts on its first frame and starves again
20 ms later, and that must not count as dozens of stalls."""

from __future__ import annotations

from player.clock import ManualClock
from player.metrics import STALL_JOIN_S, SessionMetrics


def _metrics() -> tuple[SessionMetrics, ManualClock]:
    clock = ManualClock()
    metrics = SessionMetrics(clock)
    metrics.start("rtsp://cam.test/live")
    clock.advance(0.5)
    metrics.on_presented(0.0, (640, 360))  # stalls count from the first frame
    return metrics, clock


def _stall(metrics: SessionMetrics, clock: ManualClock, seconds: float, then_play: float) -> None:
    metrics.on_stall_start()
    clock.advance(seconds)
    metrics.on_stall_end()
    clock.advance(then_play)


def test_flips_a_tick_apart_are_one_stall() -> None:
    metrics, clock = _metrics()
    clock.advance(5.0)
    for _ in range(10):
        _stall(metrics, clock, 0.1, 0.02)
    report = metrics.snapshot()
    assert report["rebuffer_count"] == 1
    assert abs(report["rebuffer_seconds"] - (10 * 0.1 + 9 * 0.02)) < 1e-6
    kinds = [e["type"] for e in report["timeline"] if e["type"].startswith("stall")]
    assert kinds == ["stall_start", "stall_end"]


def test_stalls_with_real_playing_between_them_are_counted_apart() -> None:
    metrics, clock = _metrics()
    clock.advance(5.0)
    _stall(metrics, clock, 0.5, STALL_JOIN_S + 0.05)
    _stall(metrics, clock, 0.5, 2.0)
    report = metrics.snapshot()
    assert report["rebuffer_count"] == 2
    assert abs(report["rebuffer_seconds"] - 1.0) < 1e-6
