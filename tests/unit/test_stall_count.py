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


def test_an_audio_only_stream_counts_its_stalls_from_its_first_sound() -> None:
    """No picture is ever shown: playback began with the first sound, and
    a stall after it is a stall (it was none at all, in the report and in
    a comparison's table, while the plots marked it)."""
    clock = ManualClock()
    metrics = SessionMetrics(clock)
    metrics.start("http://radio.test/live.m3u8")
    clock.advance(0.4)
    metrics.first_audio_at = metrics.t()  # the decoder's first samples out
    clock.advance(3.0)
    _stall(metrics, clock, 1.5, 2.0)
    report = metrics.snapshot()
    assert report["time_to_first_frame_s"] is None
    assert report["rebuffer_count"] == 1
    assert abs(report["rebuffer_seconds"] - 1.5) < 1e-6


def test_a_stream_that_never_played_has_no_stalls() -> None:
    clock = ManualClock()
    metrics = SessionMetrics(clock)
    metrics.start("rtsp://cam.test/live")
    _stall(metrics, clock, 1.0, 0.0)
    assert metrics.snapshot()["rebuffer_count"] == 0
