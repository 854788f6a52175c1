"""The glass-to-glass instrument's floor (benchmarks/glass_players.py): the
wall clock painted straight into a window as often as the timer fires, with
no network and no codec between. Prints ``{"view": [x, y, w, h]}`` once shown.

    python -m benchmarks.glass_painter_child FPS
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtGui import QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QWidget

from . import clock_code as cc
from .child_protocol import say


class _Painter(QWidget):
    def paintEvent(self, event: QPaintEvent) -> None:
        data = cc.encode_gray(int(time.time() * 1000))
        image = QImage(data, cc.WIDTH, cc.HEIGHT, cc.WIDTH, QImage.Format.Format_Grayscale8)
        QPainter(self).drawImage(0, 0, image)


def main(argv: list[str]) -> int:
    fps = float(argv[0])
    app = QApplication(sys.argv[:1])
    painter = _Painter()
    painter.setFixedSize(cc.WIDTH, cc.HEIGHT)
    painter.show()
    said = [False]

    def tick() -> None:
        painter.repaint()
        if not said[0] and painter.isVisible():
            at = painter.mapToGlobal(QPoint(0, 0))
            say({"view": [at.x(), at.y(), cc.WIDTH, cc.HEIGHT]})
            said[0] = True

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(int(1000 / fps))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
