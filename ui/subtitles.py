"""The subtitle text over the picture. The engine decides when a cue shows
(``SubtitleChanged``); this only draws the text: white with a dark outline
(readable on any picture, no box hiding it), sized to the view, centred near
the bottom, wrapped to 90 % of the width. Glyphs are drawn as paths, so they
are sharp at any device pixel ratio; Qt's font fallback finds Hangul (and
other scripts) in the system's fonts."""

from __future__ import annotations

from dataclasses import dataclass

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

__all__ = ["SubtitleLabel", "SubtitleLayout", "layout_subtitle", "paint_subtitle", "wrap_lines"]


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


@dataclass(frozen=True)
class SubtitleLayout:
    """Where and how a subtitle is drawn on a picture of a given size."""

    font: QFont
    outline: float
    lines: list[str]
    rect: QRect


def layout_subtitle(
    text: str, width: int, height: int, base: QFont, scale: float = 1.0
) -> SubtitleLayout:
    """About 5.5 % of the picture's height, as TV subtitles are (times
    ``scale``, mpv's sub-scale), but never wider than a narrow picture allows;
    centred near the bottom, wrapped to 90 % of the width."""
    vw, vh = max(1, width), max(1, height)
    size = round(max(8, min(vh * 0.055, vw * 0.045, 96) * scale))
    font = QFont(base)
    font.setPixelSize(size)
    font.setWeight(QFont.Weight.DemiBold)
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    outline = max(1.5, size / 11)
    metrics = QFontMetricsF(font)
    lines = wrap_lines(text, metrics, vw * 0.9)
    widest = max(metrics.horizontalAdvance(line) for line in lines)
    margin = outline * 2
    w = min(vw, round(widest + 2 * margin))
    h = round(metrics.lineSpacing() * len(lines) + 2 * margin)
    bottom_gap = round(vh * 0.06)
    return SubtitleLayout(
        font, outline, lines, QRect((vw - w) // 2, max(0, vh - bottom_gap - h), w, h)
    )


def paint_subtitle(painter: QPainter, layout: SubtitleLayout, origin: QPointF) -> None:
    """White glyphs with a dark outline (readable on any picture, no box
    hiding it), drawn as paths so they are sharp at any pixel ratio."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    metrics = QFontMetricsF(layout.font)
    path = QPainterPath()
    margin = layout.outline * 2
    y = origin.y() + margin + metrics.ascent()
    for line in layout.lines:
        x = origin.x() + (layout.rect.width() - metrics.horizontalAdvance(line)) / 2
        path.addText(QPointF(x, y), layout.font, line)
        y += metrics.lineSpacing()
    pen = QPen(QColor(0, 0, 0, 230), layout.outline * 2)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.strokePath(path, pen)
    painter.fillPath(path, QColor(255, 255, 255))


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
        self._layout: SubtitleLayout | None = None
        self.scale = 1.0
        view.installEventFilter(self)
        self.hide()

    def text(self) -> str:
        return self._text

    @property
    def lines(self) -> list[str]:
        """The text as wrapped for the current size."""
        return list(self._layout.lines) if self._layout is not None else []

    @property
    def pixel_size(self) -> int:
        return self._layout.font.pixelSize() if self._layout is not None else 0

    def set_scale(self, scale: float) -> None:
        self.scale = min(4.0, max(0.25, round(scale, 2)))
        if self._text:
            self._place()
            self.update()

    def set_text(self, text: str | None) -> None:
        if not text or not text.strip():
            self._text = ""
            self._layout = None
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
        self._layout = layout_subtitle(
            self._text, self._view.width(), self._view.height(), self.font(), self.scale
        )
        self.setGeometry(self._layout.rect)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._layout is None:
            return
        painter = QPainter(self)
        paint_subtitle(painter, self._layout, QPointF(0, 0))
        painter.end()
