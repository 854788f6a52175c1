"""Decoded audio waiting for the device: a queue of timed chunks that the
audio decoder fills and the PortAudio callback drains (``audio_out``)."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .clock import Clock

if TYPE_CHECKING:
    # Only annotations name numpy (the arrays come from PyAV and sounddevice).
    import numpy as np
    import numpy.typing as npt

    Samples = npt.NDArray[np.float32]

__all__ = ["AudioBuffer"]


@dataclass
class _Chunk:
    pts: float  # media time of data[0]
    data: Samples  # (n, channels) float32
    speed: float  # media seconds per output second when it was made
    offset: int = 0


class AudioBuffer:
    """Decoded, resampled audio waiting for the device (filled by the audio
    decode thread, drained by the PortAudio callback)."""

    def __init__(self, rate: int, channels: int, max_seconds: float, *, clock: Clock) -> None:
        self.rate = rate
        #: the decoder's wait for room is on it (a ManualClock in tests)
        self._clock = clock
        self.channels = channels
        self.max_seconds = max_seconds
        self._chunks: deque[_Chunk] = deque()
        self._frames = 0
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._skip_until: float | None = None
        self._closed = False

    def put(self, pts: float, data: Samples, speed: float, timeout: float) -> bool:
        with self._cond:
            room = self._clock.wait_for(self._cond, self._has_room, timeout)
            if not room or self._closed:
                return False
            self._chunks.append(_Chunk(pts, data, speed))
            self._frames += len(data)
            return True

    def _has_room(self) -> bool:
        return self._closed or self._frames < self.max_seconds * self.rate

    def read_into(self, out: Samples, gain: float) -> tuple[int, float | None, float, float]:
        """Fill ``out`` from the queue. Returns (frames written, pts of the first
        written frame, its speed, pts just after the last written frame)."""
        need = len(out)
        written = 0
        first_pts: float | None = None
        speed = 1.0
        end_pts = 0.0
        with self._cond:
            self._apply_skip()
            while written < need and self._chunks:
                chunk = self._chunks[0]
                avail = len(chunk.data) - chunk.offset
                n = min(avail, need - written)
                step = chunk.speed / self.rate
                if first_pts is None:
                    first_pts = chunk.pts + chunk.offset * step
                    speed = chunk.speed
                out[written : written + n] = chunk.data[chunk.offset : chunk.offset + n]
                chunk.offset += n
                written += n
                end_pts = chunk.pts + chunk.offset * step
                if chunk.offset >= len(chunk.data):
                    self._chunks.popleft()
                self._frames -= n
            if written:
                self._cond.notify_all()
        if written and gain != 1.0:
            out[:written] *= gain
        return written, first_pts, speed, end_pts

    def _apply_skip(self) -> None:
        target = self._skip_until
        if target is None:
            return
        while self._chunks:
            chunk = self._chunks[0]
            step = chunk.speed / self.rate
            end = chunk.pts + len(chunk.data) * step
            if end <= target:
                self._frames -= len(chunk.data) - chunk.offset
                self._chunks.popleft()
                continue
            start_index = int((target - chunk.pts) / step) if target > chunk.pts else 0
            if start_index > chunk.offset:
                self._frames -= start_index - chunk.offset
                chunk.offset = start_index
            self._skip_until = None
            return

    def skip_until(self, pts: float | None) -> None:
        """Discard audio before ``pts`` (frame stepping, jump to live, seeks)."""
        with self._cond:
            self._skip_until = pts
            self._cond.notify_all()

    def clear(self) -> None:
        with self._cond:
            self._chunks.clear()
            self._frames = 0
            self._skip_until = None
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def cut_from(self, pts: float) -> None:
        """Drop what is queued from media time ``pts`` on (a switch of audio
        track: the new track's samples continue from there)."""
        with self._cond:
            while self._chunks:
                chunk = self._chunks[-1]
                step = chunk.speed / self.rate
                keep = max(chunk.offset, round((pts - chunk.pts) / step))
                if keep >= len(chunk.data):
                    break
                if keep <= chunk.offset:
                    self._frames -= len(chunk.data) - chunk.offset
                    self._chunks.pop()
                    continue
                self._frames -= len(chunk.data) - keep
                chunk.data = chunk.data[:keep]
                break
            self._cond.notify_all()

    @property
    def head_pts(self) -> float | None:
        """Media time of the next sample the device will take (None: empty)."""
        with self._lock:
            if not self._chunks:
                return None
            first = self._chunks[0]
            return first.pts + first.offset * first.speed / self.rate

    @property
    def seconds(self) -> float:
        with self._lock:
            return self._frames / self.rate

    @property
    def end_pts(self) -> float | None:
        with self._lock:
            if not self._chunks:
                return None
            last = self._chunks[-1]
            return last.pts + len(last.data) * last.speed / self.rate
