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
from PySide6.QtGui import QWindow
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
        self._handle: QWindow | None = window.windowHandle()
        if self._handle is not None and self._handle.isExposed():
            # on screen already: its expose was handled, and painted, before now
            self._timer.start(0)
            return
        self._timer.start(fallback_ms)
        # The widget's own paint event does not come when opaque children
        # cover it; the expose of its native window always does (once shown).
        window.installEventFilter(self)
        if self._handle is not None:
            self._handle.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        painted = watched is self._window and kind == QEvent.Type.Paint
        # (the window's exposed flag is set before its expose event is delivered)
        exposed = (
            watched is self._handle and kind == QEvent.Type.Expose and self._handle.isExposed()
        )
        if (painted or exposed) and self._work is not None:
            self._stop_watching()
            # not now: the window paints and is flushed as this event is handled
            self._timer.start(0)
        return False

    def _stop_watching(self) -> None:
        self._window.removeEventFilter(self)
        if self._handle is not None:
            self._handle.removeEventFilter(self)

    def _run(self) -> None:
        self._stop_watching()
        work, self._work = self._work, None
        if work is not None:
            work()


def after_first_paint(
    window: QWidget, work: Callable[[], None], *, fallback_ms: int | None = None
) -> None:
    """Run ``work`` once on the GUI thread, just after ``window`` (a top-level
    widget) was first painted (from a zero-timer at once if it is on screen
    already), or ``fallback_ms`` (``FALLBACK_MS``) from now if it was not.
    Nothing runs if the window is gone first."""
    _AfterPaint(window, work, FALLBACK_MS if fallback_ms is None else fallback_ms)


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
