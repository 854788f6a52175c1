"""The subtitle text over the picture. The engine decides when a cue shows
(``SubtitleChanged``); this only draws the text: white with a dark outline
(readable on any picture, no box hiding it), sized to the view, centred near
the bottom, wrapped to 90 % of the width. Glyphs are drawn as paths, so they
are sharp at any device pixel ratio; Qt's font fallback finds Hangul (and
other scripts) in the system's fonts."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QWidget

__all__ = ["SubtitleLabel", "wrap_lines"]


def wrap_lines(text: str, fits: QFontMetricsF, width: float) -> list[str]:
    """``text``'s lines broken at spaces so each fits ``width`` (a word longer
    than the width is broken between characters)."""
    out: list[str] = []
    for paragraph in text.splitlines() or [""]:
        words = paragraph.split(" ")
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if fits.horizontalAdvance(candidate) <= width or not line:
                line = candidate
            else:
                out.append(line)
                line = word
            while fits.horizontalAdvance(line) > width and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and fits.horizontalAdvance(line[:cut]) > width:
                    cut -= 1
                out.append(line[:cut])
                line = line[cut:]
        out.append(line)
    return out


class SubtitleLabel(QWidget):
    """Child of the video view; ``set_text(None)`` hides it."""

    def __init__(self, view: QWidget) -> None:
        super().__init__(view)
        self.setObjectName("subtitles")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setAutoFillBackground(False)
        self._view = view
        self._text = ""
        self._lines: list[str] = []
        self._font = QFont(self.font())
        self._outline = 2.0
        view.installEventFilter(self)
        self.hide()

    def text(self) -> str:
        return self._text

    @property
    def lines(self) -> list[str]:
        """The text as wrapped for the current size."""
        return list(self._lines)

    @property
    def pixel_size(self) -> int:
        return self._font.pixelSize()

    def set_text(self, text: str | None) -> None:
        if not text or not text.strip():
            self._text = ""
            self._lines = []
            self.hide()
            return
        self._text = text
        self._place()
        self.show()
        self.raise_()
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._view and event.type() == QEvent.Type.Resize and self._text:
            self._place()
        return False

    def _place(self) -> None:
        view = self._view
        vw, vh = max(1, view.width()), max(1, view.height())
        # About 5.5 % of the picture's height, as TV subtitles are, but never
        # wider than a narrow window allows.
        size = round(max(14, min(vh * 0.055, vw * 0.045, 96)))
        font = QFont(self.font())
        font.setPixelSize(size)
        font.setWeight(QFont.Weight.DemiBold)
        font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
        self._font = font
        self._outline = max(1.5, size / 11)
        metrics = QFontMetricsF(font)
        self._lines = wrap_lines(self._text, metrics, vw * 0.9)
        line_h = metrics.lineSpacing()
        widest = max(metrics.horizontalAdvance(line) for line in self._lines)
        margin = self._outline * 2
        w = min(vw, round(widest + 2 * margin))
        h = round(line_h * len(self._lines) + 2 * margin)
        bottom_gap = round(vh * 0.06)
        self.setGeometry(QRect((vw - w) // 2, max(0, vh - bottom_gap - h), w, h))

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._lines:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        metrics = QFontMetricsF(self._font)
        path = QPainterPath()
        margin = self._outline * 2
        y = margin + metrics.ascent()
        for line in self._lines:
            x = (self.width() - metrics.horizontalAdvance(line)) / 2
            path.addText(QPointF(x, y), self._font, line)
            y += metrics.lineSpacing()
        pen = QPen(QColor(0, 0, 0, 230), self._outline * 2)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.strokePath(path, pen)
        painter.fillPath(path, QColor(255, 255, 255))
        painter.end()
