"""The built-in demo: media made with PyAV on first run (no internet needed),
cached in the user's cache directory."""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from .cache import cache_dir
from .demo_hls import ensure_hls_demo
from .demo_hls import stop_demo_server as stop_hls_demo_server

__all__ = ["cache_dir", "ensure_demo", "ensure_demo_file", "stop_demo_server"]

Progress = Callable[[float, str], None]

DEMO_VERSION = 1


def _frame_rgb(
    i: int, fps: int, width: int, height: int, yy: np.ndarray, xx: np.ndarray
) -> np.ndarray:
    t = i / fps
    # A slowly turning colour field with a bright ball: motion the eye can follow,
    # and enough detail that the encoder and decoder do real work.
    r = 127 + 100 * np.sin(xx * 6.0 + t * 1.3)
    g = 127 + 100 * np.sin(yy * 5.0 - t * 0.9)
    b = 127 + 100 * np.sin((xx + yy) * 4.0 + t * 0.7)
    img = np.stack([r, g, b], axis=-1)
    cx = 0.5 + 0.35 * math.cos(t * 1.1)
    cy = 0.5 + 0.30 * math.sin(t * 1.7)
    ball = ((xx - cx) * width / height) ** 2 + (yy - cy) ** 2 < 0.006
    img[ball] = 250
    # A white bar across the bottom marks whole seconds (sync can be judged by eye).
    if i % fps == 0:
        img[int(height * 0.92) :, :, :] = 255
    return img.clip(0, 255).astype(np.uint8)


def make_demo_file(
    path: Path,
    *,
    seconds: float = 20.0,
    width: int = 960,
    height: int = 540,
    fps: int = 30,
    progress: Progress | None = None,
) -> Path:
    """Encode the demo clip (H.264 + AAC in MP4) to ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".demo.", suffix=".mp4", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            vs = out.add_stream("libx264", rate=fps)
            vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
            vs.options = {"preset": "veryfast", "crf": "26", "g": str(fps)}
            rate = 48000
            aus = out.add_stream("aac", rate=rate)
            aus.layout = "stereo"
            yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
            yy /= height
            xx /= width
            total = int(seconds * fps)
            samples_per_frame = rate // fps
            sample_index = 0
            audio_fifo = av.AudioFifo()
            for i in range(total):
                frame = av.VideoFrame.from_ndarray(
                    _frame_rgb(i, fps, width, height, yy, xx), format="rgb24"
                )
                frame.pts = i
                frame.time_base = Fraction(1, fps)
                for packet in vs.encode(frame):
                    out.mux(packet)
                n = np.arange(sample_index, sample_index + samples_per_frame)
                tone = 0.15 * np.sin(2 * np.pi * 220 * n / rate)
                # A short high beep with each white bar.
                if i % fps == 0:
                    tone = tone + 0.4 * np.sin(2 * np.pi * 1000 * n / rate)
                pcm = np.stack([tone, tone]).astype(np.float32)
                af = av.AudioFrame.from_ndarray(pcm, format="fltp", layout="stereo")
                af.sample_rate = rate
                af.pts = sample_index
                af.time_base = Fraction(1, rate)
                audio_fifo.write(af)
                sample_index += samples_per_frame
                while audio_fifo.samples >= 1024:
                    chunk = audio_fifo.read(1024)
                    for packet in aus.encode(chunk):
                        out.mux(packet)
                if progress is not None and i % fps == 0:
                    progress(i / total, "Making the demo clip")
            for packet in vs.encode(None):
                out.mux(packet)
            for packet in aus.encode(None):
                out.mux(packet)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    if progress is not None:
        progress(1.0, "Demo ready")
    return path


def ensure_demo_file(progress: Progress | None = None) -> Path:
    """The cached demo clip, made on first use."""
    path = cache_dir() / f"demo-v{DEMO_VERSION}.mp4"
    if path.exists() and path.stat().st_size > 0:
        if progress is not None:
            progress(1.0, "Demo ready")
        return path
    return make_demo_file(path, progress=progress)


def ensure_demo(
    progress: Progress | None = None, *, bandwidth: Callable[[float], float] | None = None
) -> str:
    """What the window opens when started without a URL: the multivariant HLS
    demo's master playlist URL on its throttled loopback server (see
    ``demo_hls``; the media is made on first run and cached). ``bandwidth``
    (bytes/s over seconds since the server started) replaces the demo's
    pattern, e.g. ``DEMO_PATTERN.scaled(0.25)`` in tests; it only applies
    when this call starts the server."""
    return ensure_hls_demo(progress, bandwidth=bandwidth)


def stop_demo_server() -> None:
    """Stop the demo's server (tests; the window leaves it to the process's end)."""
    stop_hls_demo_server()
