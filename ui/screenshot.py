"""Screenshots of the current frame at source resolution, as PNG."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QPointF
from PySide6.QtGui import QFont, QImage, QPainter

from player.video_sink import VideoFrame

from .subtitles import layout_subtitle, paint_subtitle

__all__ = ["frame_to_qimage", "save_screenshot", "screenshot_name", "with_subtitle"]


def frame_to_qimage(frame: VideoFrame) -> QImage:
    """The frame at its coded size as an RGB888 QImage (converted by swscale)."""
    import numpy as np  # not before the window shows (start-up time)

    rgb = np.ascontiguousarray(frame.to_rgb_array())
    h, w, _ = rgb.shape
    # copy(): the QImage must own its pixels once ``rgb`` goes away
    return QImage(rgb.data, w, h, w * 3, QImage.Format.Format_RGB888).copy()


def _timestamp(seconds: float) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}-{m:02d}-{s:02d}.{ms:03d}"


def screenshot_name(title: str, position: float) -> str:
    safe = re.sub(r"[^\w.-]+", "_", title, flags=re.UNICODE).strip("._") or "heureum"
    return f"{safe[:80]}_{_timestamp(position)}.png"


def with_subtitle(image: QImage, text: str, base: QFont, scale: float = 1.0) -> QImage:
    """``image`` with ``text`` drawn as the view draws it, sized to the
    picture rather than to the window (mpv's ``s`` screenshots)."""
    layout = layout_subtitle(text, image.width(), image.height(), base, scale)
    painter = QPainter(image)
    paint_subtitle(painter, layout, QPointF(layout.rect.topLeft()))
    painter.end()
    return image


def save_screenshot(
    frame: VideoFrame,
    directory: str | Path,
    title: str,
    subtitle: str | None = None,
    font: QFont | None = None,
    scale: float = 1.0,
) -> Path:
    """Write ``frame`` to ``directory`` (created if needed), with ``subtitle``
    drawn on it when given; returns the path. Raises OSError when the file
    cannot be written."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    name = screenshot_name(title, frame.pts)
    path = folder / name
    n = 1
    while path.exists():
        path = folder / f"{Path(name).stem}-{n}.png"
        n += 1
    image = frame_to_qimage(frame)
    if subtitle:
        image = with_subtitle(image, subtitle, font or QFont(), scale)
    if not image.save(str(path)):
        raise OSError(f"Could not write {path}")
    return path
