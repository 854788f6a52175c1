"""Benchmark media, made with the ffmpeg CLI and cached (not committed)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["bench_dir", "make_1080p30"]


def bench_dir() -> Path:
    path = Path(os.environ.get("HEUREUM_BENCH_CACHE", Path.home() / ".cache" / "heureum-bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def make_1080p30(seconds: int = 20, *, name: str | None = None) -> Path:
    """1080p30 H.264 (+AAC) with film-like grain so decoding costs what real
    video costs; faststart MP4."""
    path = bench_dir() / (name or f"1080p30-{seconds}s.mp4")
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp.mp4")
    subprocess.run(
        [
            "ffmpeg", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=30:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
            "-vf", "noise=alls=12:allf=t",
            "-c:v", "libx264", "-preset", "veryfast", "-b:v", "6M", "-g", "60",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
            "-movflags", "+faststart", str(tmp),
        ],
        check=True,
    )  # fmt: skip
    os.replace(tmp, path)
    return path
