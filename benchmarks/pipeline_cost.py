"""CPU seconds per 1000 frames: the whole engine (demux, decode, present to a
null sink, untimed) against PyAV decoding the same file alone, in one run.

    .venv/bin/python -m benchmarks.pipeline_cost
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from dataclasses import replace
from pathlib import Path

import av

from player import DEFAULT_CONFIG, Player, PlayerState
from player.config import AudioConfig
from player.video_sink import NullVideoSink

from .media import make_1080p30


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def decode_alone(path: Path) -> tuple[int, float]:
    start = _cpu()
    frames = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for _ in container.decode(stream):
            frames += 1
    return frames, _cpu() - start


def engine(path: Path) -> tuple[int, float]:
    cfg = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
    cfg = replace(cfg, sync=replace(cfg.sync, untimed=True))
    sink = NullVideoSink()
    player = Player(cfg, video_sink=sink)
    start = _cpu()
    player.open(str(path))
    state = player.wait_for_state({PlayerState.ENDED, PlayerState.ERROR}, 300)
    cpu = _cpu() - start
    player.close()
    if state != PlayerState.ENDED:
        raise SystemExit(f"engine did not finish: {state}")
    return sink.presented, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    path = make_1080p30(args.seconds)
    ratios = []
    rows = []
    for _ in range(args.rounds):
        n_dec, cpu_dec = decode_alone(path)
        t0 = time.monotonic()
        n_eng, cpu_eng = engine(path)
        wall = time.monotonic() - t0
        per_dec = cpu_dec / n_dec * 1000
        per_eng = cpu_eng / n_eng * 1000
        ratios.append(per_eng / per_dec)
        rows.append(
            {
                "frames": n_eng,
                "pyav_cpu_s_per_1000": round(per_dec, 3),
                "engine_cpu_s_per_1000": round(per_eng, 3),
                "ratio": round(per_eng / per_dec, 3),
                "engine_wall_s": round(wall, 2),
            }
        )
    result = {
        "benchmark": "pipeline_cost",
        "file": path.name,
        "rounds": rows,
        "median_ratio": sorted(ratios)[len(ratios) // 2],
        "target": "<= 1.3",
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
