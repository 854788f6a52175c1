"""How the window sits on the screen: fullscreen (the controls and the
pointer hide after a while without the mouse moving, as in mpv) and always
on top."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QWidget

__all__ = ["CONTROLS_HIDE_MS", "WindowModes"]

CONTROLS_HIDE_MS = 2500


class WindowModes(QObject):
    """``controls`` hide in fullscreen; ``view`` shows the pointer or not;
    ``actions`` holds the window's checkable ``always_on_top`` action."""

    def __init__(
        self,
        window: QMainWindow,
        view: QWidget,
        controls: QWidget,
        actions: Mapping[str, QAction],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._view = view
        self._controls = controls
        self._actions = actions
        self._was_maximized = False
        self.hide_timer = QTimer(self)
        self.hide_timer.setSingleShot(True)
        self.hide_timer.setInterval(CONTROLS_HIDE_MS)
        self.hide_timer.timeout.connect(self._hide_controls)

    def toggle_fullscreen(self) -> None:
        window = self._window
        if window.isFullScreen():
            self.leave_fullscreen()
        else:
            self._was_maximized = window.isMaximized()
            window.menuBar().hide()
            window.showFullScreen()
            self.hide_timer.start()

    def leave_fullscreen(self) -> None:
        window = self._window
        if not window.isFullScreen():
            return
        self.hide_timer.stop()
        window.menuBar().show()
        self._controls.show()
        window.unsetCursor()
        if self._was_maximized:
            window.showMaximized()
        else:
            window.showNormal()

    def _hide_controls(self) -> None:
        if self._window.isFullScreen():
            self._controls.hide()
            self._view.setCursor(Qt.CursorShape.BlankCursor)

    def mouse_moved(self) -> None:
        if self._window.isFullScreen():
            self._controls.show()
            self._view.unsetCursor()
            self.hide_timer.start()

    def toggle_always_on_top(self) -> None:
        window = self._window
        on = not self.always_on_top
        window.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on)
        self._actions["always_on_top"].setChecked(on)
        window.show()

    @property
    def always_on_top(self) -> bool:
        return bool(self._window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint)
