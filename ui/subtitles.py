"""The subtitle line over the picture. The engine decides when a cue shows
(``SubtitleChanged``); this only draws the text, readable on any picture."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QWidget

__all__ = ["SubtitleLabel"]


class SubtitleLabel(QLabel):
    def __init__(self, view: QWidget) -> None:
        super().__init__(view)
        self.setObjectName("subtitles")
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setStyleSheet(
            "QLabel { color: #ffffff; background: rgba(0, 0, 0, 160);"
            " border-radius: 4px; padding: 4px 10px; }"
        )
        self._view = view
        view.installEventFilter(self)
        self.hide()

    def set_text(self, text: str | None) -> None:
        if not text:
            self.clear()
            self.hide()
            return
        self.setText(text)
        self._place()
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._view and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False

    def _place(self) -> None:
        view = self._view
        font = QFont(self.font())
        # About 5 % of the picture's height, as TV subtitles are.
        font.setPixelSize(max(14, view.height() // 20))
        self.setFont(font)
        width = int(view.width() * 0.9)
        self.setFixedWidth(width)
        self.adjustSize()
        self.move((view.width() - width) // 2, view.height() - self.height() - view.height() // 16)
