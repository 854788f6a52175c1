"""Adaptive streams need not fetch more pixels than the view shows: the
view's size in device pixels caps the engine's rung choice. The window, a
panel, fullscreen or another screen change that size; the engine hears it
once a resize has settled."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from .bridge import PlayerLike

__all__ = ["CAP_DEBOUNCE_MS", "ViewSizeCap"]

CAP_DEBOUNCE_MS = 300  # a resize settles before the engine hears the view's size


class ViewSizeCap(QObject):
    """``current_url`` says what plays; ``call`` runs a player command and
    reports its failure."""

    def __init__(
        self,
        view: QWidget,
        player: PlayerLike,
        call: Callable[..., bool],
        current_url: Callable[[], str | None],
    ) -> None:
        super().__init__(view)
        self._view = view
        self._player = player
        self._call = call
        self._current_url = current_url
        #: the (width, height) the engine was last told (None: no cap)
        self.size: tuple[int, int] | None = None
        #: a session the cap leaves alone (the ABR demo: its ladder must be
        #: able to move whatever the window's size)
        self.uncapped_url: str | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(CAP_DEBOUNCE_MS)
        self.timer.timeout.connect(self.apply)
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._view and event.type() == QEvent.Type.Resize:
            self.timer.start()
        return False

    def apply(self) -> None:
        """Tell the engine the view's size now (the opening session starts with it)."""
        if self.uncapped_url is not None and self._current_url() == self.uncapped_url:
            if self.size is not None:
                self.size = None
                self._call(self._player.set_max_resolution, None, None)
            return
        ratio = self._view.devicePixelRatioF()
        width = round(self._view.width() * ratio)
        height = round(self._view.height() * ratio)
        if width > 0 and height > 0 and (width, height) != self.size:
            self.size = (width, height)
            self._call(self._player.set_max_resolution, width, height)
