"""``abr.silences.Silences``: which stretches of a transfer are dead time."""

from __future__ import annotations

import pytest

from player.abr.silences import DEAD_AFTER, Silences


def test_gaps_up_to_the_threshold_are_a_slow_link_not_dead_time() -> None:
    s = Silences()
    for t in (0.5, 1.5, 1.5 + DEAD_AFTER, 2.0 + DEAD_AFTER):
        s.heard(t)
    assert s.stretches == [] and s.dead() == 0.0
    assert s.active(2.5 + DEAD_AFTER) == pytest.approx(2.5 + DEAD_AFTER)


def test_a_long_wait_for_the_headers_and_a_stall_in_the_body_are_dead() -> None:
    s = Silences()
    for t in (8.0, 8.5, 14.5, 15.0):  # headers after 8 s; a 6 s stall after 8.5 s
        s.heard(t)
    assert s.stretches == [(0.0, 8.0), (8.5, 14.5)]
    assert s.dead() == pytest.approx(14.0)
    # counted from the headers (at 7.9 s): the stall and the tail of the wait
    assert s.dead(since=7.9) == pytest.approx(6.1)
    assert s.active(15.0) == pytest.approx(1.0)


def test_a_silence_under_way_counts_once_it_is_long_enough() -> None:
    s = Silences()
    s.heard(1.0)
    assert s.active(1.0 + DEAD_AFTER) == pytest.approx(1.0 + DEAD_AFTER)
    assert s.active(5.0 + DEAD_AFTER) == pytest.approx(1.0)


def test_the_link_knows_its_dead_stretches_as_silences_counts_them() -> None:
    from player.abr.traces import Link, Trace

    link = Link(Trace("outage", ((20.0, 3e6), (20.0, 0.0), (280.0, 3e6))))
    assert link.dead_time(17.0, 45.0, DEAD_AFTER) == pytest.approx(20.0)
    assert link.dead_time(21.0, 39.0, DEAD_AFTER) == pytest.approx(18.0)
    # the last two seconds of it are a pause a working link may show
    assert link.dead_time(38.0, 41.0, DEAD_AFTER) == 0.0
    assert link.dead_time(0.0, 19.0, DEAD_AFTER) == 0.0
    # looped: the next period's outage
    assert link.dead_time(330.0, 370.0, DEAD_AFTER) == pytest.approx(20.0)
    # zero-rate pieces back to back are one stretch
    split = Link(Trace("split", ((5.0, 1e6), (1.5, 0.0), (1.5, 0.0), (5.0, 1e6))))
    assert split.dead_time(0.0, 13.0, DEAD_AFTER) == pytest.approx(3.0)


def test_the_simulator_measures_a_download_without_the_outage_it_waited_through() -> None:
    # a segment requested inside a 20 s outage arrives after it: the player
    # measures it over the time bytes could flow (``Silences``), so must the
    # simulator, or one outage holds its estimate down for five segments
    from player.abr.mpc import MpcPolicy
    from player.abr.simulator import make_video, simulate
    from player.abr.traces import Trace

    level = 3e6
    trace = Trace("outage", ((20.0, level), (20.0, 0.0), (280.0, level)))
    result = simulate(MpcPolicy(), trace, make_video())
    after = [c for c in result.chunks if c.start + c.download > 40.0]
    first = after[0]
    assert first.start < 40.0  # it did wait through the outage
    # the estimate after it is of the link, not of the outage
    assert first.estimate_bps > 0.5 * level, first
    # and the rungs are back at the link's level within three segments
    assert max(c.rung for c in after[1:4]) >= 3, [c.rung for c in after[:6]]
