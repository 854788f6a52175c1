"""The view-size cap on automatic rung choices (hls.js's rule)."""

from __future__ import annotations

import pytest

from player.hls.view_cap import covering_rung

LADDER = [(416, 234), (640, 360), (960, 540), (1280, 720), (1920, 1080)]


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ((416, 234), 0),  # exactly a rung's size
        ((300, 169), 0),  # smaller than the lowest rung
        ((700, 394), 2),  # between rungs: the one above, never an upscaled picture
        ((1280, 720), 3),
        ((1100, 300), 1),  # wide and short: the picture's height limits it
        ((200, 1000), 0),  # tall and narrow: its width does
        ((3840, 2160), 4),  # bigger than every rung: the top one
    ],
)
def test_first_rung_covering_the_view(view: tuple[int, int], expected: int) -> None:
    assert covering_rung(LADDER, view) == expected


def test_same_size_rungs_allow_the_richest() -> None:
    ladder = [(640, 360), (1280, 720), (1280, 720), (1920, 1080)]
    assert covering_rung(ladder, (1000, 560)) == 2


def test_rungs_without_a_resolution_do_not_cap() -> None:
    assert covering_rung([(None, None), (None, None)], (320, 180)) == 1
    # an audio-only rung below the video ones is skipped, not chosen
    assert covering_rung([(None, None), (640, 360), (1280, 720)], (320, 180)) == 1
