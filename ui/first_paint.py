"""The first open waits for the window's first paint (issue 13).

Opening imports the engine (PyAV: a quarter of a second here) on the GUI
thread. Run before the window's first expose, that left a mapped but blank
window for that long. The window is painted once (its frame, its controls,
the dark video area with "Opening <title>…") and the open runs from a
zero-timer just after: the backing store is flushed by then, so what the
user sees while the engine loads is the window, not a hole in the desktop.
A window that never paints (minimised at start, a platform without expose
events) opens anyway after ``FALLBACK_MS``."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from .osd import Osd

__all__ = ["FALLBACK_MS", "OpeningNotice", "after_first_paint"]

#: no paint by then: open anyway
FALLBACK_MS = 500


class _AfterPaint(QObject):
    def __init__(self, window: QWidget, work: Callable[[], None], fallback_ms: int) -> None:
        super().__init__(window)
        self._window = window
        self._work: Callable[[], None] | None = work
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run)
        self._timer.start(fallback_ms)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Paint:
            self._window.removeEventFilter(self)
            # not here: the rest of the window paints and is flushed after this event
            self._timer.start(0)
        return False

    def _run(self) -> None:
        self._window.removeEventFilter(self)
        work, self._work = self._work, None
        if work is not None:
            work()


def after_first_paint(
    window: QWidget, work: Callable[[], None], *, fallback_ms: int = FALLBACK_MS
) -> None:
    """Run ``work`` once on the GUI thread, just after ``window`` (a top-level
    widget) was first painted, or ``fallback_ms`` from now if it was not.
    Nothing runs if the window is gone first."""
    _AfterPaint(window, work, fallback_ms)


class OpeningNotice(QObject):
    """ "Opening <title>…" on the OSD until the media opened, failed or was
    replaced by another notice (the OSD is shared: only our text is hidden)."""

    def __init__(self, osd: Osd, text: str) -> None:
        super().__init__(osd)
        self._osd = osd
        self.text = text

    def show(self) -> None:
        self._osd.flash(self.text, 0)

    def done(self, *_args: object) -> None:
        if self._osd.isVisible() and self._osd.text() == self.text:
            self._osd.hide()
