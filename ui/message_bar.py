"""A message bar above the video: errors, warnings and notices that never stop
playback or block the window."""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from player.redact import redact
from resources import stylesheet

__all__ = ["MessageBar"]

Level = Literal["error", "warning", "info"]


class MessageBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar(self)
        self.progress.setFixedWidth(160)
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.close_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self.level: Level | None = None
        self.history: list[tuple[Level, str]] = []
        self.hide()

    def show_message(
        self, level: Level, text: str, timeout_ms: int = 0, *, record: bool = True
    ) -> None:
        """Show ``text`` (credentials masked); info messages time out by default."""
        text = redact(text)
        self.level = level
        if record:
            self.history = [*self.history[-49:], (level, text)]
        self.setStyleSheet(stylesheet(f"message_{level}"))
        self.label.setText(text)
        self.progress.hide()
        self.show()
        if timeout_ms <= 0 and level == "info":
            timeout_ms = 6000
        if timeout_ms > 0:
            self._timer.start(timeout_ms)
        else:
            self._timer.stop()

    def show_progress(self, text: str, percent: float | None) -> None:
        self.show_message("info", text, timeout_ms=0, record=False)
        self._timer.stop()
        if percent is None:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 100)
            self.progress.setValue(int(percent))
        self.progress.show()

    def dismiss(self) -> None:
        self._timer.stop()
        self.level = None
        self.hide()
