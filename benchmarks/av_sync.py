"""A/V offset over real-time playback through PortAudio (a PulseAudio null sink
when there is no sound card): the offset of every presented frame against the
audio clock. Targets: p95 <= 20 ms, p99 <= 40 ms.

    .venv/bin/python -m benchmarks.av_sync [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

from player import Player, PlayerState
from player.video_sink import NullVideoSink

from .media import bench_dir


def make_clip(seconds: int) -> Path:
    path = bench_dir() / f"sync-720p30-{seconds}s.mp4"
    if not path.exists():
        tmp = path.with_suffix(".tmp.mp4")
        subprocess.run(
            [
                "ffmpeg", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=30:duration={seconds}",
                "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
                "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-movflags", "+faststart", str(tmp),
            ],
            check=True,
        )  # fmt: skip
        tmp.replace(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    clip = make_clip(args.seconds)
    player = Player(video_sink=NullVideoSink())
    player.open(str(clip))
    state = player.wait_for_state({PlayerState.ENDED, PlayerState.ERROR}, args.seconds + 30)
    report = player.report()
    player.close()
    print(
        json.dumps(
            {
                "benchmark": "av_sync",
                "state": None if state is None else state.value,
                "seconds": args.seconds,
                "audio": report.get("audio"),
                "av_offset_ms": report["av_offset_ms"],
                "frames": report["frames"],
                "audio_underruns": report["audio_underruns"],
                "target": "p95 <= 20 ms, p99 <= 40 ms",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
