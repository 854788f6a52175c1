"""``s`` draws the subtitle on screen into the screenshot, ``S`` leaves it out;
F/G scale the subtitles for the session (mpv's keys)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from player.config import OpenOptions
from tests.gui.conftest import TIMEOUT_MS, press
from ui.main_window import MainWindow


def _pixels(path: Path) -> np.ndarray:
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    h, w = image.height(), image.width()
    data = np.frombuffer(image.constBits(), np.uint8, count=h * image.bytesPerLine())
    return data.reshape(h, image.bytesPerLine())[:, : w * 3].reshape(h, w, 3).copy()


def test_screenshot_with_and_without_the_subtitle(
    qtbot: QtBot, window: MainWindow, media: Path
) -> None:
    window.open_url(str(media), OpenOptions(start_paused=True))
    qtbot.waitUntil(lambda: window.view.current_frame is not None, timeout=TIMEOUT_MS)
    window.bridge.subtitleChanged.emit("HEUREUM SUBTITLE")  # as the engine times a cue
    qtbot.waitUntil(window.subtitle_label.isVisible, timeout=TIMEOUT_MS)
    saved: list[str] = []
    window.screenshotSaved.connect(saved.append)
    press(qtbot, window, Qt.Key.Key_S)
    press(qtbot, window, Qt.Key.Key_S, Qt.KeyboardModifier.ShiftModifier)
    assert len(saved) == 2
    with_sub, plain = _pixels(Path(saved[0])), _pixels(Path(saved[1]))
    assert with_sub.shape == plain.shape == (240, 320, 3)  # the stream's size
    diff = np.abs(with_sub.astype(int) - plain.astype(int)).sum(axis=2) > 60
    rows = np.nonzero(diff.any(axis=1))[0]
    assert rows.size > 5, "the subtitle is drawn in"
    assert rows.min() > 240 * 0.6, "near the bottom, as on screen"
    white = (with_sub[rows.min() : rows.max() + 1] > 230).all(axis=2).sum()
    assert white > 50  # white glyphs


def test_subtitle_scale_keys(qtbot: QtBot, window: MainWindow) -> None:
    label = window.subtitle_label
    window.bridge.subtitleChanged.emit("Scale me")
    qtbot.waitUntil(label.isVisible, timeout=TIMEOUT_MS)
    size = label.pixel_size
    press(qtbot, window, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, window, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
    assert abs(label.scale - 1.2) < 1e-9 and label.pixel_size > size
    press(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ShiftModifier)
    assert abs(label.scale - 1.1) < 1e-9
    assert not window.isFullScreen()  # Shift+F is not f
    assert "1.1" in window.osd.text()
