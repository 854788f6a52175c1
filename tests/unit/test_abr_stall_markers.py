"""The bitrate panel's stall markers and count follow the report's rule
(``player.metrics.StallTally``): the same stalls fed to the session's metrics
and to the panel's marker model give the same count, past the marker cap too.
The events are built as the engine emits them: a start, progress repeats every
10 % while it lasts, an end; a refill after a jump to the live edge buffers
with ``rebuffer`` False."""

from __future__ import annotations

import random

from player.clock import ManualClock
from player.events import BufferingChanged, VariantSwitched
from player.metrics import STALL_JOIN_S, SessionMetrics, StallTally, stall_rejoins
from ui.abr_markers import MAX_MARKERS, MarkerTrack


class _Both:
    """One session seen by the report (``SessionMetrics``) and by the panel's
    marker model, on one manual clock."""

    def __init__(self) -> None:
        self.clock = ManualClock()
        self.metrics = SessionMetrics(self.clock)
        self.metrics.start("http://cdn.test/master.m3u8")
        self.clock.advance(0.5)
        self.metrics.on_presented(0.0, (640, 360))  # stalls count from the first frame
        self.layouts = 0
        self.track = MarkerTrack(self._relayout)

    def _relayout(self) -> None:
        self.layouts += 1

    def t(self) -> float:
        return self.metrics.t()

    def play(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def stall(self, seconds: float, progress: int = 3) -> None:
        """A stall as the control loop reports it: the metrics first, then
        the event; ``progress`` repeats of the start while it lasts."""
        self.metrics.on_stall_start()
        self.track.on_buffering(BufferingChanged(True, 0.0, 0.0, True, t=self.t()))
        for i in range(progress):
            self.clock.advance(seconds / (progress + 1))
            percent = 10.0 * (i + 1)
            self.track.on_buffering(BufferingChanged(True, 0.1, percent, True, t=self.t()))
        self.clock.advance(seconds / (progress + 1))
        self.metrics.on_stall_end()
        self.track.on_buffering(BufferingChanged(False, 2.0, 100.0, True, t=self.t()))

    def refill(self, seconds: float) -> None:
        """The buffers a jump to the live edge emptied, filling again: no stall."""
        self.metrics.on_event("refill", buffered=0.0)
        self.track.on_buffering(BufferingChanged(True, 0.0, 0.0, False, t=self.t()))
        self.clock.advance(seconds)
        self.track.on_buffering(BufferingChanged(False, 2.0, 100.0, False, t=self.t()))

    def report_count(self) -> int:
        return int(self.metrics.snapshot()["rebuffer_count"])


def test_a_long_stall_with_progress_is_one_marker_and_one_stall() -> None:
    both = _Both()
    both.play(3.0)
    both.stall(6.0, progress=9)  # progress every 0.6 s: past the old 1 s merge
    stalls = [m for m in both.track.markers if m.kind == "stall"]
    assert both.report_count() == 1 == both.track.count("stall") == len(stalls)
    assert stalls[0].span is not None
    start, end = stalls[0].span
    assert abs((end - start) - 6.0) < 1e-6


def test_a_stall_restarting_within_the_join_is_one_stall_spanning_both() -> None:
    both = _Both()
    both.play(2.0)
    first = both.t()
    both.stall(0.4)
    both.play(STALL_JOIN_S / 2)  # a tick of playing, then it starves again
    both.stall(0.4)
    assert both.report_count() == 1 == both.track.count("stall")
    stalls = [m for m in both.track.markers if m.kind == "stall"]
    assert len(stalls) == 1 and stalls[0].t == first
    assert stalls[0].span == (first, both.t())


def test_stalls_closer_than_a_second_but_apart_by_more_than_the_join_are_two() -> None:
    """The panel merged markers of a kind within 1.0 s of each other's start:
    two stalls the report counts apart showed as one."""
    both = _Both()
    both.play(2.0)
    both.stall(0.3, progress=0)
    both.play(STALL_JOIN_S + 0.1)
    both.stall(0.3, progress=0)
    assert both.report_count() == 2 == both.track.count("stall")
    assert [m.kind for m in both.track.markers] == ["stall", "stall"]


def test_a_refill_after_a_jump_to_the_live_edge_is_no_stall() -> None:
    both = _Both()
    both.play(2.0)
    both.refill(1.5)
    both.play(1.0)
    both.stall(1.0)
    assert both.report_count() == 1 == both.track.count("stall")
    assert [m.kind for m in both.track.markers] == ["stall"]


def test_the_count_stays_right_past_the_marker_cap() -> None:
    both = _Both()
    switch = VariantSwitched(0, 1, 800_000, 2e6, 5.0, "hybrid", "up")
    stalls = MAX_MARKERS + 37
    for i in range(stalls):
        both.play(1.0)
        both.stall(0.5, progress=1)
        if i % 2 == 0:
            both.track.add(both.track.switch_marker(switch))
    assert len(both.track.markers) == MAX_MARKERS  # the markers are bounded ...
    assert both.track.count("stall") == stalls == both.report_count()  # ... the counts not
    assert both.track.count("switch") == (stalls + 1) // 2
    both.track.clear()
    assert both.track.count("stall") == 0 and both.track.count("switch") == 0


def test_random_sessions_agree_with_the_report() -> None:
    """Stalls of every length, with a random amount of playing between them
    (around the join), refills among them: the counts agree every time."""
    rng = random.Random(20261207)
    for _session in range(40):
        both = _Both()
        for _ in range(rng.randrange(1, 30)):
            both.play(rng.choice((0.01, STALL_JOIN_S * 0.9, STALL_JOIN_S * 1.1, 0.6, 3.0)))
            if rng.random() < 0.2:
                both.refill(rng.uniform(0.1, 2.0))
            else:
                both.stall(rng.uniform(0.05, 4.0), progress=rng.randrange(0, 6))
        assert both.track.count("stall") == both.report_count()
        marked = [m for m in both.track.markers if m.kind == "stall"]
        assert len(marked) == both.report_count()
        # each marker's span is where the report's stall is
        total = sum(m.span[1] - m.span[0] for m in marked if m.span is not None)
        assert abs(total - both.metrics.snapshot()["rebuffer_seconds"]) < 1e-3 * len(marked) + 1e-6


def test_the_tally_alone() -> None:
    tally = StallTally()
    assert tally.start(1.0) and not tally.start(1.5)  # a repeat
    assert tally.end(2.0) and not tally.end(2.1)  # nothing to end
    assert not tally.start(2.0 + STALL_JOIN_S / 2)  # rejoins
    assert tally.end(3.0)
    assert tally.start(3.0 + STALL_JOIN_S)  # exactly the join: a new one, as the report has it
    assert tally.count == 2
    assert not stall_rejoins(None, 0.0)
