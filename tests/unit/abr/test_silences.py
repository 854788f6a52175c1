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
