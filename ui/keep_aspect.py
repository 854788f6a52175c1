"""The window keeps the video's aspect when the user resizes it (mpv's
``keepaspect-window``): the dimension the user dragged leads, the other
follows, within the screen's free area. Only the video area keeps the aspect:
the menu bar, the controls and docked panels keep their own room.

The window's own resizes (fitting to the video, growing for a panel) are told
apart by their size: ``expect()`` is called before them, and a resize to an
expected size is left alone, so a panel that is still being laid out never
drags the height along.

``viewSettled`` tells the size the user's resize left the video area at (after
any correction), so whatever keeps "the picture's size" follows the user.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSize, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QWidget

__all__ = ["KeepAspect", "aspect_window_size"]

#: A video area this close to the aspect (in pixels) is left as it is.
TOLERANCE_PX = 2


def aspect_window_size(
    old: tuple[int, int],
    new: tuple[int, int],
    chrome: tuple[int, int],
    aspect: float,
    room: tuple[int, int],
    minimum: tuple[int, int] = (0, 0),
) -> tuple[int, int] | None:
    """The window size whose video area has ``aspect``, or None when ``new``
    has it already.

    ``old`` and ``new`` are the window's sizes before and after the user's
    resize (the larger change leads), ``chrome`` what the window takes beside
    the video area (menus, controls, docked panels), ``room`` the largest
    window size the screen's free area allows, ``minimum`` the window's own.
    """
    if aspect <= 0:
        return None
    chrome_w, chrome_h = chrome
    view_w, view_h = float(new[0] - chrome_w), float(new[1] - chrome_h)
    if view_w <= 0 or view_h <= 0:
        return None
    if abs(new[0] - old[0]) >= abs(new[1] - old[1]):
        view_h = view_w / aspect
    else:
        view_w = view_h * aspect
    # Bounded by the screen: shrink the video area until the window fits.
    scale = min(1.0, (room[0] - chrome_w) / view_w, (room[1] - chrome_h) / view_h)
    if scale > 0:
        view_w, view_h = view_w * scale, view_h * scale
    width = max(minimum[0], round(view_w + chrome_w))
    height = max(minimum[1], round(view_h + chrome_h))
    if abs(width - new[0]) <= TOLERANCE_PX and abs(height - new[1]) <= TOLERANCE_PX:
        return None
    return width, height


class KeepAspect(QObject):
    """Watches ``window``'s resizes; ``view`` is its video area and ``aspect``
    says the video's display aspect (None: nothing to keep, e.g. audio only)."""

    #: the video area's (width, height) once a user's resize has settled
    viewSettled = Signal(int, int)

    def __init__(self, window: QWidget, view: QWidget, aspect: Callable[[], float | None]) -> None:
        super().__init__(window)
        self._window = window
        self._view = view
        self._aspect = aspect
        self._expected: list[tuple[int, int]] = []
        self._before: tuple[int, int] | None = None  # the size a burst of resizes started from
        self._asked: tuple[int, int] | None = None  # our last correction, until we get it
        self.enabled = True
        # After the layout has given the view its new size (the same event
        # loop turn as the resize), and once per burst of resize events.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._apply)
        window.installEventFilter(self)

    def expect(self, width: int, height: int) -> None:
        """The window is about to resize itself to this size: not a user's resize."""
        self._expected = [*self._expected[-3:], (width, height)]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and isinstance(event, QResizeEvent):
            size = (event.size().width(), event.size().height())
            if size in self._expected:
                self._expected.remove(size)
                self._asked = None
                self._before = None
                self._timer.stop()
            else:
                old = event.oldSize()
                if self._before is None and old.isValid():
                    self._before = (old.width(), old.height())
                self._timer.start()
        return False

    def _apply(self) -> None:
        before, self._before = self._before, None
        window = self._window
        if not self.enabled or before is None or not window.isVisible():
            return
        if window.isFullScreen() or window.isMaximized() or window.isMinimized():
            return
        aspect = self._aspect()
        if aspect is None:
            return
        screen = window.screen()
        avail = screen.availableGeometry()
        frame = window.frameGeometry()
        # The title bar and borders come out of the free area too.
        room = (
            avail.width() - (frame.width() - window.width()),
            avail.height() - (frame.height() - window.height()),
        )
        new = (window.width(), window.height())
        chrome = (new[0] - self._view.width(), new[1] - self._view.height())
        minimum = window.minimumSize()
        target = aspect_window_size(
            before, new, chrome, aspect, room, (minimum.width(), minimum.height())
        )
        # A window manager that will not give us the size gets asked once, not
        # in a loop.
        final = new
        if target is not None and target != self._asked:
            self._asked = final = target
            self.expect(*target)
            window.resize(QSize(*target))
        self.viewSettled.emit(final[0] - chrome[0], final[1] - chrome[1])
