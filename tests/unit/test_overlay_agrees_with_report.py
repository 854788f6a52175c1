"""Issue 13: the statistics overlay's figures are the report's, read back
from a report a session's metrics wrote (``from_report``): frames dropped for
every reason add up to the report's ``dropped``; the stalls are its
``rebuffer_count`` and ``rebuffer_seconds``."""

from __future__ import annotations

import re

from player.clock import ManualClock
from player.metrics import STALL_JOIN_S, SessionMetrics
from player.stats import from_report
from ui.stats_overlay import stats_lines

_FRAMES = re.compile(r"(\d+) shown, (\d+) dropped \((\d+) late, (\d+) catch-up, (\d+) decoder\)")


def _session() -> dict[str, object]:
    clock = ManualClock()
    metrics = SessionMetrics(clock)
    metrics.start("https://user:pw@cdn.test/live.m3u8")
    clock.advance(0.4)
    for _ in range(50):
        metrics.on_presented(0.002)
        clock.advance(1 / 25)
    metrics.on_frames_dropped("late", 2)
    metrics.on_frames_dropped("catchup", 5)
    metrics.on_frames_dropped("decoder", 3)  # left out of the overlay's breakdown before
    for seconds, then in ((0.6, STALL_JOIN_S / 2), (0.3, 2.0), (1.2, 1.0)):
        metrics.on_stall_start()
        clock.advance(seconds)
        metrics.on_stall_end()
        clock.advance(then)
    return {**metrics.snapshot(), "state": "playing"}


def test_the_overlay_shows_the_reports_frames_and_stalls() -> None:
    report = _session()
    rows = dict(stats_lines(None, from_report(report), "software", "x"))
    found = _FRAMES.fullmatch(rows["Frames"])
    assert found is not None, rows["Frames"]
    shown, dropped, late, catchup, decoder = (int(g) for g in found.groups())
    frames = report["frames"]
    assert isinstance(frames, dict)
    assert shown == frames["presented"] == 50
    assert dropped == frames["dropped"] == late + catchup + decoder == 10
    assert (late, catchup, decoder) == (
        frames["dropped_late"],
        frames["dropped_catchup"],
        frames["dropped_decoder"],
    )
    # two of the three stalls are one (less than the join of playing between)
    assert report["rebuffer_count"] == 2
    assert rows["Stalls"] == f"2 ({report['rebuffer_seconds']:.2f} s)"
    assert "pw" not in rows["URL"]
