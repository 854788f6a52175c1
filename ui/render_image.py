"""Software renderer: swscale scales the frame to the target size in device
pixels and converts it to RGB, and QPainter blits it unscaled.

The scaling and the conversion are two swscale passes, not one: scaling the
YUV planes and then converting at the target size takes SIMD paths on both,
while a single scaled YUV→RGB pass writes its RGB output through swscale's
generic per-pixel code. In the window that single pass cost 14-20 ms of CPU
per 1080p frame shown at 1728×922 against 3-4 ms for the two passes, which
is what made the fitted window cost more than mpv (issue 13).

Only frames that are actually painted are converted (a frame replaced before
the next paint costs nothing), and one swscale context per pass is reused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from player.video_sink import VideoFrame

from .render_common import display_aspect, fit_rect

if TYPE_CHECKING:
    from av.video.reformatter import VideoReformatter

__all__ = ["ImageRenderer", "picture_rect", "to_bgra"]

#: 8-bit 4:2:0 that swscale's unscaled YUV→RGB fast path takes as it is.
_FAST_YUV = {"yuv420p", "yuvj420p"}
#: That fast path converts a row 8 pixels at a time, and where the row's
#: padding is shorter than its last block it stops a block early: the last
#: 1-7 columns keep whatever the buffer held (noise down the picture's right
#: edge, seen at widths such as 562, 564, 578 and 580). Whole blocks never do.
_BLOCK = 8


def picture_rect(fit: QRectF, dpr: float) -> QRectF:
    """Where the picture is drawn in ``fit`` (``render_common.fit_rect``):
    on whole logical pixels, its width a whole number of ``_BLOCK`` device
    pixels, its height in proportion, centred; at most a few pixels smaller."""
    if fit.width() < 2 * _BLOCK or fit.height() < 1:
        return QRectF(fit.toRect())
    width = int(fit.width())
    for lw in range(width, max(_BLOCK, width - 4 * _BLOCK), -1):
        if round(lw * dpr) % _BLOCK == 0:
            break
    else:
        return QRectF(fit.toRect())
    lh = max(1, round(fit.height() * lw / fit.width()))
    x = round(fit.x() + (fit.width() - lw) / 2)
    y = round(fit.y() + (fit.height() - lh) / 2)
    return QRectF(x, y, lw, lh)


def to_bgra(
    scaler: VideoReformatter, converter: VideoReformatter, src: Any, width: int, height: int
) -> Any:
    """``src`` (an av.VideoFrame) as BGRA at ``width``×``height``: scaled in
    YUV (bilinear), then converted unscaled. One thread each: on a shared
    machine swscale's slice threads cost more than they save."""
    from av.video.reformatter import Interpolation

    name = src.format.name
    mid = scaler.reformat(
        src,
        width=width,
        height=height,
        format=name if name in _FAST_YUV else "yuv420p",
        interpolation=Interpolation.BILINEAR,
        threads=1,
    )
    return converter.reformat(mid, format="bgra", threads=1)


class ImageRenderer(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setAutoFillBackground(False)
        self._frame: VideoFrame | None = None
        # PyAV is imported with the first frame, not before the window shows.
        self._scaler: VideoReformatter | None = None  # YUV → YUV at the target size
        self._converter: VideoReformatter | None = None  # YUV → BGRA, unscaled
        self._key: tuple[int, int, int] | None = None
        self._image: QImage | None = None
        self._pixels: Any = None  # keeps the converted av.VideoFrame alive under _image

    @property
    def renderer_name(self) -> str:
        return "software (swscale → QImage)"

    def set_frame(self, frame: VideoFrame | None) -> None:
        self._frame = frame
        if frame is None:
            self._image = None
            self._pixels = None
            self._key = None
        self.update()

    def _converted(self, frame: VideoFrame, target: QRectF, dpr: float) -> QImage:
        w = max(2, round(target.width() * dpr))
        h = max(2, round(target.height() * dpr))
        key = (id(frame), w, h)
        if key != self._key or self._image is None:
            if self._scaler is None or self._converter is None:
                from av.video.reformatter import VideoReformatter

                self._scaler, self._converter = VideoReformatter(), VideoReformatter()
            out = to_bgra(self._scaler, self._converter, frame.frame, w, h)
            plane = out.planes[0]
            image = QImage(memoryview(plane), w, h, plane.line_size, QImage.Format.Format_RGB32)
            image.setDevicePixelRatio(dpr)
            self._image, self._pixels, self._key = image, out, key
        return self._image

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            frame = self._frame
            target = (
                picture_rect(
                    fit_rect(self.width(), self.height(), display_aspect(frame)),
                    self.devicePixelRatioF(),
                )
                if frame is not None
                else QRectF()
            )
            if frame is None or target.width() < 1 or target.height() < 1:
                painter.fillRect(self.rect(), Qt.GlobalColor.black)
                return
            # paint the bars only: the picture covers the rest
            t = target.toRect()
            black = Qt.GlobalColor.black
            painter.fillRect(0, 0, self.width(), t.top(), black)
            painter.fillRect(0, t.bottom() + 1, self.width(), self.height() - t.bottom() - 1, black)
            painter.fillRect(0, t.top(), t.left(), t.height(), black)
            painter.fillRect(
                t.right() + 1, t.top(), self.width() - t.right() - 1, t.height(), black
            )
            image = self._converted(frame, target, self.devicePixelRatioF())
            painter.drawImage(target.topLeft(), image)
        finally:
            painter.end()
