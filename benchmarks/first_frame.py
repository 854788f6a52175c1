"""Time to first frame for a local file, progressive HTTP (nginx) and RTSP over
TCP (GStreamer's RTSP server), all on loopback, next to
``mpv --vo=null --ao=null --frames=1`` on the same URLs in the same run.

Two figures for us: ``engine_s`` (open() to the first presented frame, inside
one process, what the window sees) and ``command_s`` (the whole
``heureum --headless --frames 1`` process, interpreter start included), against
mpv's whole process.

    .venv/bin/python -m benchmarks.first_frame [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

from player import DEFAULT_CONFIG, Player
from player.video_sink import RecordingVideoSink

from .media import bench_dir


def _clip() -> Path:
    path = bench_dir() / "ttff-720p30-60s.mp4"
    if not path.exists():
        tmp = path.with_suffix(".tmp.mp4")
        subprocess.run(
            [
                "ffmpeg", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=60",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=60",
                "-c:v", "libx264", "-preset", "veryfast", "-g", "30", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-movflags", "+faststart", str(tmp),
            ],
            check=True,
        )  # fmt: skip
        tmp.replace(path)
    return path


def engine_ttff(url: str) -> float:
    sink = RecordingVideoSink()
    cfg = replace(DEFAULT_CONFIG, network=replace(DEFAULT_CONFIG.network, rtsp_transport="tcp"))
    player = Player(cfg, video_sink=sink)
    start = time.monotonic()
    player.open(url)
    ok = sink.wait_for(1, 20)
    elapsed = time.monotonic() - start
    player.close()
    if not ok:
        raise RuntimeError(f"no frame from {url}")
    return elapsed


def command_ttff(url: str, *extra: str) -> float:
    """Wall time of ``heureum --headless --frames 1``, interpreter start included."""
    start = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "player.cli", "--headless", "--frames", "1", "--no-audio",
         *extra, url],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return time.monotonic() - start


def mpv_ttff(url: str, *extra: str) -> float | None:
    """Wall time of ``mpv --vo=null --ao=null --frames=1``; None without mpv."""
    mpv = shutil.which("mpv")
    if mpv is None:
        return None
    start = time.monotonic()
    subprocess.run(
        [mpv, "--no-config", "--vo=null", "--ao=null", "--frames=1", *extra, url],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.support.servers import NginxHttpServer, RtspServer

    clip = _clip()
    if shutil.which("mpv") is None:
        print("mpv is not installed: its column is empty", file=sys.stderr)
    results = {}
    with ExitStack() as stack, tempfile.TemporaryDirectory() as root:
        shutil.copy(clip, Path(root) / clip.name)
        http = stack.enter_context(NginxHttpServer(Path(root)))
        rtsp = stack.enter_context(RtspServer(clip))
        urls = {
            "file": str(clip),
            "http": f"{http.base_url}/{clip.name}",
            "rtsp_tcp": rtsp.url,
        }
        for name, url in urls.items():
            ours = [engine_ttff(url) for _ in range(args.rounds)]
            cmd = [command_ttff(url, "--rtsp-transport", "tcp") for _ in range(args.rounds)]
            theirs = [mpv_ttff(url, "--rtsp-transport=tcp") for _ in range(args.rounds)]
            mpv_values = [t for t in theirs if t is not None]
            results[name] = {
                "engine_s": round(statistics.median(ours), 3),
                "command_s": round(statistics.median(cmd), 3),
                "mpv_s": round(statistics.median(mpv_values), 3) if mpv_values else None,
            }
    print(
        json.dumps(
            {"benchmark": "first_frame", "rounds": args.rounds, "results": results}, indent=2
        )
    )


if __name__ == "__main__":
    main()
