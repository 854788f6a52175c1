"""Screenshots of the current frame at source resolution, as PNG."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from player.video_sink import VideoFrame

__all__ = ["frame_to_qimage", "save_screenshot", "screenshot_name"]


def frame_to_qimage(frame: VideoFrame) -> QImage:
    """The frame at its coded size as an RGB888 QImage (converted by swscale)."""
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


def save_screenshot(frame: VideoFrame, directory: str | Path, title: str) -> Path:
    """Write ``frame`` to ``directory`` (created if needed); returns the path.
    Raises OSError when the file cannot be written."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    name = screenshot_name(title, frame.pts)
    path = folder / name
    n = 1
    while path.exists():
        path = folder / f"{Path(name).stem}-{n}.png"
        n += 1
    if not frame_to_qimage(frame).save(str(path)):
        raise OSError(f"Could not write {path}")
    return path
