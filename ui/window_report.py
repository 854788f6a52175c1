"""The window's side of the headless contract: stop at ``--duration``, and
write ``--report`` whenever the window closes (the close button, the
duration, SIGTERM or SIGINT), before its player is closed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

__all__ = ["ReportOnClose"]

log = logging.getLogger(__name__)


class ReportOnClose(QObject):
    """An event filter sees the window's Close before the window's own
    ``closeEvent`` closes the player, so the report is the whole session's."""

    def __init__(
        self,
        window: QWidget,
        report: Callable[[], dict[str, Any]],
        path: str | Path | None,
        duration: float | None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._report = report
        self._path = path
        self.written: Path | None = None
        self.failed: str | None = None
        window.installEventFilter(self)
        if duration is not None and duration > 0:
            QTimer.singleShot(int(duration * 1000), window, window.close)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close:
            self.write()
        return False

    def write(self) -> None:
        if self._path is None or self.written is not None:
            return
        try:
            # json and tempfile: only with --report, and never before the window is shown
            from player.report import write_json_atomic

            self.written = write_json_atomic(self._path, self._report())
        except OSError as exc:
            self.failed = str(exc)
            log.error("cannot write the report: %s", exc)
