"""The window's size follows its video: fitted to it on the first frame (mpv's
autofit), its aspect kept when the user resizes (``keep_aspect.py``), and a
panel that docks takes its room from the screen, not from the picture.

``fitted_view`` is the picture's size to keep: the fitted one, then whatever
size the user's resizes leave it at."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow

from player.events import MediaInfo

from .keep_aspect import KeepAspect
from .render_common import display_aspect
from .video_view import VideoView

__all__ = ["FIT_MIN_VIEW_WIDTH", "FIT_SCREEN_SHARE", "WindowFit"]

#: the share of the screen's free area a window fitted to its video may take
FIT_SCREEN_SHARE = 0.9
FIT_MIN_VIEW_WIDTH = 640


class WindowFit(QObject):
    """``info`` says what plays (None: nothing opened yet)."""

    def __init__(
        self, window: QMainWindow, view: VideoView, info: Callable[[], MediaInfo | None]
    ) -> None:
        super().__init__(window)
        self._window = window
        self._view = view
        self._info = info
        self.keep_aspect = KeepAspect(window, view, self.video_aspect)
        self.keep_aspect.viewSettled.connect(self._user_sized)
        #: the picture's (width, height) a docking panel must not take from
        self.fitted_view: tuple[int, int] | None = None

    def _user_sized(self, width: int, height: int) -> None:
        # Without this a later panel would restore the size fitted before the
        # user's resize, and stretch the picture out of its aspect.
        self.fitted_view = (width, height)

    def fit_to_video(self) -> None:
        """Size the window so the video shows at its own size (the top rung's
        for an adaptive stream, so the view does not cap the ladder), bounded by
        the screen's available area with the aspect ratio kept, as mpv's
        autofit does."""
        info, window, view = self._info(), self._window, self._view
        if info is None or window.isFullScreen() or window.isMaximized():
            return
        sizes = [(v.width, v.height) for v in info.variants if v.width and v.height]
        if info.video is not None and info.video.width and info.video.height:
            sizes.append((info.video.width, info.video.height))
        if not sizes:
            return
        pixels_w, pixels_h = max(sizes, key=lambda wh: wh[0] * wh[1])
        ratio = window.devicePixelRatioF() or 1.0
        width, height = pixels_w / ratio, pixels_h / ratio
        chrome_w = window.width() - view.width()
        chrome_h = window.height() - view.height()
        avail = window.screen().availableGeometry()
        max_w = avail.width() * FIT_SCREEN_SHARE - chrome_w
        max_h = avail.height() * FIT_SCREEN_SHARE - chrome_h
        # A small video (320x240) gets a window its controls fit in: scaled up
        # to FIT_MIN_VIEW_WIDTH, never past the screen.
        floor = max(1.0, FIT_MIN_VIEW_WIDTH / width)
        scale = min(floor, max_w / width, max_h / height)
        target_w = max(window.minimumWidth(), round(width * scale + chrome_w))
        target_h = max(window.minimumHeight(), round(height * scale + chrome_h))
        self.keep_aspect.expect(target_w, target_h)
        window.resize(target_w, target_h)
        self.fitted_view = (target_w - chrome_w, target_h - chrome_h)
        frame = window.frameGeometry()
        frame.moveCenter(avail.center())
        window.move(max(avail.left(), frame.left()), max(avail.top(), frame.top()))

    def video_aspect(self) -> float | None:
        """The display aspect the window keeps (None: no picture to keep)."""
        frame = self._view.current_frame
        if frame is not None:
            return display_aspect(frame)
        info = self._info()
        video = info.video if info is not None else None
        if video is not None and video.width > 0 and video.height > 0:
            return video.width / video.height
        return None

    def grow_for_dock(self, extra_w: int, extra_h: int) -> None:
        """A panel opening beside a window fitted to its video takes its room
        from the screen, not from the picture (within the free area)."""
        window = self._window
        if window.isFullScreen() or window.isMaximized():
            return
        avail = window.screen().availableGeometry()
        frame = window.frameGeometry()
        # the title bar and borders, on top of the size asked for
        deco_w, deco_h = frame.width() - window.width(), frame.height() - window.height()
        width = min(avail.width() - deco_w, window.width() + max(0, extra_w))
        height = min(avail.height() - deco_h, window.height() + max(0, extra_h))
        if (width, height) != (window.width(), window.height()):
            self.keep_aspect.expect(width, height)
            window.resize(width, height)
        # Grown past the screen's edge, the panel's lower part (its time axis)
        # would be off screen: the window moves back in.
        x = max(avail.left(), min(frame.left(), avail.right() + 1 - (width + deco_w)))
        y = max(avail.top(), min(frame.top(), avail.bottom() + 1 - (height + deco_h)))
        if (x, y) != (frame.left(), frame.top()):
            window.move(x, y)
