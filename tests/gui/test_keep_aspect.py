"""The window keeps the video's aspect when resized (mpv's keepaspect-window):
the dimension the user changed leads, the other follows, within the screen;
a docked panel keeps its own room. On the real window under Xvfb."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.gui.conftest import TIMEOUT_MS, press
from tests.support.media import make_av_file
from ui.main_window import MainWindow
from ui.window_panels import PANEL_HEIGHT, PLAYLIST_WIDTH


@pytest.fixture(scope="module")
def hd_media() -> Path:
    return make_av_file(seconds=4.0, width=1280, height=720, fps=25, audio=False)


def _aspect(window: MainWindow) -> float:
    return window.view.width() / window.view.height()


def _kept(window: MainWindow, aspect: float) -> bool:
    # one pixel of rounding on either side of the picture
    return abs(window.view.width() - window.view.height() * aspect) <= 2.0


def _fitted(qtbot: QtBot, window: MainWindow, media: Path) -> None:
    window.open_url(str(media))
    qtbot.waitUntil(lambda: window.view.current_frame is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: abs(window.view.width() - 1280) <= 2, timeout=TIMEOUT_MS)


def test_a_narrower_window_gets_shorter(qtbot: QtBot, window: MainWindow, hd_media: Path) -> None:
    _fitted(qtbot, window, hd_media)
    height = window.height()
    width = window.width() - 400
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.height() < height - 100, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: _kept(window, 16 / 9), timeout=TIMEOUT_MS)
    assert window.width() == width  # the user's width stays


def test_a_taller_window_gets_wider(qtbot: QtBot, window: MainWindow, hd_media: Path) -> None:
    _fitted(qtbot, window, hd_media)
    window.resize(window.width(), window.height() - 300)
    qtbot.waitUntil(lambda: _kept(window, 16 / 9), timeout=TIMEOUT_MS)
    small_w, small_h = window.width(), window.height()
    assert small_w < 1280
    window.resize(small_w + 2, small_h + 200)  # mostly taller
    qtbot.waitUntil(lambda: window.width() > small_w + 200, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: _kept(window, 16 / 9), timeout=TIMEOUT_MS)
    assert window.height() == small_h + 200


def test_the_screen_bounds_a_window_made_too_wide(
    qtbot: QtBot, window: MainWindow, hd_media: Path
) -> None:
    _fitted(qtbot, window, hd_media)
    screen = window.screen()
    assert screen is not None
    avail = screen.availableGeometry()
    window.resize(avail.width() - 10, window.height())  # its picture would be too tall
    qtbot.waitUntil(lambda: _kept(window, 16 / 9), timeout=TIMEOUT_MS)
    assert window.frameGeometry().height() <= avail.height()
    assert window.frameGeometry().width() <= avail.width()
    assert window.view.width() > 1280  # it did grow, as far as the screen lets it


def test_a_docked_panel_keeps_its_room(qtbot: QtBot, window: MainWindow, hd_media: Path) -> None:
    _fitted(qtbot, window, hd_media)
    press(qtbot, window, Qt.Key.Key_F8)  # the play list docks beside the picture
    panel = window.playlist_panel
    qtbot.waitUntil(panel.isVisible, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: abs(panel.width() - PLAYLIST_WIDTH) <= 2, timeout=TIMEOUT_MS)
    panel_width = panel.width()
    height = window.height()
    window.resize(window.width() - 300, height)
    qtbot.waitUntil(lambda: window.height() < height - 100, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: _kept(window, 16 / 9), timeout=TIMEOUT_MS)
    assert abs(panel.width() - panel_width) <= 2  # the picture gave up the room, not the list


def test_a_panel_opened_after_a_resize_keeps_the_users_picture(
    qtbot: QtBot, window: MainWindow, hd_media: Path
) -> None:
    """Issue 13: the picture's size a docking panel keeps is the one the user
    last gave it, not the size the window was first fitted to."""
    _fitted(qtbot, window, hd_media)
    height = window.height()
    window.resize(window.width() - 400, height)  # the user makes it smaller
    qtbot.waitUntil(lambda: window.height() < height - 100, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: _kept(window, 16 / 9), timeout=TIMEOUT_MS)
    settled = (window.view.width(), window.view.height())
    qtbot.waitUntil(lambda: window.fit.fitted_view == settled, timeout=TIMEOUT_MS)
    view_w, view_h = window.view.width(), window.view.height()
    assert view_w < 1280 - 300
    press(qtbot, window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    panel = window.abr_panel
    qtbot.waitUntil(panel.isVisible, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: panel.height() >= PANEL_HEIGHT - 2, timeout=TIMEOUT_MS)
    # The panel's room came from the screen; the picture is as the user left it
    # (a stale fitted size would have stretched it toward 720 lines).
    qtbot.waitUntil(lambda: abs(window.view.height() - view_h) <= 2, timeout=TIMEOUT_MS)
    assert abs(window.view.width() - view_w) <= 2
    assert _kept(window, 16 / 9)


def test_without_a_picture_the_size_is_the_users(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(700, 650)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (700, 650), timeout=TIMEOUT_MS)
    # A window with nothing playing has no aspect to keep: a later event-loop
    # turn must not have changed the size.
    qtbot.wait(50)
    assert (window.width(), window.height()) == (700, 650)
    assert _aspect(window) > 0
