"""The window size that keeps the video's aspect after a user's resize (pure)."""

from __future__ import annotations

import pytest

from ui.keep_aspect import aspect_window_size

CHROME = (0, 80)  # menu bar and controls
ROOM = (1920, 1050)


def _view(size: tuple[int, int], chrome: tuple[int, int] = CHROME) -> tuple[int, int]:
    return size[0] - chrome[0], size[1] - chrome[1]


def test_a_wider_window_gets_taller() -> None:
    size = aspect_window_size((1280, 800), (1400, 805), CHROME, 16 / 9, ROOM)
    assert size is not None
    assert size[0] == 1400  # the dragged dimension stays where the user put it
    w, h = _view(size)
    assert abs(w / h - 16 / 9) < 0.005


def test_a_taller_window_gets_wider() -> None:
    size = aspect_window_size((1280, 800), (1282, 600), CHROME, 16 / 9, ROOM)
    assert size is not None
    assert size[1] == 600
    w, h = _view(size)
    assert abs(w / h - 16 / 9) < 0.005
    assert size[0] < 1280


def test_the_aspect_already_kept_changes_nothing() -> None:
    assert aspect_window_size((800, 600), (1280, 800), CHROME, 16 / 9, ROOM) is None
    # within rounding
    assert aspect_window_size((800, 600), (1281, 800), CHROME, 16 / 9, ROOM) is None


def test_the_screen_bounds_the_window_and_the_aspect_holds() -> None:
    size = aspect_window_size((1280, 800), (1900, 800), CHROME, 16 / 9, ROOM)
    assert size is not None
    assert size[0] <= ROOM[0] and size[1] <= ROOM[1]
    w, h = _view(size)
    assert abs(w / h - 16 / 9) < 0.005
    assert size[1] == ROOM[1]  # as large as the free area allows


def test_a_docked_panel_keeps_its_room() -> None:
    chrome = (300, 80)  # a play list docked at the side
    size = aspect_window_size((1580, 800), (1200, 800), chrome, 4 / 3, ROOM)
    assert size is not None
    w, h = _view(size, chrome)
    assert w == 900  # the panel's 300 px were not counted as picture
    assert abs(w / h - 4 / 3) < 0.005


def test_the_window_minimum_wins() -> None:
    size = aspect_window_size((800, 600), (480, 600), CHROME, 2.39, ROOM, (480, 320))
    # 480 wide is a 201-high scope picture, 281 with the controls: less than
    # the window's minimum height, which wins (black bars, as in fullscreen).
    assert size == (480, 320)


@pytest.mark.parametrize(
    ("new", "chrome", "aspect"),
    [((800, 600), CHROME, 0.0), ((100, 60), CHROME, 16 / 9), ((800, 600), (900, 0), 1.0)],
)
def test_nothing_to_keep(new: tuple[int, int], chrome: tuple[int, int], aspect: float) -> None:
    assert aspect_window_size((800, 600), new, chrome, aspect, ROOM) is None
