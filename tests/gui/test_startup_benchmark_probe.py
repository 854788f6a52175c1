"""benchmarks/startup.py reads a window by its X id: "painted" when anything
in it is drawn, "first frame" when its middle holds a picture. Checked on real
windows under Xvfb (a flat one, one with a control in a corner, one textured)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from benchmarks.startup import _Grabber
from tests.gui.conftest import TIMEOUT_MS


class _Flat(QWidget):
    """Flat black, with an optional textured square in its middle."""

    def __init__(self, textured: bool) -> None:
        super().__init__()
        self.textured = textured
        self.resize(400, 300)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("black"))
        if self.textured:
            cx, cy = self.width() // 2, self.height() // 2
            for i in range(0, 60, 6):
                painter.fillRect(cx - 30 + i, cy - 30, 3, 60, QColor("white"))
        painter.end()


def _shown(qtbot: QtBot, widget: QWidget) -> int:
    """The widget's X id, once it is on screen (the caller keeps the widget:
    qtbot holds it weakly)."""
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget, timeout=TIMEOUT_MS)
    return int(widget.winId())


def test_a_flat_window_is_neither_painted_nor_a_picture(qtbot: QtBot) -> None:
    flat = _Flat(textured=False)
    window = _shown(qtbot, flat)
    grabber = _Grabber()
    qtbot.waitUntil(lambda: grabber._grab(window) is not None, timeout=TIMEOUT_MS)
    assert not grabber.painted(window)
    assert not grabber.textured(window)


def test_a_control_in_a_corner_is_a_paint_but_not_a_picture(qtbot: QtBot) -> None:
    flat = _Flat(textured=False)
    label = QLabel("Opening clip.mkv…", flat)
    label.setStyleSheet("color: white; background: black")
    label.move(8, 8)
    window = _shown(qtbot, flat)
    grabber = _Grabber()
    qtbot.waitUntil(lambda: grabber.painted(window), timeout=TIMEOUT_MS)
    assert not grabber.textured(window)


def test_a_picture_in_the_middle_is_both(qtbot: QtBot) -> None:
    pictured = _Flat(textured=True)
    window = _shown(qtbot, pictured)
    grabber = _Grabber()
    qtbot.waitUntil(lambda: grabber.textured(window), timeout=TIMEOUT_MS)
    assert grabber.painted(window)


def test_a_picture_that_changes_at_the_same_size_is_motion(qtbot: QtBot) -> None:
    """ "First motion": the middle grabbed again differs, the window's size kept."""
    pictured = _Flat(textured=True)
    window = _shown(qtbot, pictured)
    grabber = _Grabber()
    qtbot.waitUntil(lambda: grabber.textured(window), timeout=TIMEOUT_MS)
    before = grabber.middle(window)
    assert before is not None
    again = grabber.middle(window)
    assert again is not None and again == before  # a still picture is no motion
    pictured.textured = False
    pictured.update()
    qtbot.waitUntil(lambda: not grabber.textured(window), timeout=TIMEOUT_MS)
    after = grabber.middle(window)
    assert after is not None and after[0] == before[0] and after[1] != before[1]
