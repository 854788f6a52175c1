"""What both renderers share: letterbox geometry and the renderer interface."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QRectF

from player.video_sink import VideoFrame

__all__ = ["FrameRenderer", "display_aspect", "fit_rect"]


class FrameRenderer(Protocol):
    """A QWidget that draws one frame, letterboxed; called on the GUI thread."""

    @property
    def renderer_name(self) -> str: ...
    def set_frame(self, frame: VideoFrame | None) -> None: ...


def display_aspect(frame: VideoFrame) -> float:
    sar = frame.sar if frame.sar and frame.sar > 0 else 1.0
    return (frame.width * sar) / max(1, frame.height)


def fit_rect(area_w: float, area_h: float, aspect: float) -> QRectF:
    """The largest rectangle of ``aspect`` centred in ``area`` (black bars elsewhere)."""
    if area_w <= 0 or area_h <= 0 or aspect <= 0:
        return QRectF(0, 0, max(0.0, area_w), max(0.0, area_h))
    if area_w / area_h > aspect:  # pillarbox
        h = area_h
        w = h * aspect
    else:  # letterbox
        w = area_w
        h = w / aspect
    return QRectF((area_w - w) / 2, (area_h - h) / 2, w, h)
