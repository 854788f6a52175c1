"""SIGTERM and SIGINT close a window the way its close button does, so its
report is written before the process exits."""

from __future__ import annotations

import signal
from types import FrameType

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

__all__ = ["QuitOnSignals"]

_POLL_MS = 100
_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}


class QuitOnSignals(QObject):
    """Python runs signal handlers only between bytecodes: while Qt's event
    loop waits in C++, a short timer gives it the chance, then the window is
    closed from the GUI thread."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self.received: int | None = None
        for sig in _CODES:
            signal.signal(sig, self._handle)
        self._timer = QTimer(self)
        self._timer.setInterval(_POLL_MS)
        self._timer.timeout.connect(self._check)
        self._timer.start()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.received = signum

    def _check(self) -> None:
        if self.received is not None:
            self._timer.stop()
            self._window.close()

    def exit_code(self, otherwise: int) -> int:
        return _CODES.get(signal.Signals(self.received), otherwise) if self.received else otherwise
