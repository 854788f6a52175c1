"""What 4K60 HEVC costs to decode in software: frames per CPU-second (per
core) with PyAV's FFmpeg, one thread and FFmpeg's own threading, on a short
libx265 clip with film-like grain. The figure says how many cores real-time
4K60 needs without hardware decoding (60 / per-core fps).

    .venv/bin/python -m benchmarks.hevc_4k_decode [--seconds 2] [--rounds 2]

CPU time (not wall time) is the measure: the machine may be shared, and
a busy neighbour slows the wall clock, not the work per frame.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import time
from pathlib import Path

import av

from .media import bench_dir

WIDTH, HEIGHT, FPS = 3840, 2160, 60


def make_4k60_hevc(seconds: int = 2) -> Path:
    """3840x2160 60 fps HEVC Main (8-bit 4:2:0) at 25 Mb/s, as 4K60 streams
    are sent, made with ffmpeg's libx265: the ultrafast preset (4K encodes
    slowly on a small machine) with SAO and 64x64 CTUs put back, the decoder
    tools real encoders use (ultrafast turns SAO off, which flatters decoding)."""
    path = bench_dir() / f"4k60-hevc-sao-{seconds}s.mkv"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp.mkv")
    subprocess.run(
        [
            "ffmpeg", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS}:duration={seconds}",
            "-vf", "noise=alls=10:allf=t", "-pix_fmt", "yuv420p",
            "-c:v", "libx265", "-preset", "ultrafast", "-b:v", "25M",
            "-x265-params", f"keyint={FPS}:sao=1:ctu=64:log-level=error", str(tmp),
        ],
        check=True,
    )  # fmt: skip
    os.replace(tmp, path)
    return path


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def decode(path: Path, threads: int) -> dict[str, float]:
    """Decode every frame (to the decoder's own format, as the engine does);
    ``threads`` 0: FFmpeg's choice with frame threading."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_count = threads
        stream.codec_context.thread_type = "AUTO" if threads != 1 else "SLICE"
        frames = 0
        cpu0, wall0 = _cpu(), time.perf_counter()
        for _ in container.decode(stream):
            frames += 1
        cpu, wall = _cpu() - cpu0, time.perf_counter() - wall0
    return {
        "frames": frames,
        "cpu_s": round(cpu, 3),
        "wall_s": round(wall, 3),
        "fps_wall": round(frames / wall, 2),
        "fps_per_core": round(frames / cpu, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    path = make_4k60_hevc(args.seconds)
    runs: dict[str, list[dict[str, float]]] = {"1 thread": [], "ffmpeg threads": []}
    for _ in range(args.rounds):
        runs["1 thread"].append(decode(path, 1))
        runs["ffmpeg threads"].append(decode(path, 0))
    best = {name: max(r, key=lambda x: x["fps_per_core"]) for name, r in runs.items()}
    per_core = max(b["fps_per_core"] for b in best.values())
    result = {
        "clip": f"{WIDTH}x{HEIGHT} {FPS} fps HEVC Main 25 Mb/s, {args.seconds} s "
        "(libx265 ultrafast, SAO on, 64x64 CTUs)",
        "machine": f"{platform.machine()}, {os.cpu_count()} logical cores, {platform.processor()}",
        "pyav": av.__version__,
        "ffmpeg": av.library_versions.get("libavcodec"),
        "runs": runs,
        "fps_per_core": per_core,
        "cores_for_realtime_4k60": round(FPS / per_core, 1),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
