"""The many-streams benchmark's windows keep a 640x360 video area: the real
window fits itself to its 1280x720 video when the media opens, after the
benchmark first sized it, and benchmarks/view_size.py puts the area back."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from benchmarks.view_size import hold_view_size
from tests.gui.conftest import TIMEOUT_MS
from tests.support.media import make_av_file
from ui.main_window import MainWindow


@pytest.fixture(scope="module")
def hd_media() -> Path:
    return make_av_file(seconds=4.0, width=1280, height=720, fps=25, audio=False)


def test_the_view_is_held_at_the_asked_size_after_the_fit(
    qtbot: QtBot, window: MainWindow, hd_media: Path
) -> None:
    qtbot.waitUntil(window.isVisible, timeout=TIMEOUT_MS)
    hold_view_size(window, window.view, 640, 360)  # sized at the first show, as before
    qtbot.waitUntil(lambda: (window.view.width(), window.view.height()) == (640, 360))
    window.open_url(str(hd_media))
    # the window's own fit to the video undoes a size set only once
    qtbot.waitUntil(lambda: window.view.width() > 1000, timeout=TIMEOUT_MS)
    assert hold_view_size(window, window.view, 640, 360) is True
    qtbot.waitUntil(
        lambda: (window.view.width(), window.view.height()) == (640, 360), timeout=TIMEOUT_MS
    )
    assert hold_view_size(window, window.view, 640, 360) is False  # nothing left to do
