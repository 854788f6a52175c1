"""Where presented frames go: the UI's view implements ``VideoSink``; headless
runs use ``NullVideoSink``."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

__all__ = ["NullVideoSink", "RecordingVideoSink", "UnpaintedCount", "VideoFrame", "VideoSink"]


@dataclass(frozen=True)
class VideoFrame:
    """A decoded picture at its presentation time.

    ``frame`` is the ``av.VideoFrame`` itself: the view converts it with FFmpeg
    (swscale or a shader), never per pixel in Python.
    """

    pts: float
    width: int
    height: int
    pix_fmt: str
    frame: Any
    #: sample aspect ratio, for anamorphic video
    sar: float = 1.0
    index: int = 0

    def to_rgb_array(self, width: int | None = None, height: int | None = None) -> Any:
        """An RGB24 numpy array (height, width, 3), scaled by swscale."""
        return self.frame.to_ndarray(
            format="rgb24", width=width or self.width, height=height or self.height
        )


class VideoSink(Protocol):
    def present(self, frame: VideoFrame) -> None:
        """Show ``frame`` now. Called from the presenter thread; must not block."""
        ...

    def clear(self) -> None:
        """Forget the last frame (new media, stop)."""
        ...


@runtime_checkable
class UnpaintedCount(Protocol):
    """A sink that can replace a presented frame before it reaches the screen
    (the window paints the newest one when its GUI thread gets to it), and
    counts those: drops on the screen's side, in the report beside the
    engine's own."""

    @property
    def not_painted(self) -> int: ...


class NullVideoSink:
    """Counts frames and keeps the last one; what headless playback uses."""

    def __init__(self) -> None:
        self.presented = 0
        self.last: VideoFrame | None = None

    def present(self, frame: VideoFrame) -> None:
        self.presented += 1
        self.last = frame

    def clear(self) -> None:
        self.last = None


class RecordingVideoSink(NullVideoSink):
    """Also records every presented pts with the wall time it was shown
    (tests, sync measurements)."""

    def __init__(self, clock: Any = None) -> None:
        super().__init__()
        import time

        self._now = clock.now if clock is not None else time.monotonic
        self.shown: list[tuple[float, float]] = []
        self._lock = threading.Lock()
        self.cond = threading.Condition(self._lock)

    def present(self, frame: VideoFrame) -> None:
        super().present(frame)
        with self.cond:
            self.shown.append((frame.pts, self._now()))
            self.cond.notify_all()

    def wait_for(self, count: int, timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: len(self.shown) >= count, timeout)
