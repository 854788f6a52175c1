"""Work the first picture does not need, run once it is on screen (issue 13).

At start-up the GUI thread is the first picture's critical path: it imports
and starts the engine, then converts and paints the first frame. The bus
(MPRIS: jeepney, a connection, a name request) and the ``--enqueue`` socket
(QtNetwork) cost tens of milliseconds there and nobody can use them before
the window shows something. They start a moment after the first frame was
painted, or after ``FALLBACK_MS`` when no picture comes (the demo being
prepared, an audio-only file, an error)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from .video_view import VideoView

__all__ = ["FALLBACK_MS", "SETTLE_MS", "after_first_frame"]

#: after the first frame reached the renderer: its paint goes first
SETTLE_MS = 100
#: no picture by then: start anyway
FALLBACK_MS = 2000


class _Once(QObject):
    def __init__(
        self, view: VideoView, work: Callable[[], None], settle_ms: int, fallback_ms: int
    ) -> None:
        super().__init__(view)
        self._work: Callable[[], None] | None = work
        self._settle_ms = settle_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run)
        if view.painted > 0:
            self._timer.start(settle_ms)
        else:
            view.firstFrame.connect(self._settle)
            self._timer.start(fallback_ms)

    def _settle(self) -> None:
        if self._work is not None:
            self._timer.start(self._settle_ms)

    def _run(self) -> None:
        work, self._work = self._work, None
        if work is not None:
            work()


def after_first_frame(
    view: VideoView,
    work: Callable[[], None],
    *,
    settle_ms: int = SETTLE_MS,
    fallback_ms: int = FALLBACK_MS,
) -> None:
    """Run ``work`` once on the GUI thread, ``settle_ms`` after ``view`` took
    its first frame, or ``fallback_ms`` from now if no frame came by then.
    Nothing runs if the view is gone first."""
    _Once(view, work, settle_ms, fallback_ms)
